"""Background work for certificates: the e-mail that confirms a certificate was issued (the
second channel after the page, as the Modello Comuni asks)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from sportello.certificates.issuing import verify_url
from sportello.certificates.models import Certificate
from sportello.core.selectors import municipality_get

logger = logging.getLogger(__name__)
EMAIL_RETRY = {"autoretry_for": (OSError,), "retry_backoff": 30, "max_retries": 8}


@shared_task(**EMAIL_RETRY)
def email_certificate_issued(certificate_id: int) -> None:
    """Tell whoever asked that the certificate is ready to download (no attachment: the e-mail
    only says where to find it)."""
    certificate = (
        Certificate.objects.select_related("requested_by", "subject")
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None or not certificate.requested_by.email:
        return
    context = {
        "certificate": certificate,
        "municipality": municipality_get(),
        "home_url": settings.SPORTELLO_PUBLIC_URL.rstrip("/") + "/certificati/",
        "verify_url": verify_url(code=certificate.display_code),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("certificates/email/issued_subject.txt", context)
        body = render_to_string("certificates/email/issued.txt", context)
    send_mail(" ".join(subject.split()), body, None, [certificate.requested_by.email])
