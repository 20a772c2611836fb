"""What the steps of a permit share: codes, periods, the timeline, uploads, the fee quote,
and the moves from checked to payable to issued (with the cameras' list)."""

from __future__ import annotations

import calendar
import datetime
import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.core.money import euro_text
from sportello.documents.content import document_content_detect
from sportello.permits.models import (
    LIVE_STATUSES,
    Permit,
    PermitEvent,
    PermitStatus,
    PlateAllowance,
    VehicleOwnership,
    Zone,
)
from sportello.permits.notify import permit_notify
from sportello.permits.selectors import fee_for_rank, household_rank

logger = logging.getLogger(__name__)

SERVICE = "permits"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


# ---------------------------------------------------------------------------------------------
# Helpers


def period_end(start: datetime.date, months: int) -> datetime.date:
    """The last day of a period of `months` beginning on `start` (12 months from 15 March:
    14 March next year; from 31 January, one month ends on 27 or 28 February)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day) - datetime.timedelta(days=1)


def permit_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def event_record(
    permit: Permit, text: str, *, actor: Any = None, status: str | None = None
) -> None:
    PermitEvent.objects.create(
        permit=permit,
        status=status or permit.status,
        text=text[:300],
        actor=actor if getattr(actor, "pk", None) else None,
    )


def document_check(file: IO[bytes] | None, *, field: str, required: bool) -> None:
    if file is None:
        if required:
            raise ApplicationError(_("Carica il documento richiesto."), extra={"field": field})
        return
    try:
        document_content_detect(file=file, size=file.size)
    except ApplicationError as error:
        raise ApplicationError(error.message, extra={"field": field}) from error


def needs_office_check(permit: Permit) -> bool:
    return (
        permit.permit_type.office_check
        or permit.ownership == VehicleOwnership.COMPANY
        or permit.plate_foreign
    )


def permit_total(permit: Permit) -> Decimal:
    return permit.total


@dataclass(frozen=True)
class Quote:
    """What a permit will cost and whether the office must look at it first."""

    rank: int
    fee: Decimal
    handling_fee: Decimal
    needs_check: bool

    @property
    def total(self) -> Decimal:
        return self.fee + self.handling_fee


def permit_quote(permit: Permit) -> Quote:
    rank = household_rank(
        permit_type=permit.permit_type,
        family_id=permit.family_id,
        holder_id=permit.holder_id,
        plate=permit.plate,
    )
    return Quote(
        rank=rank,
        fee=fee_for_rank(permit_type=permit.permit_type, rank=rank),
        handling_fee=permit.permit_type.handling_fee,
        needs_check=needs_office_check(permit),
    )


def permit_quote_apply(permit: Permit) -> Quote:
    """Work out the quote and write it on the (unsaved) permit: fee, handling fee, rank."""
    quote = permit_quote(permit)
    permit.fee, permit.handling_fee, permit.household_rank = (
        quote.fee,
        quote.handling_fee,
        quote.rank,
    )
    return quote


def plate_free_check(*, zone: Zone, plate: str, renewal_of: Permit | None = None) -> None:
    today = timezone.localdate()
    live = (
        Permit.objects.filter(zone=zone, plate=plate, status__in=LIVE_STATUSES)
        .exclude(status=PermitStatus.VALID, valid_until__lt=today)
        .exclude(pk=renewal_of.pk if renewal_of else None)
    )
    if live.exists():
        raise ApplicationError(
            _(
                "Il veicolo targato %(plate)s ha già un permesso per questa zona, valido o in "
                "corso: se sta per scadere, rinnovalo da «I miei permessi»."
            )
            % {"plate": plate},
            extra={"field": "plate"},
        )


def permit_after_check(permit: Permit, *, actor: Any) -> None:
    """Everything is in order: ask for payment, or issue at once when nothing is due."""
    total = permit_total(permit)
    if total <= 0:
        permit_issue(permit, actor=actor)
        return
    permit.status = PermitStatus.AWAITING_PAYMENT
    permit.save()
    permit.payment_position_id = _position_create(permit, actor=actor)
    permit.save(update_fields=["payment_position_id", "updated_at"])
    event_record(
        permit,
        _("Da pagare con pagoPA: %(amount)s.") % {"amount": euro_text(total)},
        actor=actor,
    )


def _position_create(permit: Permit, *, actor: Any) -> int:
    from sportello.payments.services import positions_create
    from sportello.payments.validation import Debtor, OptionSpec, PositionSpec

    holder = permit.holder
    title = _("Permesso %(zone)s, targa %(plate)s") % {
        "zone": permit.zone.name,
        "plate": permit.plate,
    }
    due = timezone.localdate() + datetime.timedelta(days=settings.SPORTELLO_PERMIT_PAYMENT_DAYS)
    spec = PositionSpec(
        service=SERVICE,
        reference=str(permit.pk),
        title=title[:140],
        debtor=Debtor(
            fiscal_code=holder.codice_fiscale,
            name=holder.full_name[:70],
            email=(permit.applicant.email if permit.applicant else "") or "",
        ),
        category=permit.permit_type.category,
        office_name=_("Ufficio mobilità"),
        switch_to_expired=True,
        single=OptionSpec(permit_total(permit), due, title[:140]),
    )
    [position_id] = positions_create(specs=[spec], created_by=actor)
    return position_id


def permit_issue(permit: Permit, *, actor: Any = None) -> None:
    """The permit is in force: its dates are set (a renewal starts where the previous ends) and
    its plate is put on the cameras' list for the whole period."""
    today = timezone.localdate()
    start = today
    if permit.renewal_of_id:
        start = max(today, permit.renewal_of.valid_until + datetime.timedelta(days=1))
    permit.valid_from = start
    permit.valid_until = period_end(start, permit.permit_type.validity_months)
    permit.status = PermitStatus.VALID
    permit.save()
    PlateAllowance.objects.create(
        zone=permit.zone,
        permit=permit,
        plate=permit.plate,
        starts_at=max(timezone.now(), day_start(start)),
        ends_at=day_start(permit.valid_until + datetime.timedelta(days=1)),
        note="rinnovo" if permit.renewal_of_id else "rilascio",
    )
    event_record(
        permit,
        _("Permesso rilasciato, valido dal %(start)s al %(end)s.")
        % {
            "start": permit.valid_from.strftime("%d/%m/%Y"),
            "end": permit.valid_until.strftime("%d/%m/%Y"),
        },
        actor=actor,
    )
    permit_notify(permit, kind="issued")


def allowances_end(permit: Permit, *, at: datetime.datetime) -> None:
    """The permit's plate stops being allowed at `at`; periods not yet begun never open."""
    PlateAllowance.objects.filter(permit=permit, ends_at__gt=at, starts_at__lt=at).update(
        ends_at=at
    )
    PlateAllowance.objects.filter(permit=permit, starts_at__gte=at).update(ends_at=F("starts_at"))
