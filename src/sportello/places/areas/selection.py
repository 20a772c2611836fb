"""The civic numbers inside a cleaned area, tested on the per-process arrays with shapely's
vectorised predicates."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from sportello.places.areas.civic_points import CivicPoints, civic_points
from sportello.places.areas.shapes import circle_polygon, circle_projection, feature_shape
from sportello.places.areas.spec import Parity


def _inside_shape(points: CivicPoints, shape: shapely.Geometry) -> np.ndarray:
    min_lon, min_lat, max_lon, max_lat = shape.bounds
    candidates = points.in_box(min_lon, min_lat, max_lon, max_lat)
    if not candidates.size:
        return candidates
    shapely.prepare(shape)
    # intersects_xy counts a point on the border as inside: nobody on the line is left out.
    inside = shapely.intersects_xy(shape, points.lon[candidates], points.lat[candidates])
    return candidates[inside]


def _inside_circle(points: CivicPoints, feature: dict[str, Any]) -> np.ndarray:
    lon, lat = feature["geometry"]["coordinates"]
    radius = feature["properties"]["radius"]
    min_lon, min_lat, max_lon, max_lat = circle_polygon(lon=lon, lat=lat, radius=radius).bounds
    pad = 1e-5  # the polygon is inscribed in the circle: widen its box by about a metre
    candidates = points.in_box(min_lon - pad, min_lat - pad, max_lon + pad, max_lat + pad)
    if not candidates.size:
        return candidates
    forward, _back = circle_projection(lon, lat)
    xs, ys = forward.transform(points.lon[candidates], points.lat[candidates])
    # In the azimuthal equidistant projection, the distance from the centre is the true one.
    return candidates[np.hypot(xs, ys) <= radius]


def _on_street(points: CivicPoints, entry: dict[str, Any]) -> np.ndarray:
    mask = points.street == entry["street"]
    if entry.get("from") is not None:
        mask &= points.number >= entry["from"]
    if entry.get("to") is not None:
        mask &= points.number <= entry["to"]
    parity = entry.get("parity") or Parity.ALL
    if parity == Parity.EVEN:
        mask &= points.number % 2 == 0
    elif parity == Parity.ODD:
        mask &= points.number % 2 == 1
    return np.flatnonzero(mask)


def area_indices(area: dict, points: CivicPoints) -> np.ndarray:
    """Positions in `points` of the civic numbers inside a (cleaned) area, sorted."""
    selected: list[np.ndarray] = []
    for feature in ((area.get("features") or {}).get("features")) or []:
        if feature["geometry"]["type"] == "Point":
            selected.append(_inside_circle(points, feature))
        else:
            selected.append(_inside_shape(points, feature_shape(feature)))
    for entry in area.get("streets") or []:
        selected.append(_on_street(points, entry))
    if not selected:
        return np.empty(0, dtype=np.int64)
    return np.unique(np.concatenate(selected))


def area_civic_numbers(area: dict) -> list[int] | None:
    """Ids of the civic numbers inside a cleaned area; None for the whole municipality, [] for
    an empty area (nobody)."""
    if not area:
        return []
    if area.get("city") is True:
        return None
    points = civic_points()
    return points.ids[area_indices(area, points)].tolist()


def area_civic_count(area: dict) -> int:
    """How many civic numbers the area holds (the whole stradario for the whole comune)."""
    if area.get("city") is True:
        return len(civic_points())
    if not area:
        return 0
    points = civic_points()
    return int(area_indices(area, points).size)
