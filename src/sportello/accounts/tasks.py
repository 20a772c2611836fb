"""Background work for citizen identity: e-mails to citizens and offices, the PEC mailbox."""

from __future__ import annotations

import logging
import ssl
from urllib.parse import unquote, urlsplit

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from sportello.accounts.models import CredentialRequest, Revocation
from sportello.core.selectors import municipality_get

logger = logging.getLogger(__name__)
EMAIL_RETRY = {"autoretry_for": (OSError,), "retry_backoff": 30, "max_retries": 8}


def _send(*, template: str, context: dict, to: list[str]) -> None:
    context = {"municipality": municipality_get(), **context}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"accounts/email/{template}.txt", context)
    send_mail(subject, body, None, to)


@shared_task(**EMAIL_RETRY)
def email_revocation_notice(revocation_id: int) -> None:
    """Tell the office responsible for credentials (the data-protection officer) of a revocation."""
    revocation = (
        Revocation.objects.select_related("user", "recorded_by").filter(pk=revocation_id).first()
    )
    municipality = municipality_get()
    if revocation is None or municipality is None:
        return
    recipients = [a for a in (municipality.it_office_email, municipality.contact_email) if a][:1]
    if not recipients:
        logger.warning("Revocation %s: no IT office e-mail configured", revocation_id)
        return
    _send(template="revocation_notice", context={"revocation": revocation}, to=recipients)


@shared_task(**EMAIL_RETRY)
def email_credential_request_received(request_id: int) -> None:
    credential_request = CredentialRequest.objects.filter(pk=request_id).first()
    if credential_request is None or not credential_request.email:
        return
    _send(
        template="request_received",
        context={"credential_request": credential_request},
        to=[credential_request.email],
    )


@shared_task(**EMAIL_RETRY)
def email_credential_request_rejected(request_id: int) -> None:
    credential_request = CredentialRequest.objects.filter(pk=request_id).first()
    if credential_request is None:
        return
    address = credential_request.certified_sender or credential_request.email
    if not address:
        return
    _send(
        template="request_rejected",
        context={"credential_request": credential_request},
        to=[address],
    )


def pec_mailbox_settings():
    """MailboxSettings from SPORTELLO_PEC_IMAP_URL (imaps://user:password@host:993/INBOX)."""
    from sportello.accounts.mailbox import MailboxSettings

    url = settings.SPORTELLO_PEC_IMAP_URL
    if not url:
        return None
    parts = urlsplit(url)
    use_ssl = parts.scheme == "imaps"
    return MailboxSettings(
        host=parts.hostname or "",
        port=parts.port or (993 if use_ssl else 143),
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        use_ssl=use_ssl,
        ssl_context=ssl.create_default_context(cafile=settings.SPORTELLO_PEC_IMAP_CA_FILE)
        if use_ssl
        else None,
    )


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=3, soft_time_limit=240)
def pec_mailbox_poll() -> dict[str, int] | None:
    """Read new messages in the PEC mailbox and queue them for the counter operators."""
    from sportello.accounts.mailbox import mailbox_fetch_unseen
    from sportello.accounts.pec_requests import credential_request_from_pec

    mailbox = pec_mailbox_settings()
    if mailbox is None:
        return None

    def handle(raw: bytes) -> None:
        credential_request_from_pec(raw=raw)

    report = mailbox_fetch_unseen(settings=mailbox, handle=handle)
    return {"fetched": report.fetched, "handled": report.handled, "failed": report.failed}


@shared_task(autoretry_for=(OSError,), retry_backoff=300, max_retries=3, soft_time_limit=240)
def spid_metadata_refresh() -> dict[str, int]:
    """Fetch the identity providers' metadata (SPID, CIE ID) into the folder the SP reads."""
    from sportello.accounts.spid.federation import idp_metadata_refresh

    return idp_metadata_refresh()


@shared_task
def spid_records_purge() -> int:
    """Forget answered or abandoned AuthnRequests and assertions past their validity."""
    from sportello.accounts.spid.services import saml_records_purge

    return saml_records_purge()
