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
    from sportello.places.areas.selection import area_civic_numbers
    from sportello.places.areas.validation import area_clean

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


def camera_token_create(
    *, name: str, zone_codes: list[str] | None = None, by: Any = None, request: Any = None
) -> tuple[Any, str]:
    """A new key for a gate system; the key itself is returned once and never stored."""
    import hashlib

    from sportello.permits.models import CameraToken

    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError(
            _("Scrivi chi usa la chiave, per esempio «Varchi ZTL centro»."),
            extra={"field": "name"},
        )
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = CameraToken.objects.create(
            name=name[:100], token_sha256=hashlib.sha256(raw.encode()).hexdigest()
        )
        if zone_codes:
            token.zones.set(Zone.objects.filter(code__in=zone_codes))
        audit_record(
            action="permit_camera_token_created",
            actor=by,
            target=token,
            request=request,
            detail={"zones": sorted(zone_codes or [])},
        )
    return token, raw


def camera_token_revoke(*, token: Any, by: Any, request: Any = None) -> Any:
    """The key stops working at once (a gate replaced, a key leaked)."""
    from django.utils import timezone

    from sportello.permits.models import CameraToken

    CameraToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    audit_record(action="permit_camera_token_revoked", actor=by, target=token, request=request)
    token.refresh_from_db()
    return token


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


_WINDOW_LINE = re.compile(r"^(?P<days>[0-9][0-9\s,\-–]*?)\s+(?P<start>\S+)\s*[-–]\s*(?P<end>\S+)$")
_TIME = re.compile(r"^(?P<hour>\d{1,2})[:.](?P<minute>\d{2})$")


def _window_time(text: str, line: str) -> str:
    match = _TIME.match(text)
    hour, minute = (int(match["hour"]), int(match["minute"])) if match else (-1, -1)
    if not (0 <= hour <= 23 and 0 <= minute <= 59) and (hour, minute) != (24, 0):
        raise ApplicationError(
            _("Nella fascia «%(line)s», «%(time)s» non è un orario: scrivilo come 08:00.")
            % {"line": line, "time": text},
            extra={"field": "windows"},
        )
    return f"{hour:02d}:{minute:02d}"


def _window_days(text: str, line: str) -> list[int]:
    days: set[int] = set()
    for part in re.split(r"\s*,\s*", text.strip()):
        bounds = [item.strip() for item in re.split(r"[-–]", part)]
        if not part or len(bounds) > 2 or not all(item.isdigit() for item in bounds):
            raise ApplicationError(
                _(
                    "Nella fascia «%(line)s» i giorni non si leggono: scrivi per esempio «1-5» "
                    "o «6,7»."
                )
                % {"line": line},
                extra={"field": "windows"},
            )
        first, last = int(bounds[0]), int(bounds[-1])
        if not (1 <= first <= 7 and 1 <= last <= 7) or first > last:
            raise ApplicationError(
                _(
                    "Nella fascia «%(line)s» i giorni vanno da 1 (lunedì) a 7 (domenica), dal "
                    "primo all'ultimo."
                )
                % {"line": line},
                extra={"field": "windows"},
            )
        days.update(range(first, last + 1))
    return sorted(days)


def zone_windows_parse(text: str) -> list[dict]:
    """The cameras' time windows as the office writes them, one a line: «1-6 08:00-20:00»
    (days 1 = Monday … 7 = Sunday, ranges and commas; the end may be 24:00) -> the zone's
    `windows`: [{"days": [1..7], "start": "HH:MM", "end": "HH:MM"}]."""
    windows = []
    for raw in (text or "").splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        match = _WINDOW_LINE.match(line)
        if match is None:
            raise ApplicationError(
                _(
                    "La fascia «%(line)s» non si legge: scrivi i giorni e l'orario, es. "
                    "«1-6 08:00-20:00»."
                )
                % {"line": line[:60]},
                extra={"field": "windows"},
            )
        days = _window_days(match["days"], line)
        start, end = _window_time(match["start"], line), _window_time(match["end"], line)
        if start == "24:00" or start >= end:
            raise ApplicationError(
                _(
                    "Nella fascia «%(line)s» l'inizio viene prima della fine (per arrivare a "
                    "mezzanotte scrivi 24:00)."
                )
                % {"line": line},
                extra={"field": "windows"},
            )
        windows.append({"days": days, "start": start, "end": end})
    return windows


def zone_windows_text(windows: list[dict]) -> str:
    """The zone's windows one a line, as zone_windows_parse reads them (runs of days joined)."""
    lines = []
    for window in windows or []:
        days = sorted(window.get("days") or [])
        runs: list[list[int]] = []
        for day in days:
            if runs and day == runs[-1][-1] + 1:
                runs[-1].append(day)
            else:
                runs.append([day])
        text = ",".join(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]) for run in runs)
        lines.append(f"{text} {window.get('start')}-{window.get('end')}")
    return "\n".join(lines)


def zone_save(
    *,
    zone: Zone | None,
    data: dict,
    shapes_text: str,
    streets_text: str,
    by: Any,
    drawn: dict | None = None,
    request: Any = None,
) -> Zone:
    """Create or change a zone from the office's page: what is drawn on the map (`drawn`, a
    FeatureCollection), the pasted coordinates or GeoJSON added to it, the streets; all
    checked, then written together."""
    from sportello.places.areas.geojson import features_from_text, geojson_read

    area: dict = {}
    features: list = []
    if drawn and drawn.get("features"):
        try:
            features += geojson_read(drawn)["features"]
        except ValidationError as error:
            raise ApplicationError(
                _("Il disegno sulla mappa non si legge: %(error)s")
                % {"error": " ".join(error.messages)},
                extra={"field": "shapes"},
            ) from error
    if shapes_text.strip():
        try:
            features += features_from_text(shapes_text)["features"]
        except ValidationError as error:
            raise ApplicationError(" ".join(error.messages), extra={"field": "shapes"}) from error
    if features:
        area["features"] = {"type": "FeatureCollection", "features": features}
    windows = zone_windows_parse(data.get("windows") or "")
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
        zone.windows = windows
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
