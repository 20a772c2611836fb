"""The permits part of the demo town: a ZTL over the centre (around the town hall) and a ZSC
around it, their permit types with Livorno's fees (first vehicle of a household free, second
€60, third and further €150) and €10 of handling fee on the residents' types, and the demo
citizen's car with a permit expiring next month. The ZTL also takes in the demo citizen's
street, so that they live inside it whichever street the synthetic town gave them. Idempotent."""

from __future__ import annotations

import contextlib
import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from sportello.permits.models import (
    Permit,
    PermitEvent,
    PermitKind,
    PermitStatus,
    PermitType,
    PlateAllowance,
    VehicleOwnership,
    Zone,
    ZoneCivicNumber,
    ZoneKind,
)
from sportello.permits.services import day_start, permit_code_new, zone_area_set

DEMO_PLATE = "FX123LI"
LIVORNO_FEES = ["0.00", "60.00", "150.00"]
# «Diritti di istruttoria» on every residents' application and renewal, on top of the fee
# table: a comune's choice (configuration), and the reason the demo's free first car still goes
# through pagoPA's checkout on renewal.
RESIDENT_HANDLING_FEE = Decimal("10.00")
# Half-sides of the zones, in degrees (about 650 m and 1.5 km around the town hall).
ZTL_HALF = (0.006, 0.008)
ZSC_HALF = (0.014, 0.018)


def _square(lon: float, lat: float, half: tuple[float, float]) -> list[list[float]]:
    dlat, dlon = half
    return [
        [lon - dlon, lat - dlat],
        [lon + dlon, lat - dlat],
        [lon + dlon, lat + dlat],
        [lon - dlon, lat + dlat],
        [lon - dlon, lat - dlat],
    ]


def _polygon(*rings: list[list[float]]) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": list(rings)},
            }
        ],
    }


def _centre() -> tuple[float, float] | None:
    from sportello.places.models import CivicNumber

    town_hall = CivicNumber.objects.filter(
        street__street_type="Piazza", street__name="del Municipio", number=1
    ).first()
    if town_hall is None:
        town_hall = CivicNumber.objects.order_by("pk").first()
    return (town_hall.longitude, town_hall.latitude) if town_hall else None


def demo_zones_ensure(*, citizen=None) -> list[Zone]:
    if Zone.objects.filter(code="ztl-centro").exists():
        return list(Zone.objects.filter(code__in=["ztl-centro", "zsc-centro"]))
    centre = _centre()
    if centre is None:
        return []
    lon, lat = centre
    # The demo town may have just been rebuilt with the same ids: let every process's arrays
    # of civic numbers be read again before the zones are worked out.
    from sportello.places.areas.civic_points import civic_points_changed

    civic_points_changed()
    inner = _square(lon, lat, ZTL_HALF)
    ztl_area: dict = {"features": _polygon(inner)}
    if citizen is not None and citizen.residence_id:
        civic = citizen.residence
        ztl_area["streets"] = [
            {"street": civic.street_id, "from": None, "to": None, "parity": "all"}
        ]
    with transaction.atomic():
        ztl = Zone.objects.create(
            code="ztl-centro",
            name="ZTL Centro",
            kind=ZoneKind.ZTL,
            hours_text="tutti i giorni, 0-24",
            windows=[{"days": [1, 2, 3, 4, 5, 6, 7], "start": "00:00", "end": "24:00"}],
        )
        zone_area_set(zone=ztl, area=ztl_area)
        zsc = Zone.objects.create(
            code="zsc-centro",
            name="ZSC Pentagono",
            kind=ZoneKind.ZSC,
            hours_text="dal lunedì al sabato, 8-20",
            windows=[{"days": [1, 2, 3, 4, 5, 6], "start": "08:00", "end": "20:00"}],
        )
        # A ring around the ZTL: the outer square with the ZTL's square as its hole.
        zone_area_set(
            zone=zsc,
            area={"features": _polygon(_square(lon, lat, ZSC_HALF), list(reversed(inner)))},
        )
        handling = RESIDENT_HANDLING_FEE
        for zone, kind, title, fees, handling_fee, residents_only, check in (
            (ztl, PermitKind.RESIDENT, "Residenti ZTL", LIVORNO_FEES, handling, True, False),
            (ztl, PermitKind.BUSINESS, "Attività nella ZTL", ["100.00"], 0, False, True),
            (ztl, PermitKind.CARER, "Assistenza a persone nella ZTL", ["0.00"], 0, False, True),
            (ztl, PermitKind.DISABLED, "Contrassegno disabili (CUDE)", ["0.00"], 0, False, True),
            (
                zsc,
                PermitKind.RESIDENT_PARKING,
                "Sosta residenti ZSC",
                LIVORNO_FEES,
                handling,
                True,
                False,
            ),
            (zsc, PermitKind.DISABLED, "Contrassegno disabili (CUDE)", ["0.00"], 0, False, True),
        ):
            PermitType.objects.create(
                zone=zone,
                kind=kind,
                title=title,
                fees=fees,
                handling_fee=handling_fee,
                residents_only=residents_only,
                office_check=check,
            )
    return [ztl, zsc]


