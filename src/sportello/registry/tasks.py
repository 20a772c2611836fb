"""Background work for the anagrafe: telling citizens how their error reports are going."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from sportello.core.selectors import municipality_get
from sportello.registry.models import CorrectionRequest

logger = logging.getLogger(__name__)
EMAIL_RETRY = {"autoretry_for": (OSError,), "retry_backoff": 30, "max_retries": 8}


def _citizen_email(correction: CorrectionRequest) -> str:
    """The address of who sent the report, else of the person's own account; may be empty."""
    if correction.author is not None and correction.author.email:
        return correction.author.email
    account = getattr(correction.person, "account", None)
    return account.email if account is not None else ""


@shared_task(**EMAIL_RETRY)
def email_correction_request_status(correction_id: int) -> None:
    """Tell the citizen that the registry office changed the status of their error report."""
    correction = (
        CorrectionRequest.objects.select_related("author", "person__account")
        .filter(pk=correction_id)
        .first()
    )
    if correction is None:
        return
    address = _citizen_email(correction)
    if not address:
        logger.info("Correction request %s: the citizen has no e-mail address", correction_id)
        return
    context = {"correction": correction, "municipality": municipality_get()}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("registry/email/correction_status_subject.txt", context)
        body = render_to_string("registry/email/correction_status.txt", context)
    send_mail(" ".join(subject.split()), body, None, [address])
