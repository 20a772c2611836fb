"""Zones and their configuration: the area (civic numbers inside it), the fee tables, the
cameras' keys."""

from __future__ import annotations

import logging
import re
import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.core.services import audit_record
from sportello.permits.models import PermitType, Zone, ZoneCivicNumber

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Zones


def zone_area_set(*, zone: Zone, area: dict, by: Any = None) -> Zone:
    """Set the zone's area (polygons and/or streets with civic-number ranges, checked as an
    alert's area is) and work out the civic numbers inside it."""
    from sportello.alerts.targeting import area_civic_numbers, area_clean

    try:
        cleaned = area_clean(area)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), extra={"field": "area"}) from error
    if cleaned.get("city"):
        raise ApplicationError(
            _("Una zona non può essere tutto il Comune: disegnala o elenca le sue strade."),
            extra={"field": "area"},
        )
    ids = area_civic_numbers(cleaned) or []
    with transaction.atomic():
        zone.area = cleaned
        zone.civic_count = len(ids)
        zone.save()
        ZoneCivicNumber.objects.filter(zone=zone).delete()
        ZoneCivicNumber.objects.bulk_create(
            [ZoneCivicNumber(zone=zone, civic_number_id=pk) for pk in ids], batch_size=2000
        )
        audit_record(
            action="permit_zone_area_set", actor=by, target=zone, detail={"civics": len(ids)}
        )
    return zone


def permit_type_fees_check(fees: Any) -> list[str]:
    """The fee table as the office writes it: a list of amounts in euros."""
    if not isinstance(fees, list) or not fees:
        raise ApplicationError(_("Scrivi almeno una tariffa, anche 0."), extra={"field": "fees"})
    cleaned = []
    for value in fees:
        try:
            amount = Decimal(str(value))
        except ArithmeticError as error:
            raise ApplicationError(
                _("«%(value)s» non è un importo.") % {"value": value}, extra={"field": "fees"}
            ) from error
        if amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise ApplicationError(
                _("«%(value)s»: gli importi sono positivi, con al massimo due decimali.")
                % {"value": value},
                extra={"field": "fees"},
            )
        cleaned.append(f"{amount:.2f}")
    return cleaned


def camera_token_create(*, name: str, zone_codes: list[str] | None = None) -> tuple[Any, str]:
    """A new key for a gate system; the key itself is returned once and never stored."""
    import hashlib

    from sportello.permits.models import CameraToken

    raw = secrets.token_urlsafe(32)
    token = CameraToken.objects.create(
        name=name, token_sha256=hashlib.sha256(raw.encode()).hexdigest()
    )
    if zone_codes:
        token.zones.set(Zone.objects.filter(code__in=zone_codes))
    return token, raw


# ---------------------------------------------------------------------------------------------
# The office's zone page: the area as text (pasted GeoJSON or coordinates, one street range a
# line), so that a zone can be written without a map.

_STREET_LINE = re.compile(
    r"^(?P<street>[^,;]+?)\s*(?:[,;]\s*(?P<low>\d+)?\s*(?:(?P<dash>-)\s*(?P<high>\d+)?)?)?"
    r"\s*(?:[,;]\s*(?P<parity>pari|dispari|tutti))?\s*$",
    re.IGNORECASE,
)
_PARITIES = {"pari": "even", "dispari": "odd", "tutti": "all"}


def zone_streets_parse(text: str) -> list[dict]:
    """«Via Grande, 1-99, dispari» a line -> the area spec's street entries (by stradario name)."""
    from sportello.places.models import Street
    from sportello.places.normalize import street_search_key
    from sportello.places.services import odonimo_split

    entries = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        match = _STREET_LINE.match(line.strip())
        if match is None:
            raise ApplicationError(
                _("La riga «%(line)s» non si legge: scrivi «Via Grande, 1-99, dispari».")
                % {"line": line.strip()[:60]},
                extra={"field": "streets"},
            )
        street_type, name = odonimo_split(match["street"])
        street = Street.objects.filter(
            Q(search_name=street_search_key(street_type=street_type, name=name))
            | Q(street_type__iexact=street_type, name__iexact=name)
        ).first()
        if street is None:
            raise ApplicationError(
                _("«%(street)s» non è nello stradario: controlla come è scritta.")
                % {"street": match["street"]},
                extra={"field": "streets"},
            )
        low = int(match["low"]) if match["low"] else None
        high = int(match["high"]) if match["high"] else (None if match["dash"] else low)
        entries.append(
            {
                "street": street.pk,
                "from": low,
                "to": high,
                "parity": _PARITIES[(match["parity"] or "tutti").lower()],
            }
        )
    return entries


def zone_streets_text(area: dict) -> str:
    from sportello.places.models import Street

    entries = area.get("streets") or []
    names = {
        street.pk: street.full_name
        for street in Street.objects.filter(pk__in=[entry["street"] for entry in entries])
    }
    parities = {value: key for key, value in _PARITIES.items()}
    lines = []
    for entry in entries:
        numbers = ""
        if entry.get("from") or entry.get("to"):
            numbers = f"{entry.get('from') or 1}-{entry.get('to') or ''}".rstrip("-")
        lines.append(
            ", ".join(
                part
                for part in (
                    names.get(entry["street"], "?"),
                    numbers,
                    parities.get(entry.get("parity") or "all", "tutti"),
                )
                if part
            )
        )
    return "\n".join(lines)


def zone_save(
    *,
    zone: Zone | None,
    data: dict,
    shapes_text: str,
    streets_text: str,
    by: Any,
    request: Any = None,
) -> Zone:
    """Create or change a zone from the office's page: all checked, then written together."""
    from sportello.alerts.targeting import features_from_text

    area: dict = {}
    if shapes_text.strip():
        try:
            area["features"] = features_from_text(shapes_text)
        except ValidationError as error:
            raise ApplicationError(" ".join(error.messages), extra={"field": "shapes"}) from error
    streets = zone_streets_parse(streets_text)
    if streets:
        area["streets"] = streets
    if not area:
        raise ApplicationError(
            _("Disegna la zona (coordinate o GeoJSON) o elenca le sue strade."),
            extra={"field": "shapes"},
        )
    with transaction.atomic():
        zone = zone or Zone()
        for field in ("code", "name", "kind", "hours_text", "active"):
            setattr(zone, field, data[field])
        zone.save()
        zone_area_set(zone=zone, area=area, by=by)
        audit_record(action="permit_zone_saved", actor=by, target=zone, request=request)
    return zone


def permit_type_update(
    *, permit_type: PermitType, fees_text: str, handling_fee: Any, active: bool, by: Any
) -> PermitType:
    """The fee table as the office writes it: «0; 60; 150» (euros, decimal comma allowed)."""
    values = [
        value.strip().replace(",", ".") for value in re.split(r"[;\s]+", fees_text) if value.strip()
    ]
    permit_type.fees = permit_type_fees_check(values)
    permit_type.handling_fee = handling_fee or 0
    permit_type.active = active
    permit_type.save()
    audit_record(
        action="permit_type_fees_changed",
        actor=by,
        target=permit_type,
        detail={"fees": permit_type.fees, "handling_fee": str(permit_type.handling_fee)},
    )
    return permit_type
