"""The payment notice (avviso di pagamento pagoPA) and the receipt (quietanza) as PDFs.

Each payable option gets its own box with the QR code pagoPA's apps read: the payload
PAGOPA|002|<codice avviso>|<fiscal code of the comune>|<amount in cents>.
"""

from __future__ import annotations

from sportello.core.pdf import coat_of_arms_data_uri, pdf_render, qr_data_uri
from sportello.core.selectors import municipality_get
from sportello.payments.models import PaymentOption, PaymentPosition, Receipt
from sportello.payments.selectors import option_payable, position_remaining


def qr_payload(*, option: PaymentOption, creditor_fiscal_code: str) -> str:
    return f"PAGOPA|002|{option.notice_number}|{creditor_fiscal_code}|{option.amount}"


def notice_pdf(*, position: PaymentPosition, creditor_fiscal_code: str) -> bytes:
    """The notice for what is still to pay: the single payment and the instalments (each with
    its own code), or the instalments left once one is paid."""
    options = list(position.options.all())
    payable = [option for option in options if option_payable(option, options)]
    single = [option for option in payable if not option.is_partial_payment]
    instalments = [option for option in payable if option.is_partial_payment]
    municipality = municipality_get()
    boxes = [
        {
            "option": option,
            "qr": qr_data_uri(qr_payload(option=option, creditor_fiscal_code=creditor_fiscal_code)),
        }
        for option in (*single, *instalments)
    ]
    return pdf_render(
        "payments/pdf/notice.html",
        {
            "municipality": municipality,
            "coat_of_arms": coat_of_arms_data_uri(municipality),
            "position": position,
            "creditor_fiscal_code": creditor_fiscal_code,
            "single": single,
            "instalments": instalments,
            "boxes": boxes,
            "remaining": position_remaining(position),
        },
    )


def receipt_pdf(*, receipt: Receipt) -> bytes:
    """The quietanza of a paid option, from the receipt pagoPA sent."""
    municipality = municipality_get()
    return pdf_render(
        "payments/pdf/receipt.html",
        {
            "municipality": municipality,
            "coat_of_arms": coat_of_arms_data_uri(municipality),
            "receipt": receipt,
            "option": receipt.option,
            "position": receipt.option.position,
        },
    )
