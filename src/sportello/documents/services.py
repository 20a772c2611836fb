"""Writes for document copies: upload (with the content checks), correction of kind and
description, removal, and handing a copy out (always audited)."""

from __future__ import annotations

import hashlib
import io
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.core.services import audit_record
from sportello.documents.content import DetectedType, document_content_detect
from sportello.documents.models import DocumentCopy, DocumentKind
from sportello.documents.pdf_clean import pdf_without_active_content
from sportello.registry.models import Person

DESCRIPTION_MAX = 200


def _description_clean(description: str) -> str:
    text = " ".join((description or "").split())
    if len(text) > DESCRIPTION_MAX:
        raise ApplicationError(
            _("La descrizione è troppo lunga: al massimo %(max)d caratteri.")
            % {"max": DESCRIPTION_MAX},
            extra={"field": "description"},
        )
    return text


def _kind_check(kind: str) -> str:
    if kind not in DocumentKind.values:
        raise ApplicationError(
            _("Tipo di documento sconosciuto: «%(value)s».") % {"value": kind},
            extra={"field": "kind"},
        )
    return kind


def document_copy_check(*, file: IO[bytes], size: int) -> DetectedType:
    """What the upload form calls before saving: the same checks as `document_copy_create`."""
    return document_content_detect(file=file, size=size)


def _sha256(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def document_copy_create(
    *,
    person: Person,
    kind: str,
    file: IO[bytes],
    size: int,
    description: str = "",
    uploaded_by: Any = None,
) -> DocumentCopy:
    """Keep a copy of one of `person`'s documents. The type comes from the content (PDF, JPEG,
    PNG), never from the file's name; a file that fails any check is not stored."""
    kind = _kind_check(kind)
    description = _description_clean(description)
    detected = document_content_detect(file=file, size=size)
    if detected.content_type == "application/pdf":
        file.seek(0)
        cleaned = pdf_without_active_content(file.read())
        file.seek(0)
        if cleaned is not None:  # scripts, automatic actions or embedded files: gone
            file, size = io.BytesIO(cleaned), len(cleaned)
    copy = DocumentCopy(
        person=person,
        kind=kind,
        description=description,
        content_type=detected.content_type,
        size=size,
        sha256=_sha256(file),
        uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
    )
    # The file goes to storage first; if the row then cannot be written, it is removed again.
    copy.file.save(f"documento{detected.extension}", File(file), save=False)
    try:
        with transaction.atomic():
            copy.save()
            audit_record(
                action="document_copy_upload",
                actor=uploaded_by,
                target=copy,
                channel="backoffice",
                detail={"person_id": person.pk, "kind": kind, "sha256": copy.sha256},
            )
    except BaseException:
        copy.file.delete(save=False)
        raise
    return copy


@transaction.atomic
def document_copy_update(*, copy: DocumentCopy, kind: str, description: str) -> DocumentCopy:
    """Correct what a copy is said to be; the file itself never changes (upload a new one)."""
    copy.kind = _kind_check(kind)
    copy.description = _description_clean(description)
    copy.save(update_fields=["kind", "description"])
    return copy


@transaction.atomic
def document_copy_delete(*, copy: DocumentCopy, by: Any = None) -> None:
    """Remove a copy; its file goes once the removal is committed."""
    storage, name = copy.file.storage, copy.file.name
    audit_record(
        action="document_copy_delete",
        actor=by,
        target=copy,
        channel="backoffice",
        detail={"person_id": copy.person_id, "kind": copy.kind, "sha256": copy.sha256},
    )
    copy.delete()
    transaction.on_commit(lambda: storage.delete(name))


def document_copy_hand_out(
    *, copy: DocumentCopy, request: HttpRequest, channel: str = "web"
) -> IO[bytes]:
    """Open a copy for whoever `request` is from, who may have it (the caller checked), and
    record the download in the audit log: every download, one's own copies included."""
    user = request.user
    own = getattr(user, "person_id", None) == copy.person_id
    audit_record(
        action="document_copy_download",
        request=request,
        target=copy,
        channel=channel,
        detail={"person_id": copy.person_id, "kind": copy.kind, "own": own},
    )
    opened = copy.file.open("rb")
    if copy.content_type != "application/pdf":
        return opened
    # Copies kept before active content was removed on upload are cleaned on the way out.
    with opened:
        data = opened.read()
    cleaned = pdf_without_active_content(data)
    return io.BytesIO(data if cleaned is None else cleaned)
