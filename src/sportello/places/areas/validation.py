"""An area spec validated and normalised, with the reasons a broken area is refused in plain
Italian. Shapes are checked, never repaired."""

from __future__ import annotations

import re
from typing import Any

import shapely
import shapely.errors
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from shapely.geometry import Polygon

from sportello.places.areas.geojson import geojson_read
from sportello.places.areas.shapes import feature_shape, polygon_parts, territory
from sportello.places.areas.spec import (
    MAX_RADIUS_M,
    MAX_STREETS,
    MAX_VERTICES,
    Parity,
    decimal_text,
    where_text,
)
from sportello.places.models import Street

_REASONS = {
    "Self-intersection": gettext_lazy(
        "il bordo si incrocia (vicino a %(where)s): ridisegnalo in modo che i lati non si "
        "taglino, oppure dividilo in più poligoni"
    ),
    "Ring Self-intersection": gettext_lazy(
        "il bordo tocca se stesso (vicino a %(where)s): ridisegnalo senza passare due volte "
        "per lo stesso punto"
    ),
    "Interior is disconnected": gettext_lazy(
        "l'interno è diviso in parti separate (vicino a %(where)s): disegna parti separate come "
        "poligoni distinti"
    ),
    "Hole lies outside shell": gettext_lazy("un buco è fuori dal poligono (vicino a %(where)s)"),
    "Nested holes": gettext_lazy("un buco è dentro un altro buco (vicino a %(where)s)"),
    "Nested shells": gettext_lazy(
        "una parte è dentro un'altra (vicino a %(where)s): unisci le parti o disegnale separate"
    ),
    "Duplicate Rings": gettext_lazy("lo stesso bordo è ripetuto (vicino a %(where)s)"),
    "Too few points in geometry component": gettext_lazy(
        "ha troppo pochi punti distinti (vicino a %(where)s): servono almeno 3 vertici diversi"
    ),
    "Invalid Coordinate": gettext_lazy("ha una coordinata non valida (vicino a %(where)s)"),
    "Ring is not closed": gettext_lazy(
        "il bordo non è chiuso (vicino a %(where)s): l'ultimo punto deve ripetere il primo"
    ),
}
_REASON = re.compile(r"^(?P<reason>[^\[]+)\[(?P<x>\S+) (?P<y>\S+)\]$")


def _validity_problem(geometry: shapely.Geometry) -> str:
    """Why shapely finds the geometry invalid, in Italian; empty when it is valid."""
    if shapely.is_valid(geometry):
        return ""
    reason = shapely.is_valid_reason(geometry)
    match = _REASON.match(reason)
    if match:
        text = _REASONS.get(match.group("reason").strip())
        where = where_text(float(match.group("x")), float(match.group("y")))
        if text is not None:
            return str(text) % {"where": where}
        return _("non è un poligono valido (%(reason)s, vicino a %(where)s)") % {
            "reason": match.group("reason").strip(),
            "where": where,
        }
    return _("non è un poligono valido (%(reason)s)") % {"reason": reason}


def _ring_problem(ring: list[list[float]], *, hole: bool) -> str:
    closed = len(ring) > 1 and ring[0] == ring[-1]
    if len(ring) - (1 if closed else 0) < 3:
        return (
            _("un buco ha meno di 3 vertici")
            if hole
            else _("ha meno di 3 vertici: un'area ne vuole almeno 3")
        )
    if not closed:
        return _(
            "il bordo non è chiuso: l'ultimo punto (%(last)s) deve ripetere il primo (%(first)s)"
        ) % {"last": where_text(*ring[-1]), "first": where_text(*ring[0])}
    for lon, lat in ring:
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return _(
                "ha coordinate che non sono gradi WGS 84 (%(lon)s, %(lat)s): servono "
                "longitudine e latitudine, oppure indica il sistema nel campo «crs» del file"
            ) % {"lon": lon, "lat": lat}
    return ""


def _swapped(geometry: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geometry, lambda coordinates: coordinates[:, ::-1])


def _feature_label(index: int, feature: dict[str, Any]) -> str:
    if feature["geometry"]["type"] == "Point":
        return _("Cerchio %(number)s") % {"number": index}
    return _("Poligono %(number)s") % {"number": index}


