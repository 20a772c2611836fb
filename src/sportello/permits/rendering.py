"""The permit as printed: zone, plate, validity and the QR code the wardens scan."""

from __future__ import annotations

from sportello.core.pdf import coat_of_arms_data_uri, pdf_render, qr_data_uri
from sportello.core.selectors import municipality_get


def permit_pdf(permit) -> bytes:
    from sportello.permits.views import check_url

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
