"""The civic numbers, as arrays per process: every process keeps numpy arrays of all civic
numbers (id, longitude, latitude, street, number), checked against a cheap version query on
each call, so that selection never asks the database for geometry."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.cache import cache
from django.db import connection

from sportello.places.models import CivicNumber

# The key's name is older than this module: processes running the previous release read it too.
POINTS_GENERATION_KEY = "sportello.alerts.targeting.points_generation"


@dataclass(frozen=True)
class CivicPoints:
    """Every civic number of the stradario, column by column, sorted by id."""

    version: tuple[Any, ...]
    built_at: float
    ids: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    street: np.ndarray
    number: np.ndarray

    def __len__(self) -> int:
        return int(self.ids.size)

    def in_box(self, min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> np.ndarray:
        """Indices of the points inside the box (edges included)."""
        return np.flatnonzero(
            (self.lon >= min_lon)
            & (self.lon <= max_lon)
            & (self.lat >= min_lat)
            & (self.lat <= max_lat)
        )


_points: dict[str, CivicPoints] = {}
_points_lock = threading.Lock()


def _points_version() -> tuple[Any, ...]:
    """Changes whenever the civic numbers change: the database raises a counter on every
    statement that touches them, whoever runs it (places migration 0002: a trigger); and
    civic_points_changed() for good measure. Nothing is rebuilt on a timer."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A sequence: read in no time, and never wound back by a rollback.
            cursor.execute("SELECT last_value, is_called FROM places_stradario_generation")
            generation: Any = tuple(cursor.fetchone())
        else:
            table = CivicNumber._meta.db_table
            cursor.execute(
                "SELECT g.generation, (SELECT COUNT(*) FROM "  # noqa: S608 - our table names
                f"{table}), (SELECT MAX(id) FROM {table}) FROM places_stradariogeneration g"
            )
            generation = tuple(cursor.fetchone() or ())
    return (connection.settings_dict["NAME"], generation, cache.get(POINTS_GENERATION_KEY))


def _points_load(version: tuple[Any, ...]) -> CivicPoints:
    table = CivicNumber._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, longitude, latitude, street_id, number FROM {table} ORDER BY id"  # noqa: S608
        )
        rows = cursor.fetchall()
    if rows:
        columns = np.array(rows, dtype=np.float64)
        ids, lon, lat, street, number = columns.T
    else:
        ids = lon = lat = street = number = np.empty(0, dtype=np.float64)
    return CivicPoints(
        version=version,
        built_at=time.monotonic(),
        ids=ids.astype(np.int64),
        lon=np.ascontiguousarray(lon),
        lat=np.ascontiguousarray(lat),
        street=street.astype(np.int64),
        number=number.astype(np.int64),
    )


def civic_points() -> CivicPoints:
    """This process's arrays of civic numbers, rebuilt when the stradario changed."""
    version = _points_version()
    alias = connection.alias
    current = _points.get(alias)
    if current is not None and current.version == version:
        return current
    with _points_lock:
        current = _points.get(alias)
        if current is None or current.version != version:
            current = _points_load(version)
            _points[alias] = current
    return current


def civic_points_changed() -> None:
    """Tell every process that civic numbers moved (e.g. after a stradario import that changed
    coordinates but no ids): they rebuild their arrays on their next selection."""
    cache.set(POINTS_GENERATION_KEY, time.time_ns(), timeout=None)
