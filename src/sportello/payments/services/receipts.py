"""Reconciliation: receipts mark options paid exactly once. A receipt received again changes
nothing; one for an unknown, already-paid, annulled or differently-priced notice is kept as an
anomaly for the operators; an unreadable document is kept too. Services hear of payments after
the commit (tasks.payments_notify)."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from sportello.core.queueing import enqueue_after_commit, task_named
from sportello.core.selectors import municipality_get
from sportello.payments.bulk import options_mark_paid, rows_insert, rows_where_in
from sportello.payments.models import (
    Anomaly,
    OptionStatus,
    PositionStatus,
    Receipt,
)
from sportello.payments.receipt_xml import ReceiptData, ReceiptUnreadable, receipt_parse

logger = logging.getLogger(__name__)

BATCH = 5000


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


def creditor_code_configured() -> str:
    municipality = municipality_get()
    return municipality.tax_code.strip() if municipality else ""


@dataclass
class OptionState:
    """What reconciliation needs of an option and its position (read under the row lock)."""

    pk: int
    position_id: int
    amount: int
    paid: bool
    position_status: str


def receipt_anomaly(data: ReceiptData, option: OptionState | None, creditor: str) -> str:
    """Why `data` cannot pay `option` (Anomaly.NONE when it can); `creditor` is the comune's
    fiscal code (empty: not checked)."""
    if data.outcome != "OK":
        return Anomaly.OUTCOME_KO
    if option is None or (creditor and data.organization_fiscal_code != creditor):
        return Anomaly.UNKNOWN_NOTICE
    if option.paid or option.position_status == PositionStatus.PAID:
        return Anomaly.ALREADY_PAID
    if option.position_status in (PositionStatus.INVALID, PositionStatus.EXPIRED):
        return Anomaly.NOT_PAYABLE
    if data.amount != option.amount:
        return Anomaly.AMOUNT_MISMATCH
    return Anomaly.NONE


_LOCK_AND_READ = """
    SELECT o.id, o.notice_number, o.position_id, o.amount, o.status, p.status
    FROM payments_paymentoption o JOIN payments_paymentposition p ON p.id = o.position_id
    WHERE o.notice_number {{values}}
    ORDER BY p.id
    {lock}
"""

RECEIPT_FIELDS = (
    "receipt_id",
    "source",
    "option",
    "pays_option",
    "notice_number",
    "iuv",
    "organization_fiscal_code",
    "outcome",
    "amount",
    "fee",
    "debtor_fiscal_code",
    "payer_fiscal_code",
    "payer_name",
    "psp_id",
    "psp_company_name",
    "payment_method",
    "paid_at",
    "received_at",
    "anomaly",
    "resolved_at",
    "resolved_by",
    "resolution_note",
    "recorded_by",
    "document",
)


def _options_locked(notices: list[str]) -> dict[str, OptionState]:
    """The options with these codes, their positions' rows locked in id order: a concurrent
    batch, or an operator annulling, waits its turn."""
    lock = "FOR UPDATE OF p" if connection.vendor == "postgresql" else ""
    return {
        notice: OptionState(pk, position_id, amount, status == OptionStatus.PAID, position_status)
        for pk, notice, position_id, amount, status, position_status in rows_where_in(
            _LOCK_AND_READ.format(lock=lock), notices
        )
    }


_SETTLE_PG = """
    UPDATE payments_paymentposition AS p
    SET status = s.status, paid_at = CASE WHEN s.status = 'PAID' THEN %s END
    FROM (
        SELECT position_id, CASE
            WHEN bool_or(status = 'PO_PAID' AND NOT is_partial_payment) THEN 'PAID'
            WHEN bool_and(status = 'PO_PAID') FILTER (WHERE is_partial_payment) THEN 'PAID'
            WHEN bool_or(status = 'PO_PAID') THEN 'PARTIALLY_PAID'
        END AS status
        FROM payments_paymentoption WHERE position_id {values} GROUP BY position_id
    ) AS s
    WHERE p.id = s.position_id AND s.status IS NOT NULL
