"""Coverage: how each civic number of the comune can be reached by an alert, before any
emergency, so that the civil-protection office can campaign where nobody would be warned.

A civic number is *verified* when at least one active subscription lives there, *directory*
when only public-directory numbers are placed there, *none* otherwise. Everything is counted by
the database (EXISTS on the indexed civic-number columns, then GROUP BY): per street, per zone,
and for the map either one point per civic number (few in view) or one group per cell of a grid
that follows the zoom (many in view; the grid of the whole comune is computed once a minute per
zoom level and cut to the view). No name, number or person ever leaves here: a civic
number, its state, and counts.
"""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from sportello.alerts.models import Contact, Subscription, SubscriptionStatus
from sportello.core.decorators import operator_required
from sportello.places.areas.shapes import territory_bounds
from sportello.places.models import CivicNumber, Street

PERMISSION = "alerts.view_alert"
STATES = ("verified", "directory", "none")
PAGE_SIZE = 50
TABLES_CACHE_KEY = "sportello.alerts.coverage.tables"
TABLES_CACHE_SECONDS = 60
CELLS_CACHE_KEY = "sportello.alerts.coverage.cells"
MAX_POINTS = 3000  # single civic numbers drawn at once; beyond, groups per cell
CELL_PIXELS = 40  # side of a group's cell on the screen
MAX_ZOOM = 22
SORTS = ("scoperti", "senza_contatto", "civici", "nome")


def state_label(state: str) -> str:
    return {
        "verified": _("Iscritti verificati"),
        "directory": _("Solo numeri dell'elenco pubblico"),
        "none": _("Nessun contatto"),
    }[state]


def _state_sql() -> tuple[str, list[Any]]:
    """SQL giving 2 (verified), 1 (directory) or 0 (none) for the civic number `cn`; each
    EXISTS is an index probe (the partial index on active subscriptions, the contact's FK)."""
    subscriptions, contacts = Subscription._meta.db_table, Contact._meta.db_table
    sql = (
        f"CASE WHEN EXISTS (SELECT 1 FROM {subscriptions} s "  # noqa: S608 - our table names
        f"WHERE s.civic_number_id = cn.id AND s.status = %s) THEN 2 "
        f"WHEN EXISTS (SELECT 1 FROM {contacts} c WHERE c.civic_number_id = cn.id) THEN 1 "
        f"ELSE 0 END"
    )
    return sql, [SubscriptionStatus.ACTIVE.value]


def _floor_int(expression: str) -> str:
    """floor() as an integer: PostgreSQL rounds a float cast to integer, SQLite truncates (the
    values here are never negative, so truncating is flooring)."""
    if connection.vendor == "postgresql":
        return f"FLOOR({expression})::bigint"
    return f"CAST({expression} AS INTEGER)"


# --- totals per street and zone ----------------------------------------------------------------


def _street_zone_rows() -> list[tuple[int, str, int, int, int]]:
    """(street id, zone, civic numbers, verified, directory) for every street and zone."""
    state, params = _state_sql()
    civics = CivicNumber._meta.db_table
    sql = f"""
        SELECT street_id, zone, COUNT(*),
            SUM(CASE WHEN state = 2 THEN 1 ELSE 0 END),
            SUM(CASE WHEN state = 1 THEN 1 ELSE 0 END)
        FROM (SELECT cn.street_id AS street_id, cn.zone AS zone, {state} AS state
              FROM {civics} cn) placed
        GROUP BY street_id, zone
    """  # noqa: S608 - only our table names are formatted in
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            (int(street), zone or "", int(total), int(verified or 0), int(directory or 0))
            for street, zone, total, verified, directory in cursor.fetchall()
        ]


def _row(total: int, verified: int, directory: int, **extra: Any) -> dict[str, Any]:
    none = total - verified - directory
    share = none / total if total else 0.0
    return {
        **extra,
        "total": total,
        "verified": verified,
        "directory": directory,
        "none": none,
        "none_share": share,
        # Rounded down, as the monitor does: 99.6% is not everything.
        "none_percent": math.floor(share * 100),
    }


