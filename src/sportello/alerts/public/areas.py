"""The area of an alert as a shape anyone can draw: one (multi)polygon in WGS84 GeoJSON.

Polygons are kept as drawn, circles become polygons (GeoJSON has no circles), streets become
the civic numbers chosen on them widened by STREET_BUFFER_M, and the whole comune is the outline
(convex hull) of its civic numbers. Everything is in degrees but widened in metres, on a local
scale (cos latitude), which is exact enough at a town's size. The shapes depend only on the area
spec, frozen once an alert is sent, and on the stradario: they are cached.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import numpy as np
import shapely
from django.core.cache import cache
from django.db.models import Count, Max
from shapely.geometry import MultiPoint, mapping, shape

from sportello.places.areas.civic_points import POINTS_GENERATION_KEY, civic_points
from sportello.places.areas.selection import area_indices
from sportello.places.areas.shapes import feature_shape
from sportello.places.models import CivicNumber

STREET_BUFFER_M = 30
CITY_BUFFER_M = 100
METRES_PER_DEGREE = 111_320.0
PRECISION_DEGREES = 1e-6  # about 10 cm: enough for a map, and a small file
CACHE_SECONDS = 3600


def _widened(geometry: shapely.Geometry, metres: float) -> shapely.Geometry:
    """`geometry` widened by `metres`, with longitudes scaled by cos(latitude) so that the margin
    is round, not oval."""
    if geometry.is_empty:
        return geometry
    latitude = shapely.centroid(geometry).y
    scale = max(math.cos(math.radians(latitude)), 0.01)
    squeezed = shapely.transform(geometry, lambda xy: xy * np.array([scale, 1.0]))
    grown = squeezed.buffer(metres / METRES_PER_DEGREE, quad_segs=4)
    return shapely.transform(grown, lambda xy: xy / np.array([scale, 1.0]))


def _version() -> str:
    """Changes with the stradario, as targeting's own check (count, highest id, generation); a
    cheap query, without reading the civic numbers."""
    figures = CivicNumber.objects.aggregate(count=Count("id"), highest=Max("id"))
    version = (figures["count"], figures["highest"], cache.get(POINTS_GENERATION_KEY))
    return hashlib.sha256(repr(version).encode()).hexdigest()[:16]


def city_outline() -> shapely.Geometry | None:
    """The comune as the outline of its civic numbers (None with an empty stradario)."""
    key = f"sportello.alerts.public.city:{_version()}"
    found = cache.get(key)
    if found is not None:
        return shapely.from_wkb(found) if found else None
    points = civic_points()
    if not len(points):
        cache.set(key, b"", CACHE_SECONDS)
        return None
    hull = MultiPoint(np.column_stack([points.lon, points.lat])).convex_hull
    outline = shapely.set_precision(_widened(hull, CITY_BUFFER_M), PRECISION_DEGREES)
    cache.set(key, shapely.to_wkb(outline), CACHE_SECONDS)
    return outline


def _streets_shape(area: dict[str, Any]) -> shapely.Geometry | None:
    points = civic_points()
    chosen = area_indices({"streets": area["streets"]}, points)
    if not chosen.size:
        return None
    dots = MultiPoint(np.column_stack([points.lon[chosen], points.lat[chosen]]))
    return _widened(dots, STREET_BUFFER_M)


def area_shape(area: dict[str, Any]) -> shapely.Geometry | None:
    """The area spec as one WGS84 (multi)polygon; None when it holds nothing drawable."""
    if not area:
        return None
    if area.get("city") is True:
        return city_outline()
    parts = [feature_shape(feature) for feature in (area.get("features") or {}).get("features", [])]
    if area.get("streets"):
        streets = _streets_shape(area)
        if streets is not None:
            parts.append(streets)
    parts = [part for part in parts if part is not None and not part.is_empty]
    if not parts:
        return None
    return shapely.set_precision(shapely.union_all(parts), PRECISION_DEGREES)


def area_geometry(area: dict[str, Any]) -> dict[str, Any] | None:
    """The area spec as a GeoJSON geometry (Polygon or MultiPolygon), cached by its content."""
    digest = hashlib.sha256(json.dumps(area, sort_keys=True).encode()).hexdigest()[:32]
    key = f"sportello.alerts.public.area:{digest}:{_version()}"
    found = cache.get(key)
    if found is not None:
        return found or None
    drawn = area_shape(area)
    geometry = mapping(drawn) if drawn is not None and not drawn.is_empty else None
    if geometry is not None:
        geometry = json.loads(json.dumps(geometry))  # tuples -> lists, as any JSON reader has it
    cache.set(key, geometry or {}, CACHE_SECONDS)
    return geometry


def area_bounds(geometry: dict[str, Any] | None) -> list[list[float]] | None:
    """[[south, west], [north, east]] of a GeoJSON geometry, for a map's first view."""
    if not geometry:
        return None
    west, south, east, north = shape(geometry).bounds
    return [[south, west], [north, east]]
