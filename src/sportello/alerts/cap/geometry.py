"""Shapes CAP needs that an alert's area spec does not hold as such: the comune as a whole (for
city-wide alerts), the comune's territory (to tell whether a received area concerns us), and the
corridors of the streets an alert was addressed to.

The civic numbers come from places.areas.civic_points' per-process arrays; buffers are drawn in
metres in a local azimuthal equidistant projection, so that they are true in every direction.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import MultiPoint, Polygon, box

from sportello.core.selectors import municipality_get
from sportello.places.areas.civic_points import civic_points
from sportello.places.areas.selection import area_indices

WGS84 = 4326
# Around the comune's civic numbers (city-wide alerts): people at the edge are inside.
CITY_MARGIN_M = 100
# Around each civic number of a street, and the tolerance of the simplified outline.
STREET_MARGIN_M = 30
SIMPLIFY_M = 5
# Past this many separate pieces, a street selection is described by its hull instead.
MAX_STREET_PARTS = 50
# Without a configured box, the territory is the civic numbers' box plus this (as targeting).
TERRITORY_MARGIN_DEGREES = 0.01

_city: dict[Any, Polygon | None] = {}
_city_lock = threading.Lock()


@lru_cache(maxsize=64)
def _projection(lon: float, lat: float) -> tuple[Transformer, Transformer]:
    local = CRS.from_proj4(
        f"+proj=aeqd +lat_0={lat} +lon_0={lon} +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
    )
    return (
        Transformer.from_crs(CRS.from_epsg(WGS84), local, always_xy=True),
        Transformer.from_crs(local, CRS.from_epsg(WGS84), always_xy=True),
    )


def _outline(lon: np.ndarray, lat: np.ndarray, *, margin: float, hull: bool) -> list[Polygon]:
    """Polygons (WGS84) around the points: their convex hull, or the union of a disc around
    each, widened by `margin` metres and simplified."""
    centre_lon, centre_lat = round(float(lon.mean()), 3), round(float(lat.mean()), 3)
    forward, back = _projection(centre_lon, centre_lat)
    xs, ys = forward.transform(lon, lat)
    points = MultiPoint(np.column_stack([xs, ys]))
    if hull:
        shape = points.convex_hull.buffer(margin, quad_segs=4)
    else:
        shape = points.buffer(margin, quad_segs=4)
    shape = shape.simplify(SIMPLIFY_M)
    parts = list(getattr(shape, "geoms", [shape]))
    if not hull and len(parts) > MAX_STREET_PARTS:
        return _outline(lon, lat, margin=margin, hull=True)
    result = []
    for part in parts:
        if isinstance(part, Polygon) and not part.is_empty:
            moved = shapely.transform(
                part.exterior, lambda xy: np.column_stack(back.transform(xy[:, 0], xy[:, 1]))
            )
            result.append(Polygon(moved))
    return result


def city_polygon() -> Polygon | None:
    """The inhabited comune: the convex hull of every civic number, 100 m wider; else the
    configured box; None when neither is known. Kept per process until the stradario changes."""
    points = civic_points()
    version = points.version
    if version in _city:
        return _city[version]
    with _city_lock:
        if version not in _city:
            polygon: Polygon | None = None
            if (
                len(points) >= 3
                and shapely.MultiPoint(
                    np.column_stack([points.lon, points.lat])
                ).convex_hull.geom_type
                == "Polygon"
            ):
                polygon = _outline(points.lon, points.lat, margin=CITY_MARGIN_M, hull=True)[0]
            else:
                polygon = configured_box()
            _city.clear()
            _city[version] = polygon
    return _city[version]


def configured_box() -> Polygon | None:
    """The territory box configured on the Municipality, None when left at the whole world."""
    municipality = municipality_get()
    if municipality is None or (
        municipality.min_latitude <= -90
        and municipality.max_latitude >= 90
        and municipality.min_longitude <= -180
        and municipality.max_longitude >= 180
    ):
        return None
    return box(
        municipality.min_longitude,
        municipality.min_latitude,
        municipality.max_longitude,
        municipality.max_latitude,
    )


def streets_polygons(streets: list[dict[str, Any]]) -> list[Polygon]:
    """Corridors around the civic numbers of an area's street entries (30 m around each)."""
    if not streets:
        return []
    points = civic_points()
    indices = area_indices({"streets": streets}, points)
    if not indices.size:
        return []
    return _outline(points.lon[indices], points.lat[indices], margin=STREET_MARGIN_M, hull=False)
