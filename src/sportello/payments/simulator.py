"""The simulator's side of a payment: what pagoPA does when the citizen pays in its checkout.
A receipt per notice is built as pagoPA would send it and handed over later by a Celery task
(SPORTELLO_PAGOPA_SIMULATOR_RECEIPT_DELAY), and once more after that when
SPORTELLO_PAGOPA_SIMULATOR_DUPLICATE is on, as the platform may repeat a delivery."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.utils import timezone

from sportello.payments.models import Cart
from sportello.payments.receipt_xml import ReceiptTransfer, receipt_build

PSP_ID = "SIMULATORE"
PSP_NAME = "Banca di prova del simulatore pagoPA"


def simulator_pay(*, cart: Cart, method: str = "CP") -> list[str]:
    """Pay the cart's notices; returns the receipts' ids. The receipts arrive later."""
    from sportello.payments.services import creditor_get
    from sportello.payments.tasks import simulator_receipt_deliver

    creditor = creditor_get()
    now = timezone.now()
    delay = settings.SPORTELLO_PAGOPA_SIMULATOR_RECEIPT_DELAY
    receipt_ids = []
    for option in cart.options.select_related("position").prefetch_related("transfers"):
        position = option.position
        receipt_id = uuid.uuid4().hex
        document = receipt_build(
            receipt_id=receipt_id,
            notice_number=option.notice_number,
            organization_fiscal_code=creditor.fiscal_code,
            company_name=position.company_name,
            iuv=option.iuv,
            amount=option.amount,
            description=option.description,
            debtor_type=position.debtor_type,
            debtor_fiscal_code=position.debtor_fiscal_code,
            debtor_name=position.debtor_name,
            transfers=[
                ReceiptTransfer(
                    id_transfer=transfer.id_transfer,
                    amount=transfer.amount,
                    fiscal_code=transfer.organization_fiscal_code,
                    iban=transfer.iban,
                    remittance=transfer.remittance_information,
                    category=transfer.category,
                )
                for transfer in option.transfers.all()
            ],
            psp_id=PSP_ID,
            psp_company_name=PSP_NAME,
            payment_method=method,
            fee=100,
            paid_at=now,
        ).decode("utf-8")
        simulator_receipt_deliver.apply_async(args=[document], countdown=delay)
        if settings.SPORTELLO_PAGOPA_SIMULATOR_DUPLICATE:
            simulator_receipt_deliver.apply_async(args=[document], countdown=delay + 3)
        receipt_ids.append(receipt_id)
    return receipt_ids
