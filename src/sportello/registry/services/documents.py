"""Identity documents recorded in the anagrafe: checked, recorded, deleted."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.registry.models import (
    IdentityDocument,
    IdentityDocumentKind,
    Person,
)
from sportello.registry.services.validation import clean_text


def _document_number_normalize(value: str) -> str:
    return "".join((value or "").split()).upper()


def identity_document_validate(
    *,
    person: Person,
    kind: str,
    number: str,
    issued_on: datetime.date | None,
    expires_on: datetime.date | None,
    issued_by: str,
) -> dict[str, Any]:
    """Check an identity document of `person`; return its fields, normalized. No writes."""
    if kind not in IdentityDocumentKind.values:
        raise ApplicationError(
            _("tipo di documento sconosciuto: «%(value)s»") % {"value": kind},
            extra={"field": "kind"},
        )
    number = _document_number_normalize(number)
    if not (5 <= len(number) <= 30 and number.isalnum()):
        raise ApplicationError(
            _("numero del documento non valido: da 5 a 30 lettere e cifre, senza simboli"),
            extra={"field": "number"},
        )
    if issued_on is None or expires_on is None:
        raise ApplicationError(
            _("indicare le date di rilascio e di scadenza del documento"),
            extra={"field": "issued_on" if issued_on is None else "expires_on"},
        )
    if not person.birth_date <= issued_on <= timezone.localdate():
        raise ApplicationError(
            _("la data di rilascio deve essere tra la nascita della persona e oggi"),
            extra={"field": "issued_on"},
        )
    if expires_on <= issued_on:
        raise ApplicationError(
            _("la data di scadenza deve essere successiva a quella di rilascio"),
            extra={"field": "expires_on"},
        )
    issued_by = clean_text(issued_by)
    if not issued_by:
        raise ApplicationError(
            _("indicare chi ha rilasciato il documento"), extra={"field": "issued_by"}
        )
    return {
        "kind": kind,
        "number": number,
        "issued_on": issued_on,
        "expires_on": expires_on,
        "issued_by": issued_by,
    }


@transaction.atomic
def identity_document_record(
    *,
    person: Person,
    kind: str,
    number: str,
    issued_on: datetime.date | None,
    expires_on: datetime.date | None,
    issued_by: str,
    document: IdentityDocument | None = None,
) -> IdentityDocument:
    """Record a person's identity document, or correct `document` (one of theirs)."""
    fields = identity_document_validate(
        person=person,
        kind=kind,
        number=number,
        issued_on=issued_on,
        expires_on=expires_on,
        issued_by=issued_by,
    )
    if document is not None and document.person_id != person.pk:
        raise ValueError("the document belongs to someone else")
    document = document or IdentityDocument(person=person)
    for name, value in fields.items():
        setattr(document, name, value)
    document.save()
    return document


@transaction.atomic
def identity_document_delete(*, document: IdentityDocument) -> None:
    document.delete()
