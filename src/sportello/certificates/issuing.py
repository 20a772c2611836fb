"""Drawing, sealing and storing a certificate: the steps every issue goes through, whether the
certificate is free, paid online with a digital stamp, or paid at the counter."""

from __future__ import annotations

import calendar
import datetime
import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sportello.certificates import rendering
from sportello.certificates.kinds import CertificateType
from sportello.certificates.models import Certificate, CertificateStatus
from sportello.certificates.seal import SealError, seal_pdf
from sportello.certificates.selectors import certificate_facts
from sportello.core.exceptions import ApplicationError
from sportello.core.queueing import enqueue_after_commit, task_named
from sportello.core.selectors import municipality_get

logger = logging.getLogger(__name__)

VALIDITY_MONTHS = 6
STORAGE = "certificates"


def months_later(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def verify_url(*, code: str) -> str:
    """The public address of the verification page for a code (printed and in the QR code)."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("certificates:verify_code", args=[code])
    return settings.SPORTELLO_PUBLIC_URL.rstrip("/") + path


@contextmanager
def issuing() -> Iterator[list[str]]:
    """A transaction for issuing; the files stored in it are deleted if it rolls back."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            yield stored
    except BaseException:
        for name in stored:
            storages[STORAGE].delete(name)
        raise


def file_store(*, name: str, data: bytes, stored: list[str]) -> str:
    saved = storages[STORAGE].save(name, ContentFile(data))
    stored.append(saved)
    return saved


def file_read(name: str) -> bytes:
    with storages[STORAGE].open(name, "rb") as file:
        return file.read()


def certificate_draw(*, certificate: Certificate, certificate_type: CertificateType) -> bytes:
    """The certificate as printed today, from the registry as it is now (not yet sealed): sets
    its issue date and validity."""
    now = timezone.now()
    certificate.issued_at = now
    certificate.valid_until = (
        None
        if certificate_type.permanent
        else months_later(timezone.localdate(now), VALIDITY_MONTHS)
    )
    facts = certificate_facts(person=certificate.subject, certificate_type=certificate_type)
    return rendering.certificate_pdf(
        certificate=certificate,
        certificate_type=certificate_type,
        facts=facts,
        verify_url=verify_url(code=certificate.display_code),
    )


def certificate_seal_and_store(
    *, certificate: Certificate, certificate_type: CertificateType, pdf: bytes, stored: list[str]
) -> None:
    """Seal the drawn PDF, store it with its SHA-256, and mark the certificate issued (the
    caller holds the row)."""
    municipality = municipality_get()
    try:
        sealed = seal_pdf(
            pdf,
            location=municipality.name if municipality else "",
            reason=str(certificate_type.title),
        )
    except SealError:
        logger.exception("Certificate %s not sealed", certificate.pk)
        raise ApplicationError(
            _(
                "In questo momento non riusciamo a rilasciare certificati: il sigillo elettronico "
                "del Comune non è disponibile. Nulla è stato addebitato; riprova più tardi."
            )
        ) from None
    issued = timezone.localdate(certificate.issued_at)
    certificate.pdf_name = file_store(
        name=f"{issued:%Y/%m}/{certificate.code}.pdf", data=sealed, stored=stored
    )
    certificate.sha256 = hashlib.sha256(sealed).hexdigest()
    certificate.status = CertificateStatus.ISSUED
    certificate.save()
    enqueue_after_commit(
        task_named("sportello.certificates.tasks.email_certificate_issued"),
        certificate.pk,
    )
