"""What operators do with payments outside the platform's own flow: a payment made at the
counter or by bank transfer, and an anomaly closed with a note. Both are audited."""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.core.services import audit_record
from sportello.payments.models import (
    Anomaly,
    OptionStatus,
    PaymentOption,
    PositionStatus,
    Receipt,
    ReceiptSource,
)
from sportello.payments.providers import provider_get
from sportello.payments.providers.base import ProviderError
from sportello.payments.receipt_xml import ReceiptData
from sportello.payments.services.common import creditor_get
from sportello.payments.services.receipts import (
    OptionState,
    creditor_code_configured,
    receipt_anomaly,
    receipts_ingest,
)

logger = logging.getLogger(__name__)


def payment_record_offline(
    *, option: PaymentOption, operator, paid_on: date, reference: str, request=None
) -> Receipt:
    """An operator records a payment made outside pagoPA (at the counter, by bank transfer)."""
    reference = " ".join((reference or "").split())
    if not reference:
        raise ApplicationError(
            _("Scrivi dove e come è stato pagato (per esempio il numero della quietanza)."),
            extra={"field": "reference"},
        )
    if paid_on > timezone.localdate():
        raise ApplicationError(_("La data del pagamento è nel futuro."), extra={"field": "paid_on"})
    position = option.position
    data = ReceiptData(
        receipt_id=f"manuale-{uuid.uuid4()}",
        notice_number=option.notice_number,
        organization_fiscal_code=creditor_code_configured(),
        outcome="OK",
        iuv=option.iuv,
        amount=option.amount,
        description=option.description,
        debtor_fiscal_code=position.debtor_fiscal_code,
        payment_method=reference[:35],
        paid_at=timezone.make_aware(datetime.combine(paid_on, time(12, 0))),
    )
    state = OptionState(
        option.pk, position.pk, option.amount, option.status == OptionStatus.PAID, position.status
    )
    if receipt_anomaly(data, state, data.organization_fiscal_code) != Anomaly.NONE:
        raise ApplicationError(
            _("Questo avviso non si può più pagare: è già pagato, annullato o scaduto.")
        )
    receipts_ingest(receipts=[data], source=ReceiptSource.OFFLINE, recorded_by=operator)
    receipt = Receipt.objects.get(receipt_id=data.receipt_id)
    if not receipt.pays_option:
        raise ApplicationError(_("Nel frattempo l'avviso è stato pagato: controlla le ricevute."))
    receipt.resolution_note = reference[:300]
    receipt.save(update_fields=["resolution_note"])
    position.refresh_from_db()
    if position.status == PositionStatus.PAID and position.published_at is not None:
        # Nothing is left to pay: pagoPA must not take the same debt a second time.
        try:
            provider_get().position_invalidate(position, creditor=creditor_get())
        except (ProviderError, ApplicationError) as error:
            logger.warning(
                "Position %s paid offline but still payable on pagoPA: %s",
                position.iupd,
                getattr(error, "message", error),
            )
    audit_record(
        action="payment_recorded_offline",
        actor=operator,
        target=position,
        request=request,
        detail={"notice_number": option.notice_number, "reference": reference[:300]},
    )
    return receipt


def receipt_anomaly_resolve(*, receipt: Receipt, operator, note: str, request=None) -> Receipt:
    """An operator closes an anomaly (a refund made, a duplicate explained), with a note."""
    note = " ".join((note or "").split())
    if not note:
        raise ApplicationError(_("Scrivi che cosa è stato fatto."), extra={"field": "note"})
    with transaction.atomic():
        locked = Receipt.objects.select_for_update().get(pk=receipt.pk)
        if locked.anomaly == Anomaly.NONE or locked.resolved_at is not None:
            raise ApplicationError(_("Questa ricevuta non ha anomalie da risolvere."))
        locked.resolved_at = timezone.now()
        locked.resolved_by = operator
        locked.resolution_note = note[:300]
        locked.save()
        audit_record(
            action="payment_anomaly_resolved",
            actor=operator,
            target=locked,
            request=request,
            detail={"note": note[:300]},
        )
    return locked