def _feature_problems(
    index: int, feature: dict[str, Any]
) -> tuple[list[str], shapely.Geometry | None]:
    label = _feature_label(index, feature)
    geometry = feature["geometry"]
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"]
        radius = feature["properties"]["radius"]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return [_("%(label)s: il centro non è in gradi WGS 84.") % {"label": label}], None
        if not radius > 0:
            return [
                _("%(label)s: il raggio deve essere maggiore di zero.") % {"label": label}
            ], None
        if radius > MAX_RADIUS_M:
            return [
                _("%(label)s: raggio di %(radius)s m, al massimo %(max)s m.")
                % {
                    "label": label,
                    "radius": decimal_text(radius, 0),
                    "max": decimal_text(MAX_RADIUS_M, 0),
                }
            ], None
        return [], feature_shape(feature)
    problems = []
    vertices = 0
    for rings in polygon_parts(feature):
        for position, ring in enumerate(rings):
            vertices += len(ring)
            problem = _ring_problem(ring, hole=position > 0)
            if problem:
                problems.append(_("%(label)s: %(problem)s.") % {"label": label, "problem": problem})
    if problems:
        return problems, None
    if vertices > MAX_VERTICES:
        return [
            _("%(label)s: %(count)s vertici, al massimo %(max)s. Semplifica il disegno.")
            % {
                "label": label,
                "count": decimal_text(vertices, 0),
                "max": decimal_text(MAX_VERTICES, 0),
            }
        ], None
    shape = feature_shape(feature)
    if shape.convex_hull.area == 0:
        return [
            _("%(label)s: non ha superficie (i punti sono allineati).") % {"label": label}
        ], None
    problem = _validity_problem(shape)
    if problem:
        return [_("%(label)s: %(problem)s.") % {"label": label, "problem": problem}], None
    return [], shape


def _outside_problem(
    index: int, feature: dict[str, Any], shape: shapely.Geometry, territory: Polygon
) -> str:
    label = _feature_label(index, feature)
    if _swapped(shape).intersects(territory):
        return _(
            "%(label)s: è fuori dal territorio del Comune, ma ci cadrebbe scambiando latitudine e "
            "longitudine. Nel GeoJSON viene prima la longitudine: [longitudine, latitudine]."
        ) % {"label": label}
    return _(
        "%(label)s: è fuori dal territorio del Comune. Controlla di aver disegnato o caricato "
        "l'area giusta."
    ) % {"label": label}


def _streets_clean(entries: Any) -> list[dict[str, Any]]:
    if not isinstance(entries, list):
        raise ValidationError(_("L'elenco delle strade è scritto male."))
    if len(entries) > MAX_STREETS:
        raise ValidationError(
            _(
                "Hai scelto %(count)s strade: al massimo %(max)s; per zone grandi disegna un "
                "poligono."
            )
            % {"count": len(entries), "max": MAX_STREETS}
        )
    cleaned: list[dict[str, Any]] = []
    problems: list[str] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ValidationError(_("L'elenco delle strade è scritto male."))
        street_id = entry.get("street")
        low, high = entry.get("from"), entry.get("to")
        parity = entry.get("parity") or Parity.ALL
        if not isinstance(street_id, int) or isinstance(street_id, bool):
            raise ValidationError(_("Una strada dell'elenco non ha il suo codice."))
        for value in (low, high):
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value < 1
            ):
                problems.append(_("I numeri civici dell'intervallo sono interi da 1 in su."))
        if parity not in Parity.values:
            problems.append(_("Scegli tutti i numeri, solo i pari o solo i dispari."))
        if isinstance(low, int) and isinstance(high, int) and low > high:
            problems.append(
                _("L'intervallo dal %(low)s al %(high)s è rovesciato: il primo numero va prima.")
                % {"low": low, "high": high}
            )
        item = {"street": street_id, "from": low, "to": high, "parity": str(parity)}
        if item not in cleaned:
            cleaned.append(item)
    if problems:
        raise ValidationError(list(dict.fromkeys(problems)))
    known = set(
        Street.objects.filter(pk__in={item["street"] for item in cleaned}).values_list(
            "pk", flat=True
        )
    )
    if any(item["street"] not in known for item in cleaned):
        raise ValidationError(
            _("Una strada scelta non è più nello stradario: toglila e cercala di nuovo.")
        )
    return cleaned


def area_clean(area: dict) -> dict:
    """The area spec validated and normalised; ValidationError (plain Italian) otherwise.

    Shapes are checked, never repaired: closed rings, at least 3 vertices, not self-intersecting
    (shapely), inside or touching the comune; circles with a radius above 0 and up to 50 km.
    """
    if not isinstance(area, dict):
        raise ValidationError(_("L'area è scritta male."))
    if area.get("city") is True:
        return {"city": True}
    result: dict[str, Any] = {}
    features_data = area.get("features")
    if features_data:
        collection = geojson_read(features_data)
        territory_box = territory()
        problems: list[str] = []
        for index, feature in enumerate(collection["features"], start=1):
            feature_problems, shape = _feature_problems(index, feature)
            problems.extend(feature_problems)
            if (
                shape is not None
                and territory_box is not None
                and not shape.intersects(territory_box)
            ):
                problems.append(_outside_problem(index, feature, shape, territory_box))
        if problems:
            raise ValidationError(problems)
        result["features"] = collection
    streets = _streets_clean(area.get("streets") or [])
    if streets:
        result["streets"] = streets
    if not result:
        raise ValidationError(
            _(
                "Scegli dove inviare l'allerta: tutto il Comune, una zona sulla mappa o delle "
                "strade."
            )
        )
    return result
