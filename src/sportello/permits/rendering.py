"""The permit as printed: zone, plate, validity and the QR code the wardens scan."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode

from sportello.core.pdf import coat_of_arms_data_uri, pdf_render, qr_data_uri
from sportello.core.selectors import municipality_get


def check_url(permit) -> str:
    """The public check's address for the permit's QR code."""
    base = settings.SPORTELLO_PUBLIC_URL.rstrip("/")
    return (
        base
        + reverse("permits:check")
        + "?"
        + urlencode({"targa": permit.plate, "codice": permit.display_code})
    )


def permit_pdf(permit) -> bytes:
    municipality = municipality_get()
    url = check_url(permit)
    return pdf_render(
        "permits/pdf/permit.html",
        {
            "municipality": municipality,
            "coat_of_arms": coat_of_arms_data_uri(municipality),
            "permit": permit,
            "check_url": url,
            "qr": qr_data_uri(url),
        },
    )