"""


def _positions_settle(touched: set[int], now) -> None:
    """Each touched position's status from its options: paid, or paid in part (the same rule
    as _status_after, in one statement on PostgreSQL)."""
    if connection.vendor == "postgresql":
        rows_where_in(_SETTLE_PG, sorted(touched), params=[now], fetch=False)
        return
    states: dict[int, list[tuple[bool, bool]]] = {}
    for position_id, partial, status in rows_where_in(
        "SELECT position_id, is_partial_payment, status FROM payments_paymentoption "
        "WHERE position_id {values}",
        sorted(touched),
    ):
        states.setdefault(position_id, []).append((bool(partial), status == OptionStatus.PAID))
    by_status: dict[str, list[int]] = {}
    for position_id, options_state in states.items():
        status = _status_after(options_state)
        if status:
            by_status.setdefault(status, []).append(position_id)
    for status, ids in by_status.items():
        paid_at = now if status == PositionStatus.PAID else None
        if connection.vendor != "postgresql":
            paid_at = connection.ops.adapt_datetimefield_value(paid_at)
        rows_where_in(
            "UPDATE payments_paymentposition SET status = %s, paid_at = %s WHERE id {values}",
            ids,
            params=[status, paid_at],
            fetch=False,
        )


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
    known = {
        row[0]
        for row in rows_where_in(
            "SELECT receipt_id FROM payments_receipt WHERE receipt_id {values}", list(unique)
        )
    }
    report.repeated += len(known)
    fresh = [data for receipt_id, data in unique.items() if receipt_id not in known]
    if not fresh:
        return report, []
    options = _options_locked(sorted({data.notice_number for data in fresh}))
    now = timezone.now()
    creditor = creditor_code_configured()
    recorder = recorded_by.pk if getattr(recorded_by, "pk", None) else None
    rows, paid = [], []
    for data in fresh:
        option = options.get(data.notice_number)
        anomaly = receipt_anomaly(data, option, creditor)
        pays = anomaly == Anomaly.NONE
        if pays:
            option.paid = True
            paid.append((option.pk, data.paid_at or now, option.position_id))
            report.paid += 1
        else:
            report.anomalies[anomaly] = report.anomalies.get(anomaly, 0) + 1
            logger.warning(
                "Receipt %s for notice %s kept as an anomaly: %s",
                data.receipt_id,
                data.notice_number,
                anomaly,
            )
        rows.append(
            (
                data.receipt_id,
                source,
                option.pk if option else None,
                pays,
                data.notice_number,
                data.iuv,
                data.organization_fiscal_code,
                data.outcome,
                data.amount,
                data.fee,
                data.debtor_fiscal_code,
                data.payer_fiscal_code,
                data.payer_name,
                data.psp_id,
                data.psp_company_name,
                data.payment_method,
                data.paid_at,
                now,
                anomaly,
                None,
                None,
                "",
                recorder,
                data.document,
            )
        )
    rows_insert(Receipt, RECEIPT_FIELDS, rows)
    if paid:
        options_mark_paid([(pk, moment) for pk, moment, _position in paid])
        _positions_settle({position for _pk, _moment, position in paid}, now)
    return report, [pk for pk, _moment, _position in paid]


def receipts_ingest(
    *, receipts: Sequence[ReceiptData], source: str, recorded_by=None
) -> IngestReport:
    """Record receipts, in batches of a thousand, each batch one transaction."""
    notify_task = task_named("sportello.payments.tasks.payments_notify")
    report = IngestReport()
    for start in range(0, len(receipts), BATCH):
        batch = receipts[start : start + BATCH]
        for attempt in range(3):
            try:
                with transaction.atomic():
                    part, paid = _ingest_batch(batch, source=source, recorded_by=recorded_by)
                    if paid:
                        enqueue_after_commit(notify_task, paid)
                break
            except IntegrityError:
                # The same receipt arrived through another worker meanwhile: read again.
                if attempt == 2:
                    raise
        report.add(part)
    return report


def _parse(documents: Sequence[bytes | str]) -> tuple[list[ReceiptData], list[tuple]]:
    """Read the documents (no database here: it may run in another thread)."""
    parsed, unreadable = [], []
    for document in documents:
        try:
            parsed.append(receipt_parse(document))
        except ReceiptUnreadable as error:
            unreadable.append((document, error))
    return parsed, unreadable


def _keep_unreadable(unreadable: list[tuple], *, source: str, report: IngestReport) -> None:
    for document, error in unreadable:
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
            report.anomalies[Anomaly.UNREADABLE] = report.anomalies.get(Anomaly.UNREADABLE, 0) + 1
        else:
            report.repeated += 1


def receipts_receive(*, documents: Sequence[bytes | str], source: str) -> IngestReport:
    """Receipts as pagoPA's XML documents, in batches; the unreadable ones are kept as
    anomalies too. The next batch is read in a second thread while the database records the
    current one (the reading is Python, the recording waits on PostgreSQL: on two cores they
    overlap)."""
    report = IngestReport()
    batches = [documents[start : start + BATCH] for start in range(0, len(documents), BATCH)]
    if not batches:
        return report
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="receipts-reader") as reader:
        coming = reader.submit(_parse, batches[0])
        for index in range(len(batches)):
            parsed, unreadable = coming.result()
            if index + 1 < len(batches):
                coming = reader.submit(_parse, batches[index + 1])
            _keep_unreadable(unreadable, source=source, report=report)
            report.add(receipts_ingest(receipts=parsed, source=source))
    return report
