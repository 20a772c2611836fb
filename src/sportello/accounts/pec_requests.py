"""Credential requests that arrive by PEC: each message of the mailbox filed once, as a request
or as an item a person must examine, with its attached files kept."""

from __future__ import annotations

import logging
import secrets

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.accounts.models import (
    CredentialRequest,
    CredentialRequestFile,
    RequestChannel,
    RequestKind,
)
from sportello.accounts.pec.content import ATTACHMENT_LIMIT
from sportello.accounts.pec.parse import PecKind, pec_parse
from sportello.core.services import audit_record
from sportello.registry.selectors import person_get_by_codice_fiscale

logger = logging.getLogger(__name__)


def credential_request_from_pec(*, raw: bytes) -> CredentialRequest | None:
    """File one message of the PEC mailbox: a request, or an item a person must examine.

    PEC receipts (acceptance, delivery…) are not requests and are not queued. A message already
    filed (same message id) is not filed twice, so reading the mailbox again is harmless.
    """
    message = pec_parse(raw=raw)
    if message.kind == PecKind.RECEIPT:
        logger.info("PEC receipt %s ignored", message.message_id)
        return None
    existing = CredentialRequest.objects.filter(message_id=message.message_id[:250]).first()
    if existing is not None:
        return existing
    person = None
    reason = str(message.reason or "")
    if message.kind == PecKind.REQUEST:
        person = person_get_by_codice_fiscale(codice_fiscale=message.codice_fiscale)
        if person is None:
            reason = _("Codice fiscale non trovato nell'anagrafe del Comune.")
    try:
        with transaction.atomic():
            credential_request = CredentialRequest.objects.create(
                channel=RequestChannel.PEC,
                kind=RequestKind.REQUEST
                if message.kind == PecKind.REQUEST
                else RequestKind.UNRECOGNISED,
                received_at=message.received_at or timezone.now(),
                codice_fiscale=message.codice_fiscale,
                person=person,
                certified_sender=message.sender[:254],
                email=(message.reply_to or message.sender)[:254],
                subject=message.subject[:250],
                text=message.text,
                attachments=list(message.attachments),
                message_id=message.message_id[:250],
                reason=reason[:250],
            )
            _request_files_keep(credential_request=credential_request, files=message.files)
            audit_record(
                action="credential_request_received",
                target=credential_request,
                channel=RequestChannel.PEC,
                detail={"kind": credential_request.kind},
            )
    except IntegrityError:  # filed concurrently by another worker
        return CredentialRequest.objects.get(message_id=message.message_id[:250])
    return credential_request


def _request_files_keep(*, credential_request: CredentialRequest, files) -> None:
    """Keep the attached files in the private storage, under names of ours."""
    for attachment in files:
        if not attachment.data or len(attachment.data) > ATTACHMENT_LIMIT:
            continue
        filename = (attachment.filename or _("allegato")).replace("/", "_")[:200]
        kept = CredentialRequestFile(
            credential_request=credential_request,
            filename=filename,
            content_type=(attachment.content_type or "application/octet-stream")[:100],
            size=len(attachment.data),
        )
        kept.file.save(f"{secrets.token_hex(16)}.bin", ContentFile(attachment.data), save=False)
        kept.save()
