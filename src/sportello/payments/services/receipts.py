"""Reconciliation: receipts mark options paid exactly once. A receipt received again changes
nothing; one for an unknown, already-paid, annulled or differently-priced notice is kept as an
anomaly for the operators; an unreadable document is kept too. Services hear of payments after
the commit (tasks.payments_notify)."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.core.queueing import enqueue_after_commit
from sportello.core.selectors import municipality_get
from sportello.core.services import audit_record
from sportello.payments.models import (
    Anomaly,
    OptionStatus,
    PaymentOption,
    PaymentPosition,
    PositionStatus,
    Receipt,
    ReceiptSource,
)
from sportello.payments.providers import provider_get
from sportello.payments.providers.base import ProviderError
from sportello.payments.receipt_xml import ReceiptData, ReceiptUnreadable, receipt_parse
from sportello.payments.services.common import creditor_get

logger = logging.getLogger(__name__)

BATCH = 1000


@dataclass
class IngestReport:
    paid: int = 0
    repeated: int = 0  # already received: nothing changed
    anomalies: dict[str, int] = field(default_factory=dict)

    def add(self, other: IngestReport) -> None:
        self.paid += other.paid
        self.repeated += other.repeated
        for kind, count in other.anomalies.items():
            self.anomalies[kind] = self.anomalies.get(kind, 0) + count


def _status_after(options: list[tuple[bool, bool]]) -> str | None:
    """A position's status from its options' (is instalment, is paid); None if unpaid."""
    if any(paid and not partial for partial, paid in options):
        return PositionStatus.PAID
    instalments = [paid for partial, paid in options if partial]
    if instalments and all(instalments):
        return PositionStatus.PAID
    if any(paid for _partial, paid in options):
        return PositionStatus.PARTIALLY_PAID
    return None


def _creditor_code() -> str:
    municipality = municipality_get()
    return municipality.tax_code.strip() if municipality else ""


def _anomaly(
    data: ReceiptData, option: PaymentOption | None, paid_now: set[int], creditor_code: str
) -> str:
    if data.outcome != "OK":
        return Anomaly.OUTCOME_KO
    if option is None or (creditor_code and data.organization_fiscal_code != creditor_code):
        return Anomaly.UNKNOWN_NOTICE
    position = option.position
    if (
        option.status == OptionStatus.PAID
        or option.pk in paid_now
        or position.status == PositionStatus.PAID
    ):
        return Anomaly.ALREADY_PAID
    if position.status in (PositionStatus.INVALID, PositionStatus.EXPIRED):
        return Anomaly.NOT_PAYABLE
    if data.amount != option.amount:
        return Anomaly.AMOUNT_MISMATCH
    return Anomaly.NONE


def _ingest_batch(
    batch: Sequence[ReceiptData], *, source: str, recorded_by
) -> tuple[IngestReport, list[int]]:
    report = IngestReport()
    unique: dict[str, ReceiptData] = {}
    for data in batch:
        if data.receipt_id in unique:
            report.repeated += 1
        else:
            unique[data.receipt_id] = data
    known = set(
        Receipt.objects.filter(receipt_id__in=list(unique)).values_list("receipt_id", flat=True)
    )
    report.repeated += len(known)
    fresh = [data for receipt_id, data in unique.items() if receipt_id not in known]
    if not fresh:
        return report, []
    notices = {data.notice_number for data in fresh}
    position_ids = list(
        PaymentOption.objects.filter(notice_number__in=notices).values_list(
            "position_id", flat=True
        )
    )
    # Rows locked in id order: a concurrent batch, or an operator annulling, waits its turn.
    positions = {
        position.pk: position
        for position in PaymentPosition.objects.select_for_update()
        .filter(pk__in=position_ids)
        .order_by("pk")
    }
    options = {}
    for option in PaymentOption.objects.filter(notice_number__in=notices).order_by("pk"):
        option.position = positions[option.position_id]
        options[option.notice_number] = option
    now = timezone.now()
    creditor_code = _creditor_code()
    receipts, paid_options = [], []
    paid_now: set[int] = set()
    for data in fresh:
        option = options.get(data.notice_number)
        anomaly = _anomaly(data, option, paid_now, creditor_code)
        pays = anomaly == Anomaly.NONE
        if pays:
            option.status = OptionStatus.PAID
            option.paid_at = data.paid_at or now
            paid_now.add(option.pk)
            paid_options.append(option)
            report.paid += 1
        else:
            report.anomalies[anomaly] = report.anomalies.get(anomaly, 0) + 1
            logger.warning(
                "Receipt %s for notice %s kept as an anomaly: %s",
                data.receipt_id,
                data.notice_number,
                anomaly,
            )
        receipts.append(
            Receipt(
                receipt_id=data.receipt_id,
                source=source,
                option=option,
                pays_option=pays,
                notice_number=data.notice_number,
                iuv=data.iuv,
                organization_fiscal_code=data.organization_fiscal_code,
                outcome=data.outcome,
                amount=data.amount,
                fee=data.fee,
                debtor_fiscal_code=data.debtor_fiscal_code,
                payer_fiscal_code=data.payer_fiscal_code,
                payer_name=data.payer_name,
                psp_id=data.psp_id,
                psp_company_name=data.psp_company_name,
                payment_method=data.payment_method,
                paid_at=data.paid_at,
                anomaly=anomaly,
                recorded_by=recorded_by if getattr(recorded_by, "pk", None) else None,
                document=data.document,
            )
        )
    Receipt.objects.bulk_create(receipts, batch_size=BATCH)
    if paid_options:
        PaymentOption.objects.bulk_update(paid_options, ["status", "paid_at"], batch_size=BATCH)
        touched = {option.position_id for option in paid_options}
        states: dict[int, list[tuple[bool, bool]]] = {}
        for position_id, partial, status in PaymentOption.objects.filter(
            position_id__in=touched
        ).values_list("position_id", "is_partial_payment", "status"):
            states.setdefault(position_id, []).append((partial, status == OptionStatus.PAID))
        by_status: dict[str, list[int]] = {}
        for position_id, options_state in states.items():
            status = _status_after(options_state)
            if status:
                by_status.setdefault(status, []).append(position_id)
        for status, ids in by_status.items():
            PaymentPosition.objects.filter(pk__in=ids).update(
                status=status, paid_at=now if status == PositionStatus.PAID else None
            )
    return report, [option.pk for option in paid_options]


def receipts_ingest(
    *, receipts: Sequence[ReceiptData], source: str, recorded_by=None
) -> IngestReport:
    """Record receipts, in batches of a thousand, each batch one transaction."""
    from sportello.payments.tasks import payments_notify

    report = IngestReport()
    for start in range(0, len(receipts), BATCH):
        batch = receipts[start : start + BATCH]
        for attempt in range(3):
            try:
                with transaction.atomic():
                    part, paid = _ingest_batch(batch, source=source, recorded_by=recorded_by)
                    if paid:
                        enqueue_after_commit(payments_notify, paid)
                break
            except IntegrityError:
                # The same receipt arrived through another worker meanwhile: read again.
                if attempt == 2:
                    raise
        report.add(part)
    return report


def receipts_receive(*, documents: Sequence[bytes | str], source: str) -> IngestReport:
    """Receipts as pagoPA's XML documents. The unreadable ones are kept as anomalies too."""
    parsed: list[ReceiptData] = []
    report = IngestReport()
    for document in documents:
        try:
            parsed.append(receipt_parse(document))
        except ReceiptUnreadable as error:
            raw = document.encode("utf-8") if isinstance(document, str) else document
            receipt_id = "illeggibile-" + hashlib.sha256(raw).hexdigest()[:40]
            logger.warning("Unreadable receipt kept as %s: %s", receipt_id, error)
            _, created = Receipt.objects.get_or_create(
                receipt_id=receipt_id,
                defaults={
                    "source": source,
                    "anomaly": Anomaly.UNREADABLE,
                    "resolution_note": str(error)[:300],
                    "document": raw.decode("utf-8", errors="replace")[:200_000],
                },
            )
            if created:
                report.anomalies[Anomaly.UNREADABLE] = (
                    report.anomalies.get(Anomaly.UNREADABLE, 0) + 1
                )
            else:
                report.repeated += 1
    report.add(receipts_ingest(receipts=parsed, source=source))
    return report


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
        organization_fiscal_code=_creditor_code(),
        outcome="OK",
        iuv=option.iuv,
        amount=option.amount,
        description=option.description,
        debtor_fiscal_code=position.debtor_fiscal_code,
        payment_method=reference[:35],
        paid_at=timezone.make_aware(datetime.combine(paid_on, time(12, 0))),
    )
    if _anomaly(data, option, set(), data.organization_fiscal_code) != Anomaly.NONE:
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
