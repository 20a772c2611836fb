"""Descriptions of an area in Italian: a street range, a shape, the whole area in 250 characters."""

from __future__ import annotations

from typing import Any

import shapely
import shapely.errors
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pyproj import Geod

from sportello.places.areas.shapes import feature_shape, polygon_parts
from sportello.places.areas.spec import AREA_DESCRIPTION_LENGTH, Parity, decimal_text, where_text
from sportello.places.models import Street

_GEOD = Geod(ellps="WGS84")


def _street_names(ids: set[int]) -> dict[int, str]:
    return {street.pk: street.full_name for street in Street.objects.filter(pk__in=ids)}


def street_entry_label(entry: dict[str, Any], name: str) -> str:
    """«Via Roma», «Via Roma, numeri pari dal 2 al 40», «Via Roma, dal 15»."""
    low, high, parity = entry.get("from"), entry.get("to"), entry.get("parity") or Parity.ALL
    parts = []
    if parity == Parity.EVEN:
        parts.append(_("numeri pari"))
    elif parity == Parity.ODD:
        parts.append(_("numeri dispari"))
    if low is not None and high is not None:
        parts.append(
            _("dal %(low)s al %(high)s") % {"low": low, "high": high}
            if low != high
            else _("il %(n)s") % {"n": low}
        )
    elif low is not None:
        parts.append(_("dal %(low)s in poi") % {"low": low})
    elif high is not None:
        parts.append(_("fino al %(high)s") % {"high": high})
    return f"{name}, {' '.join(parts)}" if parts else name


def feature_label(feature: dict[str, Any]) -> str:
    """«Poligono con 6 vertici, circa 0,42 km²» or «Cerchio di 500 m attorno a …»."""
    geometry = feature["geometry"]
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"]
        return _("Cerchio di %(radius)s m attorno a %(where)s") % {
            "radius": decimal_text(feature["properties"]["radius"], 0),
            "where": where_text(lon, lat),
        }
    parts = polygon_parts(feature)
    vertices = sum(max(len(rings[0]) - 1, 0) for rings in parts)
    try:
        square_metres = abs(_GEOD.geometry_area_perimeter(feature_shape(feature))[0])
    except (ValueError, shapely.errors.ShapelyError):
        square_metres = 0.0
    size = (
        _("circa %(area)s km²") % {"area": decimal_text(square_metres / 1e6, 2)}
        if square_metres >= 100_000
        else _("circa %(area)s m²") % {"area": decimal_text(round(square_metres, -2), 0)}
    )
    if len(parts) > 1:
        return _("Poligono in %(parts)s parti, %(size)s") % {"parts": len(parts), "size": size}
    return ngettext(
        "Poligono con %(count)s vertice, %(size)s",
        "Poligono con %(count)s vertici, %(size)s",
        vertices,
    ) % {"count": vertices, "size": size}


def area_summary(area: dict) -> str:
    """A short Italian description: «Tutto il Comune», «2 poligoni, 1 cerchio di 500 m, Via
    Roma (numeri pari dal 2 al 40)», or counts only when the names do not fit in 250 characters."""
    if not area:
        return _("Nessuna area scelta")
    if area.get("city") is True:
        return _("Tutto il Comune")
    features = ((area.get("features") or {}).get("features")) or []
    polygons = sum(
        len(polygon_parts(feature))
        for feature in features
        if feature["geometry"]["type"] != "Point"
    )
    circles = [feature for feature in features if feature["geometry"]["type"] == "Point"]
    streets = area.get("streets") or []
    head: list[str] = []
    if polygons:
        head.append(
            ngettext("%(count)s poligono", "%(count)s poligoni", polygons) % {"count": polygons}
        )
    if len(circles) == 1:
        head.append(
            _("1 cerchio di %(radius)s m")
            % {"radius": decimal_text(circles[0]["properties"]["radius"], 0)}
        )
    elif circles:
        head.append(_("%(count)s cerchi") % {"count": len(circles)})
    counted = ngettext("%(count)s strada", "%(count)s strade", len(streets)) % {
        "count": len(streets)
    }
    if streets:
        names = _street_names({entry["street"] for entry in streets})
        labels = [street_entry_label(entry, names.get(entry["street"], "?")) for entry in streets]
        full = ", ".join([*head, *labels])
        if len(streets) <= 5 and len(full) <= AREA_DESCRIPTION_LENGTH:
            return full
        head.append(counted)
    text = ", ".join(head)
    if len(text) > AREA_DESCRIPTION_LENGTH:
        text = text[: AREA_DESCRIPTION_LENGTH - 1] + "…"
    return text