def demo_permits_ensure(*, citizen_username: str = "cittadino") -> int:
    """Zones, types and the demo citizen's permit; returns how many permits were made."""
    from sportello.accounts.models import User

    user = User.objects.filter(username=citizen_username).select_related("person").first()
    person = user.person if user else None
    zones = demo_zones_ensure(citizen=person)
    if not zones or person is None or Permit.objects.filter(holder=person).exists():
        return 0
    ztl = next(zone for zone in zones if zone.code == "ztl-centro")
    if not ZoneCivicNumber.objects.filter(zone=ztl, civic_number_id=person.residence_id).exists():
        return 0
    today = timezone.localdate()
    valid_until = today + datetime.timedelta(days=30)
    with transaction.atomic():
        permit = Permit.objects.create(
            code=permit_code_new(),
            permit_type=PermitType.objects.get(zone=ztl, kind=PermitKind.RESIDENT),
            zone=ztl,
            holder=person,
            applicant=user,
            family_id=person.family_id,
            plate=DEMO_PLATE,
            ownership=VehicleOwnership.FAMILY,
            owner=person,
            status=PermitStatus.VALID,
            valid_from=valid_until - datetime.timedelta(days=364),
            valid_until=valid_until,
        )
        PlateAllowance.objects.create(
            zone=ztl,
            permit=permit,
            plate=permit.plate,
            starts_at=day_start(permit.valid_from),
            ends_at=day_start(valid_until + datetime.timedelta(days=1)),
            note="rilascio",
        )
        PermitEvent.objects.create(
            permit=permit,
            status=PermitStatus.VALID,
            text=f"Permesso rilasciato, valido dal {permit.valid_from:%d/%m/%Y} al "
            f"{permit.valid_until:%d/%m/%Y}.",
        )
    return 1


def demo_permits_delete() -> int:
    """Before the demo town is rebuilt (`demo --reset`): the demo persons' permits with their
    history, and the demo zones if no one else holds a permit in them."""
    from django.db.models import ProtectedError

    from sportello.places.demo.town import DEMO_CODE_PREFIX

    demo_holders = Permit.objects.filter(holder__family__code__startswith=DEMO_CODE_PREFIX)
    with transaction.atomic():
        PlateAllowance.objects.filter(permit__in=demo_holders).delete()
        # A renewal protects the permit it renews: the newest go first.
        deleted = 0
        while demo_holders.exists():
            renewed = Permit.objects.filter(renewal_of__isnull=False).values("renewal_of")
            count, _ = demo_holders.exclude(pk__in=renewed).delete()
            deleted += count
            if not count:
                break
        with contextlib.suppress(ProtectedError):  # real permits there: the zones stay
            Zone.objects.filter(code__in=["ztl-centro", "zsc-centro"]).delete()
    return deleted
