"""Reads for permits: the zones a resident lives in, the permits a citizen may apply for or
renew, the household's fee, the public check, the cameras' list and its history, the office's
queue and statistics."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.core.money import euro_text
from sportello.permits.models import (
    LIVE_STATUSES,
    CameraToken,
    Permit,
    PermitStatus,
    PermitType,
    PlateAllowance,
    PlateChange,
    PlateChangeStatus,
    Zone,
    ZoneCivicNumber,
)


def zones_of_civic_number(*, civic_number_id: int | None) -> list[Zone]:
    if civic_number_id is None:
        return []
    return list(
        Zone.objects.filter(
            active=True,
            pk__in=ZoneCivicNumber.objects.filter(civic_number_id=civic_number_id).values(
                "zone_id"
            ),
        )
    )


def permit_types_offered(*, person) -> list[PermitType]:
    """The permit types a person may ask for: those of the zones they live in, and those every
    applicant may ask for (checked by the office)."""
    resident_zones = [
        zone.pk for zone in zones_of_civic_number(civic_number_id=person.residence_id)
    ]
    return list(
        PermitType.objects.filter(active=True, zone__active=True)
        .filter(Q(residents_only=False) | Q(zone_id__in=resident_zones))
        .select_related("zone")
        .order_by("zone__kind", "zone__name", "kind")
    )


def fee_for_rank(*, permit_type: PermitType, rank: int) -> Decimal:
    fees = permit_type.fees or ["0"]
    return Decimal(str(fees[min(rank, len(fees)) - 1]))


@dataclass(frozen=True)
class AmountLine:
    label: str
    amount: str
    total: bool = False


def amount_lines(*, rank: int, fee: Decimal, handling_fee: Decimal) -> list[AmountLine]:
    """What the citizen pays, line by line, the same on the summary, the permit's page and the
    e-mails: «Tariffa (1° veicolo del nucleo): gratuito», «Diritti di istruttoria: € 10,00»,
    «Totale: € 10,00»."""
    lines = [
        AmountLine(
            _("Tariffa (%(rank)s° veicolo del nucleo)") % {"rank": rank},
            euro_text(fee) if fee else _("gratuito"),
        )
    ]
    if handling_fee:
        lines.append(AmountLine(_("Diritti di istruttoria"), euro_text(handling_fee)))
    lines.append(AmountLine(_("Totale"), euro_text(fee + handling_fee), total=True))
    return lines


def permit_amount_lines(permit: Permit) -> list[AmountLine]:
    return amount_lines(
        rank=permit.household_rank, fee=permit.fee, handling_fee=permit.handling_fee
    )


def household_rank(
    *, permit_type: PermitType, family_id: int | None, holder_id: int, plate: str
) -> int:
    """Which vehicle of the household this one is for the fee table: 1 + the other plates of
    the family holding a live permit of the same type (a renewal keeps its place: its own plate
    is not counted)."""
    today = timezone.localdate()
    owners = Q(family_id=family_id) if family_id else Q(holder_id=holder_id)
    others = (
        Permit.objects.filter(owners, permit_type=permit_type, status__in=LIVE_STATUSES)
        .exclude(plate=plate)
        .exclude(status=PermitStatus.VALID, valid_until__lt=today)
        .values("plate")
        .distinct()
        .count()
    )
    return others + 1


def permits_of(*, user) -> QuerySet[Permit]:
    """The permits a citizen holds (or applied for)."""
    if not getattr(user, "person_id", None):
        return Permit.objects.none()
    return Permit.objects.filter(holder_id=user.person_id).select_related(
        "zone", "permit_type", "renewal_of"
    )


def permit_of(*, user, pk: int) -> Permit | None:
    return permits_of(user=user).filter(pk=pk).first()


def permit_state(permit: Permit, *, today: datetime.date | None = None) -> str:
    """What the permit is today: valid, not yet valid, expired, revoked…"""
    today = today or timezone.localdate()
    if permit.status == PermitStatus.VALID:
        if permit.valid_until < today or (permit.ends_on and permit.ends_on <= today):
            return PermitStatus.EXPIRED
        if permit.valid_from > today:
            return "future"
    return permit.status


def renewable(permit: Permit, *, today: datetime.date | None = None) -> bool:
    """A valid permit may be renewed from N days before its end and up to N days after it."""
    today = today or timezone.localdate()
    days = settings.SPORTELLO_PERMIT_RENEWAL_DAYS
    if permit.status not in (PermitStatus.VALID, PermitStatus.EXPIRED) or permit.ends_on:
        return False
    if (
        Permit.objects.filter(renewal_of=permit)
        .exclude(status__in=[PermitStatus.REJECTED, PermitStatus.CANCELLED, PermitStatus.DRAFT])
        .exists()
    ):
        return False
    return (
        permit.valid_until - datetime.timedelta(days=days)
        <= today
        <= permit.valid_until + datetime.timedelta(days=days)
    )


@dataclass(frozen=True)
class CheckResult:
    outcome: str  # valid, future, expired, revoked, unknown
    permit: Permit | None = None


def permit_check(*, code: str, plate: str) -> CheckResult:
    """The public check: code and plate together, or nothing is said (one indexed query)."""
    code = code.replace("-", "").replace(" ", "").upper()
    permit = (
        Permit.objects.filter(code=code, plate=plate)
        .select_related("zone")
        .only(
            "code",
            "plate",
            "status",
            "valid_from",
            "valid_until",
            "ends_on",
            "zone__name",
            "zone__kind",
        )
        .first()
    )
    if permit is None or permit.status not in (
        PermitStatus.VALID,
        PermitStatus.EXPIRED,
        PermitStatus.REVOKED,
    ):
        return CheckResult("unknown")
    return CheckResult(permit_state(permit), permit)


def zone_plates(*, zone: Zone, at: datetime.datetime | None = None) -> list[str]:
    """The plates allowed in the zone at the moment `at` (now by default), sorted."""
    at = at or timezone.now()
    return list(
        PlateAllowance.objects.filter(zone=zone, starts_at__lte=at, ends_at__gt=at)
        .order_by("plate")
        .values_list("plate", flat=True)
        .distinct()
    )


def plate_list_rows(*, zones: list[Zone], at: datetime.datetime | None = None):
    """(zone code, plate, allowed from, allowed until) for every plate allowed at `at`."""
    at = at or timezone.now()
    return (
        PlateAllowance.objects.filter(zone__in=zones, starts_at__lte=at, ends_at__gt=at)
        .order_by("zone__code", "plate", "starts_at")
        .values_list("zone__code", "plate", "starts_at", "ends_at")
    )


def plate_list_version(*, zones: list[Zone]) -> str:
    """Changes whenever the list may have changed: for the cameras' If-None-Match."""
    latest = PlateAllowance.objects.filter(zone__in=zones).order_by("-recorded_at").first()
    count = PlateAllowance.objects.filter(zone__in=zones).count()
    stamp = latest.recorded_at.timestamp() if latest else 0
    return f"{count}-{stamp:.6f}-{timezone.localdate().isoformat()}"


