"""The certificates' PDFs: certificates (sealed afterwards by seal.py) and self-declarations,
drawn by core.pdf from our own files only."""

from __future__ import annotations

import datetime

from django.utils import timezone

from sportello.certificates.kinds import CertificateType
from sportello.certificates.models import Certificate
from sportello.certificates.selectors import Facts
from sportello.core.pdf import coat_of_arms_data_uri, pdf_render, qr_data_uri
from sportello.core.selectors import municipality_get


def certificate_pdf(
    *, certificate: Certificate, certificate_type: CertificateType, facts: Facts, verify_url: str
) -> bytes:
    """The certificate as printed, before the seal."""
    municipality = municipality_get()
    return pdf_render(
        "certificates/pdf/certificate.html",
        {
            "municipality": municipality,
            "coat_of_arms": coat_of_arms_data_uri(municipality),
            "certificate": certificate,
            "certificate_type": certificate_type,
            "facts": facts,
            "issued_on": timezone.localdate(certificate.issued_at),
            "verify_url": verify_url,
            "qr": qr_data_uri(verify_url),
        },
    )


def self_declaration_pdf(
    *, certificate_type: CertificateType, facts: Facts, today: datetime.date | None = None
) -> bytes:
    """A self-declaration (DPR 445/2000 art. 46) filled in with the registry's facts, for the
    citizen to check, sign and hand in. Not sealed: it is the citizen's statement, not ours."""
    return pdf_render(
        "certificates/pdf/self_declaration.html",
        {
            "municipality": municipality_get(),
            "certificate_type": certificate_type,
            "facts": facts,
            "today": today or timezone.localdate(),
        },
    )