def coverage_tables() -> dict[str, Any]:
    """Totals for the comune, per street and per zone; shared by every operator for a minute
    (the counts go over the whole stradario)."""
    found = cache.get(TABLES_CACHE_KEY)
    if found is not None:
        return found
    rows = _street_zone_rows()
    streets: dict[int, dict[str, Any]] = {}
    zones: dict[str, list[int]] = {}
    for street_id, zone, total, verified, directory in rows:
        entry = streets.setdefault(street_id, {"counts": [0, 0, 0], "zones": {}})
        for index, value in enumerate((total, verified, directory)):
            entry["counts"][index] += value
        entry["zones"][zone] = entry["zones"].get(zone, 0) + total
        zone_counts = zones.setdefault(zone, [0, 0, 0])
        for index, value in enumerate((total, verified, directory)):
            zone_counts[index] += value
    names = {street.pk: street.full_name for street in Street.objects.filter(pk__in=list(streets))}
    street_rows = []
    for street_id, entry in streets.items():
        # The zone where most of the street's civic numbers are.
        zone = max(entry["zones"].items(), key=lambda item: (item[1], item[0]))[0]
        street_rows.append(
            _row(*entry["counts"], id=street_id, name=names.get(street_id, "?"), zone=zone)
        )
    zone_rows = [_row(*counts, name=zone) for zone, counts in zones.items()]
    zone_rows.sort(key=lambda r: (-r["none_share"], r["name"]))
    grand = [sum(r[key] for r in street_rows) for key in ("total", "verified", "directory")]
    result = {
        "totals": _row(*grand),
        "streets": street_rows,
        "zones": zone_rows,
        "unplaced_contacts": Contact.objects.filter(civic_number__isnull=True).count(),
        "counted_at": timezone.now(),
    }
    cache.set(TABLES_CACHE_KEY, result, TABLES_CACHE_SECONDS)
    return result


def streets_sorted(streets: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    if sort == "nome":
        return sorted(streets, key=lambda r: (r["name"].lower(), r["id"]))
    if sort == "civici":
        return sorted(streets, key=lambda r: (-r["total"], r["name"].lower()))
    if sort == "senza_contatto":
        return sorted(streets, key=lambda r: (-r["none"], -r["none_share"], r["name"].lower()))
    # "scoperti": the largest share without contact first; bigger streets first among equals.
    return sorted(streets, key=lambda r: (-r["none_share"], -r["none"], r["name"].lower()))


# --- the map -------------------------------------------------------------------------------------


def _bbox(value: str) -> tuple[float, float, float, float] | None:
    try:
        west, south, east, north = (float(part) for part in value.split(","))
    except ValueError:
        return None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        return None
    west, east = max(west, -180.0), min(east, 180.0)
    south, north = max(south, -90.0), min(north, 90.0)
    if west >= east or south >= north:
        return None
    return west, south, east, north


def coverage_points(*, bbox: tuple[float, float, float, float], zoom: int) -> dict[str, Any]:
    """The civic numbers in `bbox` as a GeoJSON FeatureCollection: one point each with its state
    when at most MAX_POINTS are in view ("mode": "points"), else one point per grid cell of about
    CELL_PIXELS at `zoom`, at the middle of its civic numbers, with the count per state
    ("mode": "cells")."""
    west, south, east, north = bbox
    civics, streets = CivicNumber._meta.db_table, Street._meta.db_table
    where = "cn.latitude BETWEEN %s AND %s AND cn.longitude BETWEEN %s AND %s"
    box = [south, north, west, east]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {civics} cn WHERE {where}", box)  # noqa: S608
        total = int(cursor.fetchone()[0])
    features: list[dict[str, Any]] = []
    if total <= MAX_POINTS:
        state, params = _state_sql()
        sql = f"""
            SELECT cn.longitude, cn.latitude, st.street_type, st.name, cn.number, cn.exponent,
                {state}
            FROM {civics} cn JOIN {streets} st ON st.id = cn.street_id
            WHERE {where}
        """  # noqa: S608 - only our table names are formatted in
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *box])
            rows = cursor.fetchall()
        for lon, lat, street_type, name, number, exponent, code in rows:
            label = f"{street_type} {name} {number}" + (f"/{exponent}" if exponent else "")
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                    "properties": {"state": STATES[2 - int(code)], "address": label},
                }
            )
        return {"type": "FeatureCollection", "mode": "points", "total": total, "features": features}

    size_lon, size_lat, cells = _cells(zoom)
    for lon, lat, count, verified, directory in cells:
        # A cell belongs to the view when its middle is in it, or near enough to show a part.
        if not (
            west - size_lon <= lon <= east + size_lon
            and south - size_lat <= lat <= north + size_lat
        ):
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "count": count,
                    "verified": verified,
                    "directory": directory,
                    "none": count - verified - directory,
                },
            }
        )
    return {"type": "FeatureCollection", "mode": "cells", "total": total, "features": features}


