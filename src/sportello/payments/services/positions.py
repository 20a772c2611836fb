"""Debt positions: created by the services (one function for one or a hundred thousand),
published on pagoPA by a task, annulled by operators, expired after their due date."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sportello.core.exceptions import ApplicationError
from sportello.core.queueing import enqueue_after_commit, task_named
from sportello.core.services import audit_record
from sportello.payments.bulk import ids_reserve, rows_insert, rows_where_in
from sportello.payments.codes import iuvs_draw
from sportello.payments.models import (
    OPEN_STATUSES,
    OptionStatus,
    PaymentOption,
    PaymentPosition,
    PositionStatus,
    Transfer,
)
from sportello.payments.providers import provider_get
from sportello.payments.providers.base import Creditor, ProviderError
from sportello.payments.services.common import creditor_get
from sportello.payments.services.rows import (
    OPTION_FIELDS,
    POSITION_FIELDS,
    TRANSFER_FIELDS,
    option_rows,
    position_values,
)
from sportello.payments.validation import (
    PositionSpec,
    position_errors,
)

logger = logging.getLogger(__name__)

CHUNK = 2000  # rows per INSERT, and positions per publishing task


def _iuvs_taken(candidates: Iterable[str]) -> set[str]:
    return {
        row[0]
        for row in rows_where_in(
            "SELECT iuv FROM payments_paymentoption WHERE iuv {values}", list(candidates)
        )
    }


def _errors_message(errors: dict[int, list[str]], total: int) -> str:
    if total == 1:
        return " ".join(errors[0])
    first = min(errors)
    return ngettext(
        "%(count)d posizione su %(total)d non è valida (la n. %(first)d: %(error)s); "
        "non ne è stata creata nessuna.",
        "%(count)d posizioni su %(total)d non sono valide (la prima, n. %(first)d: %(error)s); "
        "non ne è stata creata nessuna.",
        len(errors),
    ) % {"count": len(errors), "total": total, "first": first + 1, "error": errors[first][0]}


def _existing(specs: Sequence[PositionSpec]) -> dict[tuple[str, str], int]:
    """Open positions already made for the same (service, reference): asking again returns them."""
    found: dict[tuple[str, str], int] = {}
    by_service: dict[str, list[str]] = {}
    for spec in specs:
        by_service.setdefault(spec.service, []).append(spec.reference)
    for service, references in by_service.items():
        for start in range(0, len(references), CHUNK):
            rows = PaymentPosition.objects.filter(
                invalidated_at__isnull=True,
                service=service,
                service_reference__in=references[start : start + CHUNK],
            ).values_list("service", "service_reference", "pk")
            found.update({(service, reference): pk for service, reference, pk in rows})
    return found


def positions_create(
    *, specs: Sequence[PositionSpec], created_by=None, publish: bool = True
) -> list[int]:
    """Create the debt positions (all or none), each with its options' IUVs and codici avviso,
    and queue their publication on pagoPA; returns their ids, in the order of `specs`. A
    position already open for the same service and reference is not made again: its id is
    returned. ApplicationError says what is wrong with which position."""
    errors = {index: found for index, spec in enumerate(specs) if (found := position_errors(spec))}
    seen: set[tuple[str, str]] = set()
    for index, spec in enumerate(specs):
        key = (spec.service, spec.reference)
        if key in seen:
            errors.setdefault(index, []).append(_("Stesso riferimento di un'altra posizione."))
        seen.add(key)
    if errors:
        raise ApplicationError(_errors_message(errors, len(specs)), extra={"errors": errors})
    creditor = creditor_get()
    for attempt in range(3):
        try:
            return _create(specs, creditor=creditor, created_by=created_by, publish=publish)
        except IntegrityError:
            # Another process took one of the same IUVs or references a moment ago: again.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _create(
    specs: Sequence[PositionSpec], *, creditor: Creditor, created_by, publish: bool
) -> list[int]:
    existing = _existing(specs)
    new_specs = [spec for spec in specs if (spec.service, spec.reference) not in existing]
    count = sum((1 if spec.single else 0) + len(spec.instalments) for spec in new_specs)
    iuvs = iuvs_draw(
        count,
        segregation_code=settings.SPORTELLO_PAGOPA_SEGREGATION_CODE,
        taken=_iuvs_taken,
    )
    now = timezone.now()
    created_by_id = created_by.pk if getattr(created_by, "pk", None) else None
    with transaction.atomic():
        position_ids = ids_reserve(PaymentPosition, len(new_specs))
        option_ids = ids_reserve(PaymentOption, count)
        values = [
            position_values(spec, pk=pk, creditor=creditor, created_by_id=created_by_id, now=now)
            for spec, pk in zip(new_specs, position_ids, strict=True)
        ]
        for start in range(0, len(values), CHUNK):
            chunk = values[start : start + CHUNK]
            rows_insert(
                PaymentPosition,
                POSITION_FIELDS,
                [tuple(row[name] for name in POSITION_FIELDS) for row in chunk],
            )
            options, transfers = [], []
            for spec, row in zip(new_specs[start : start + CHUNK], chunk, strict=True):
                more_options, more_transfers = option_rows(
                    spec, row["id"], iuvs, option_ids, creditor
                )
                options += more_options
                transfers += more_transfers
            rows_insert(PaymentOption, OPTION_FIELDS, options)
            rows_insert(Transfer, TRANSFER_FIELDS, transfers)
        if publish:
            publish_task = task_named("sportello.payments.tasks.positions_publish")
            for start in range(0, len(position_ids), CHUNK):
                enqueue_after_commit(publish_task, position_ids[start : start + CHUNK])
    fresh = iter(position_ids)
    return [existing.get((spec.service, spec.reference)) or next(fresh) for spec in specs]


def position_publish(*, position_id: int) -> PaymentPosition | None:
    """Publish a position on pagoPA (a Celery task's work). Transient errors propagate, for the
    task to retry; a refusal is recorded on the position (publish_error) for the operators."""
    position = (
        PaymentPosition.objects.prefetch_related("options__transfers")
        .filter(pk=position_id)
        .first()
    )
    if position is None or position.status != PositionStatus.DRAFT:
        return position
    creditor = creditor_get()
    try:
        remote = provider_get().position_publish(position, creditor=creditor)
    except ProviderError as error:
        if not error.permanent:
            raise  # the task tries again later; the sweep (beat) queues it again after that
        # A refusal: shown to the operators on the position, never tried again by itself.
        PaymentPosition.objects.filter(pk=position.pk).update(publish_error=error.message[:300])
        logger.error("Position %s refused by pagoPA: %s", position.iupd, error.message)
        return position
    status = PositionStatus.PUBLISHED if remote == "PUBLISHED" else PositionStatus.VALID
    updated = PaymentPosition.objects.filter(pk=position.pk, status=PositionStatus.DRAFT).update(
        status=status, published_at=timezone.now(), publish_error=""
    )
    position.refresh_from_db()
    if not updated and position.status == PositionStatus.INVALID:
        # Annulled while it was being published: annul it there too.
        provider_get().position_invalidate(position, creditor=creditor)
    return position


def position_publish_now(*, position: PaymentPosition) -> PaymentPosition:
    """Publish at once (the citizen is waiting to pay); ApplicationError if pagoPA cannot."""
    try:
        published = position_publish(position_id=position.pk)
    except ProviderError:
        published = None
    if published is None or published.status == PositionStatus.DRAFT:
        raise ApplicationError(
            _(
                "Il sistema pagoPA in questo momento non risponde, perciò l'avviso non è ancora "
                "pagabile online. Riprova tra qualche minuto: non ti è stato addebitato nulla."
            )
        )
    return published


def position_invalidate(
    *, position: PaymentPosition, operator=None, reason: str
) -> PaymentPosition:
    """Annul a position that nobody has paid yet (on pagoPA too); the reason is required."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ApplicationError(_("Scrivi il motivo dell'annullamento."), extra={"field": "reason"})
    creditor = creditor_get()
    with transaction.atomic():
        locked = PaymentPosition.objects.select_for_update().get(pk=position.pk)
        if locked.status in (PositionStatus.PAID, PositionStatus.PARTIALLY_PAID):
            raise ApplicationError(
                _("La posizione è già stata pagata (in tutto o in parte): non si può annullare.")
            )
        if locked.status == PositionStatus.INVALID:
            raise ApplicationError(_("La posizione è già annullata."))
        if locked.published_at is not None:
            try:
                provider_get().position_invalidate(locked, creditor=creditor)
            except ProviderError as error:
                logger.warning("Position %s not annulled on pagoPA: %s", locked.iupd, error.message)
                raise ApplicationError(
                    _(
                        "pagoPA non ha confermato l'annullamento, perciò la posizione resta "
                        "valida. Riprova tra qualche minuto."
                    )
                ) from None
        locked.status = PositionStatus.INVALID
        locked.invalidated_at = timezone.now()
        locked.invalidated_by = operator if getattr(operator, "pk", None) else None
        locked.invalidation_reason = reason[:300]
        locked.save()
        audit_record(
            action="payment_position_invalidated",
            actor=operator,
            target=locked,
            detail={"reason": reason[:300]},
        )
    return locked


def positions_expire(*, today: date | None = None) -> int:
    """Positions meant to expire whose every unpaid option is past its due date (daily job)."""
    today = today or timezone.localdate()
    overdue = (
        PaymentPosition.objects.filter(
            switch_to_expired=True,
            status__in=[PositionStatus.VALID, PositionStatus.PUBLISHED, PositionStatus.DRAFT],
        )
        .annotate(last_due=Max("options__due_date", filter=Q(options__status=OptionStatus.UNPAID)))
        .filter(last_due__lt=today)
        .values_list("pk", flat=True)
    )
    return PaymentPosition.objects.filter(pk__in=list(overdue), status__in=OPEN_STATUSES).update(
        status=PositionStatus.EXPIRED
    )
