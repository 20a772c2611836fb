"""The area spec's limits, an empty FeatureCollection, the parity of a street range, and how
numbers and places are written in Italian messages."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_FEATURES = 200
MAX_VERTICES = 50_000
MAX_STREETS = 300
MAX_RADIUS_M = 50_000
# Segments of a quarter circle when a circle is turned into a polygon (128 in all).
CIRCLE_QUAD_SEGMENTS = 32
# Without a configured territory, the comune is the civic numbers' box plus this margin.
TERRITORY_MARGIN_DEGREES = 0.01
AREA_DESCRIPTION_LENGTH = 250
EMPTY_COLLECTION: dict[str, Any] = {"type": "FeatureCollection", "features": []}


class Parity(models.TextChoices):
    ALL = "all", gettext_lazy("tutti i numeri")
    EVEN = "even", gettext_lazy("solo i numeri pari")
    ODD = "odd", gettext_lazy("solo i numeri dispari")


def decimal_text(value: float, decimals: int = 5) -> str:
    return number_format(value, decimal_pos=decimals)


def where_text(lon: float, lat: float) -> str:
    return _("latitudine %(lat)s, longitudine %(lon)s") % {
        "lat": decimal_text(lat),
        "lon": decimal_text(lon),
    }