def _cells(zoom: int) -> tuple[float, float, list[tuple[float, float, int, int, int]]]:
    """The grid of the whole comune at `zoom`: cell width and height in degrees, and per cell
    (longitude, latitude of the middle of its civic numbers, count, verified, directory).
    Shared for a minute: panning at one zoom, or another operator, costs nothing more."""
    key = f"{CELLS_CACHE_KEY}:{zoom}"
    found = cache.get(key)
    if found is not None:
        return found
    civics = CivicNumber._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(latitude), MAX(latitude) FROM {civics}")  # noqa: S608
        low, high = cursor.fetchone()
    middle = ((low or 0.0) + (high or 0.0)) / 2
    # Cells of CELL_PIXELS at this zoom (Web Mercator: 256 px for 360° at zoom 0); a degree of
    # latitude is longer on the screen than one of longitude by 1/cos(latitude).
    size_lon = CELL_PIXELS * 360.0 / (256 * 2**zoom)
    size_lat = size_lon * max(math.cos(math.radians(middle)), 0.01)
    state, params = _state_sql()
    gy = _floor_int("(cn.latitude + 90.0) / %s")
    gx = _floor_int("(cn.longitude + 180.0) / %s")
    sql = f"""
        SELECT gy, gx, COUNT(*), AVG(lat), AVG(lon),
            SUM(CASE WHEN state = 2 THEN 1 ELSE 0 END),
            SUM(CASE WHEN state = 1 THEN 1 ELSE 0 END)
        FROM (SELECT {gy} AS gy, {gx} AS gx, cn.latitude AS lat, cn.longitude AS lon,
                {state} AS state
              FROM {civics} cn) placed
        GROUP BY gy, gx
    """  # noqa: S608 - only our table names are formatted in
    with connection.cursor() as cursor:
        cursor.execute(sql, [size_lat, size_lon, *params])
        rows = cursor.fetchall()
    cells = [
        (
            round(float(lon), 6),
            round(float(lat), 6),
            int(count),
            int(verified or 0),
            int(directory or 0),
        )
        for _gy, _gx, count, lat, lon, verified, directory in rows
    ]
    result = (size_lon, size_lat, cells)
    cache.set(key, result, TABLES_CACHE_SECONDS)
    return result


# --- pages -------------------------------------------------------------------------------------


def _map_config() -> dict[str, Any]:
    return {
        "tiles": settings.SPORTELLO_MAP_TILES,
        "attribution": settings.SPORTELLO_MAP_ATTRIBUTION,
        "bounds": territory_bounds(),
        "pointsUrl": reverse("alerts:console_coverage_points"),
        "texts": {
            "mapLabel": _(
                "Mappa della copertura: i numeri civici colorati secondo come si possono "
                "avvisare. Gli stessi dati sono nelle tabelle per strada e per zona."
            ),
            "states": {state: state_label(state) for state in STATES},
            "cell": _(
                "%(count)s numeri civici: %(verified)s con iscritti verificati, %(directory)s "
                "solo con numeri dell'elenco, %(none)s senza contatti"
            ),
            "failed": _("Non riesco a caricare i punti della mappa: riprova fra poco."),
            "cells": _(
                "Troppi numeri civici per mostrarli uno per uno: ogni cerchio ne raggruppa "
                "alcuni, con la parte di ciascun colore. Avvicinati per vederli singolarmente."
            ),
            "points": _("Ogni punto è un numero civico."),
        },
    }


@operator_required(PERMISSION)
@require_safe
@never_cache
def console_coverage(request: HttpRequest) -> HttpResponse:
    """The coverage page: totals, the map, the zones, the streets (sorted, by pages)."""
    tables = coverage_tables()
    sort = request.GET.get("ordina", "scoperti")
    if sort not in SORTS:
        sort = "scoperti"
    page = Paginator(streets_sorted(tables["streets"], sort), PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    return render(
        request,
        "alerts/console/coverage.html",
        {
            "tables": tables,
            "totals": tables["totals"],
            "states": [(state, state_label(state), tables["totals"][state]) for state in STATES],
            "page": page,
            "sort": sort,
            "sorts": [
                ("scoperti", _("percentuale senza contatto")),
                ("senza_contatto", _("civici senza contatto")),
                ("civici", _("numero di civici")),
                ("nome", _("nome della strada")),
            ],
            "map_config": _map_config(),
            "cache_seconds": TABLES_CACHE_SECONDS,
        },
    )


@operator_required(PERMISSION)
@require_safe
@never_cache
def console_coverage_points(request: HttpRequest) -> JsonResponse:
    """GET ?bbox=west,south,east,north&zoom=z -> the civic numbers in view (GeoJSON)."""
    bbox = _bbox(request.GET.get("bbox", ""))
    try:
        zoom = int(request.GET.get("zoom", ""))
    except ValueError:
        zoom = -1
    if bbox is None or not 0 <= zoom <= MAX_ZOOM:
        return JsonResponse(
            {
                "error": _(
                    "Indica il riquadro e lo zoom: bbox=ovest,sud,est,nord (gradi) e zoom=0…22."
                )
            },
            status=400,
        )
    return JsonResponse(coverage_points(bbox=bbox, zoom=zoom), content_type="application/geo+json")