def plate_history(*, plate: str, zone: Zone | None = None) -> QuerySet[PlateAllowance]:
    """Every period in which the plate was allowed (an appeal against a fine)."""
    rows = PlateAllowance.objects.filter(plate=plate).select_related("zone", "permit")
    return rows.filter(zone=zone) if zone else rows


def camera_token_zones(token: CameraToken) -> list[Zone]:
    zones = list(token.zones.all())
    return zones or list(Zone.objects.filter(active=True))


def office_queue() -> QuerySet[Permit]:
    return (
        Permit.objects.filter(status=PermitStatus.AWAITING_CHECK)
        .select_related("zone", "permit_type", "holder", "owner")
        .order_by("created_at", "pk")
    )


def plate_changes_pending() -> QuerySet[PlateChange]:
    """Plate changes waiting for the office (a company or leasing car), oldest first."""
    return (
        PlateChange.objects.filter(status=PlateChangeStatus.AWAITING_CHECK)
        .select_related("permit__zone", "permit__holder")
        .order_by("created_at", "pk")
    )


def plate_change_pending(permit: Permit) -> PlateChange | None:
    return plate_changes_pending().filter(permit=permit).first()


def zone_statistics() -> list[dict]:
    today = timezone.localdate()
    valid = Q(permits__status=PermitStatus.VALID, permits__valid_until__gte=today)
    return list(
        Zone.objects.annotate(
            valid=Count("permits", filter=valid),
            waiting_check=Count("permits", filter=Q(permits__status=PermitStatus.AWAITING_CHECK)),
            waiting_payment=Count(
                "permits", filter=Q(permits__status=PermitStatus.AWAITING_PAYMENT)
            ),
            rejected=Count("permits", filter=Q(permits__status=PermitStatus.REJECTED)),
            revoked=Count("permits", filter=Q(permits__status=PermitStatus.REVOKED)),
            expiring=Count(
                "permits",
                filter=valid & Q(permits__valid_until__lte=today + datetime.timedelta(days=30)),
            ),
        )
        .order_by("kind", "name")
        .values(
            "code",
            "name",
            "kind",
            "civic_count",
            "valid",
            "waiting_check",
            "waiting_payment",
            "rejected",
            "revoked",
            "expiring",
        )
    )


def personal_area_permits(*, user) -> list:
    """The citizen's permits for «Area personale»."""
    from django.urls import reverse

    from sportello.core.personal_area import PersonalItem

    if not getattr(user, "person_id", None):
        return []
    return [
        PersonalItem(
            service=_("Permessi ZTL e ZSC"),
            title=f"{permit.zone.name}, {permit.plate}",
            status=permit.get_status_display().capitalize(),
            when=permit.updated_at,
            url=reverse("permits:detail", args=[permit.pk]),
            done=permit.status not in (PermitStatus.AWAITING_PAYMENT,),
        )
        for permit in permits_of(user=user)[:5]
    ]
