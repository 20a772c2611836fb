"""Shapes of a normalised feature (polygons, circles in true metres) and the comune's territory."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import MultiPolygon, Point, Polygon, box

from sportello.core.selectors import municipality_get
from sportello.places.areas.civic_points import civic_points
from sportello.places.areas.spec import CIRCLE_QUAD_SEGMENTS, TERRITORY_MARGIN_DEGREES
from sportello.places.coordinates import WGS84


def polygon_parts(feature: dict[str, Any]) -> list[list[list[list[float]]]]:
    geometry = feature["geometry"]
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def feature_shape(feature: dict[str, Any]) -> shapely.Geometry:
    """The shapely geometry (WGS84) of a normalised feature; a circle becomes a polygon built in
    an azimuthal equidistant projection centred on it (true metres in every direction)."""
    geometry = feature["geometry"]
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"]
        return circle_polygon(lon=lon, lat=lat, radius=feature["properties"]["radius"])
    parts = [Polygon(rings[0], rings[1:]) for rings in polygon_parts(feature)]
    return parts[0] if geometry["type"] == "Polygon" else MultiPolygon(parts)


@lru_cache(maxsize=256)
def circle_projection(lon: float, lat: float) -> tuple[Transformer, Transformer]:
    local = CRS.from_proj4(
        f"+proj=aeqd +lat_0={lat} +lon_0={lon} +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
    )
    return (
        Transformer.from_crs(CRS.from_epsg(WGS84), local, always_xy=True),
        Transformer.from_crs(local, CRS.from_epsg(WGS84), always_xy=True),
    )


def circle_polygon(*, lon: float, lat: float, radius: float) -> Polygon:
    """A circle of `radius` metres around (lon, lat), as a WGS84 polygon."""
    _forward, back = circle_projection(lon, lat)
    disc = Point(0, 0).buffer(radius, quad_segs=CIRCLE_QUAD_SEGMENTS)
    xs, ys = back.transform(*np.asarray(disc.exterior.coords).T)
    return Polygon(np.column_stack([xs, ys]))


def territory_bounds() -> list[list[float]] | None:
    """[[south, west], [north, east]] of the comune, for a map's first view."""
    land = territory()
    if land is None:
        return None
    west, south, east, north = land.bounds
    return [[south, west], [north, east]]


def territory() -> Polygon | None:
    """The comune's box (configured), else the civic numbers' box with a margin, else None."""
    municipality = municipality_get()
    if municipality is not None and (
        municipality.min_latitude > -90
        or municipality.max_latitude < 90
        or municipality.min_longitude > -180
        or municipality.max_longitude < 180
    ):
        return box(
            municipality.min_longitude,
            municipality.min_latitude,
            municipality.max_longitude,
            municipality.max_latitude,
        )
    points = civic_points()
    if not len(points):
        return None
    margin = TERRITORY_MARGIN_DEGREES
    return box(
        float(points.lon.min()) - margin,
        float(points.lat.min()) - margin,
        float(points.lon.max()) + margin,
        float(points.lat.max()) + margin,
    )
