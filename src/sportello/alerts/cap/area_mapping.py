"""The area of a CAP message mapped onto the comune.

Polygons and circles become the area spec's features (shapes wholly outside the comune are left
out, shapes larger than the comune are cut to its territory), a geocode with our ISTAT code means
the whole comune, and an area holding every civic number becomes the whole comune. The result is
checked by alerts.targeting.area_clean like any area an operator draws.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import shapely
import shapely.errors
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from shapely.geometry import mapping

from sportello.alerts.cap.reading import CapArea
from sportello.core.exceptions import ApplicationError
from sportello.core.selectors import municipality_get
from sportello.places.areas.civic_points import civic_points
from sportello.places.areas.selection import area_civic_count
from sportello.places.areas.shapes import circle_polygon, feature_shape, territory
from sportello.places.areas.spec import MAX_RADIUS_M
from sportello.places.areas.validation import area_clean

_ISTAT_NAME = re.compile(r"istat", re.IGNORECASE)


def _coordinates(token: str) -> tuple[float, float] | None:
    """«lat,lon» -> (lon, lat), None when it is not two numbers."""
    parts = token.split(",")
    if len(parts) != 2:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    return lon, lat


def _polygon_feature(text: str, *, number: int, where: str) -> dict[str, Any]:
    ring = []
    for token in text.split():
        position = _coordinates(token)
        if position is None:
            raise ApplicationError(
                _(
                    "Il poligono %(number)s dell'area «%(area)s» ha una coppia di coordinate "
                    "scritta male («%(token)s»): CAP vuole «latitudine,longitudine» separate da "
                    "spazi. Non è stato importato nulla."
                )
                % {"number": number, "area": where, "token": token[:40]}
            )
        ring.append([position[0], position[1]])
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {},
    }


def _circle_feature(text: str, *, number: int, where: str) -> dict[str, Any]:
    parts = text.split()
    position = _coordinates(parts[0]) if len(parts) == 2 else None
    try:
        radius_km = float(parts[1]) if position is not None else None
    except ValueError:
        radius_km = None
    if position is None or radius_km is None:
        raise ApplicationError(
            _(
                "Il cerchio %(number)s dell'area «%(area)s» è scritto male («%(text)s»): CAP "
                "vuole «latitudine,longitudine raggio in km». Non è stato importato nulla."
            )
            % {"number": number, "area": where, "text": text[:60]}
        )
    lon, lat = position
    if radius_km * 1000 > MAX_RADIUS_M:
        # A regional circle: as a polygon, to be cut to the comune below.
        polygon = circle_polygon(lon=lon, lat=lat, radius=radius_km * 1000)
        return {
            "type": "Feature",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[list(p) for p in polygon.exterior.coords]],
            },
            "properties": {},
        }
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"radius": radius_km * 1000},
    }


def _as_lists(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_as_lists(item) for item in value]
    return value


def _polygon_features(shape: shapely.Geometry) -> list[dict[str, Any]]:
    """The polygonal parts of a shapely geometry as features (lines and points are dropped)."""
    parts = list(getattr(shape, "geoms", [shape]))
    features = []
    for part in parts:
        if part.geom_type in ("Polygon", "MultiPolygon") and not part.is_empty:
            geometry = mapping(part)
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": geometry["type"],
                        "coordinates": _as_lists(geometry["coordinates"]),
                    },
                    "properties": {},
                }
            )
    return features


def _well_formed(feature: dict[str, Any]) -> bool:
    """A circle, or a polygon whose ring is closed with at least 3 vertices, as CAP requires
    (shapely would close an open ring silently)."""
    if feature["geometry"]["type"] == "Point":
        return True
    (ring,) = feature["geometry"]["coordinates"]
    return len(ring) >= 4 and ring[0] == ring[-1]


@dataclass
class MappedArea:
    area: dict[str, Any]
    notes: list[str]
    description: str


def _istat(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return digits.zfill(6) if digits else ""


def cap_area_map(areas: list[CapArea]) -> MappedArea:
    """The area spec of the comune that the message's areas cover; ApplicationError when they
    are outside the comune or malformed. An area that cannot be placed (only codes we do not
    know) gives an empty spec and a note: the operator chooses the area."""
    municipality = municipality_get()
    ours = _istat(municipality.istat_code) if municipality and municipality.istat_code else ""
    description = "; ".join(area.description for area in areas if area.description)
    features: list[dict[str, Any]] = []
    for area in areas:
        where = area.description or "?"
        if ours and any(
            _ISTAT_NAME.search(name) and _istat(value) == ours for name, value in area.geocodes
        ):
            # Shapes and codes of an area add up: our code alone means the whole comune.
            return MappedArea({"city": True}, [], description)
        for number, text in enumerate(area.polygons, start=1):
            features.append(_polygon_feature(text, number=number, where=where))
        for number, text in enumerate(area.circles, start=1):
            features.append(_circle_feature(text, number=number, where=where))
    if not features:
        return MappedArea(
            {},
            [
                _(
                    "Il messaggio non descrive l'area con poligoni, cerchi o il codice ISTAT del "
                    "Comune: scegli tu l'area prima di inviare l'allerta."
                )
            ],
            description,
        )
    land = territory()
    kept: list[dict[str, Any]] = []
    left_out = 0
    for feature in features:
        if not _well_formed(feature):
            kept.append(feature)  # never repaired: area_clean says what is wrong with it
            continue
        try:
            shape = feature_shape(feature)
        except (ValueError, TypeError, IndexError, shapely.errors.ShapelyError):
            kept.append(feature)
            continue
        if land is None or not shapely.is_valid(shape):
            kept.append(feature)
            continue
        if not shape.intersects(land):
            left_out += 1
            continue
        if feature["geometry"]["type"] != "Point" and not land.contains(shape):
            kept.extend(_polygon_features(shape.intersection(land)))
        else:
            kept.append(feature)
    name = municipality.name if municipality else _("il Comune")
    if not kept:
        raise ApplicationError(
            _(
                "L'area del messaggio («%(area)s») è tutta fuori dal territorio del %(name)s: "
                "non riguarda il Comune e non è stato importato nulla."
            )
            % {"area": description or "?", "name": name}
        )
    notes = []
    if left_out:
        notes.append(
            ngettext(
                "%(count)s area del messaggio è fuori dal territorio del Comune ed è stata "
                "lasciata fuori.",
                "%(count)s aree del messaggio sono fuori dal territorio del Comune e sono state "
                "lasciate fuori.",
                left_out,
            )
            % {"count": left_out}
        )
    area = {"features": {"type": "FeatureCollection", "features": kept}}
    try:
        cleaned = area_clean(area)
    except ValidationError as error:
        raise ApplicationError(
            _("L'area del messaggio non si può usare: non è stato importato nulla."),
            extra={"errors": list(error.messages)},
        ) from error
    total = len(civic_points())
    if total and area_civic_count(cleaned) == total:
        notes.append(
            _(
                "L'area del messaggio comprende tutti i numeri civici: la bozza è per tutto il "
                "Comune."
            )
        )
        return MappedArea({"city": True}, notes, description)
    return MappedArea(cleaned, notes, description)
