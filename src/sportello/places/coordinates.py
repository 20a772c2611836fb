"""Coordinate reference systems accepted by the stradario and the move to WGS84 (pyproj).

Civic numbers are stored in WGS84 longitude/latitude; files may come projected in the systems
Italian municipalities use (Gauss-Boaga, UTM on RDN2008 or WGS84).
"""

from __future__ import annotations

import math
import re
from functools import cache

from django.utils.translation import gettext as _
from pyproj import Transformer

from sportello.core.exceptions import ApplicationError

WGS84 = 4326

# EPSG code -> name. Geographic systems hold degrees; the others hold metres.
SUPPORTED_CRS: dict[int, str] = {
    4326: "WGS 84 (longitudine/latitudine)",
    6706: "RDN2008 (longitudine/latitudine)",
    3003: "Monte Mario / Italy zone 1 (Gauss-Boaga fuso Ovest)",
    3004: "Monte Mario / Italy zone 2 (Gauss-Boaga fuso Est)",
    6707: "RDN2008 / UTM zone 32N",
    6708: "RDN2008 / UTM zone 33N",
    7791: "RDN2008 / UTM zone 32N (E-N)",
    7792: "RDN2008 / UTM zone 33N (E-N)",
    25832: "ETRS89 / UTM zone 32N",
    25833: "ETRS89 / UTM zone 33N",
    32632: "WGS 84 / UTM zone 32N",
    32633: "WGS 84 / UTM zone 33N",
}
GEOGRAPHIC_CRS = frozenset({4326, 6706})
_EPSG = re.compile(r"^\s*(?:epsg\s*:?\s*)?(\d{4,5})\s*$", re.IGNORECASE)


def crs_parse(value: str | int) -> int:
    """«EPSG:3003», «epsg 3003» or 3003 -> 3003; any other system is refused."""
    match = _EPSG.match(str(value))
    code = int(match.group(1)) if match else None
    if code not in SUPPORTED_CRS:
        supported = ", ".join(f"EPSG:{code}" for code in SUPPORTED_CRS)
        raise ApplicationError(
            _("Sistema di riferimento «%(crs)s» non riconosciuto: si accettano %(supported)s.")
            % {"crs": value, "supported": supported},
            extra={"crs": str(value)},
        )
    return code


def crs_label(code: int) -> str:
    return f"EPSG:{code} ({SUPPORTED_CRS[code]})"


@cache
def _transformer(code: int) -> Transformer:
    # always_xy: easting/longitude first whatever axis order the EPSG definition declares.
    return Transformer.from_crs(f"EPSG:{code}", f"EPSG:{WGS84}", always_xy=True)


def to_wgs84(*, code: int, xs: list[float], ys: list[float]) -> list[tuple[float, float] | None]:
    """(longitude, latitude) for each (x, y) in the given system; None where it cannot be moved."""
    if not xs:
        return []
    if code == WGS84:
        longitudes, latitudes = xs, ys
    else:
        longitudes, latitudes = _transformer(code).transform(xs, ys)
    result: list[tuple[float, float] | None] = []
    for longitude, latitude in zip(longitudes, latitudes, strict=True):
        if (
            math.isfinite(longitude)
            and math.isfinite(latitude)
            and -180 <= longitude <= 180
            and -90 <= latitude <= 90
        ):
            result.append((round(longitude, 7), round(latitude, 7)))
        else:
            result.append(None)
    return result


def looks_geographic(*, x: float, y: float) -> bool:
    """Values that can only be degrees (projected systems here give hundreds of thousands)."""
    return -180 <= x <= 180 and -90 <= y <= 90


def decimal_parse(text: str) -> float | None:
    """«10,3086» (Italian) or «10.3086» -> 10.3086; None if it is not a number."""
    value = (text or "").strip().replace(" ", "")
    if not value:
        return None
    if "," in value and "." in value:
        # Thousands separators: the last separator is the decimal one.
        if value.rfind(",") > value.rfind("."):
            value = value.replace(".", "").replace(",", ".")
        else:
            value = value.replace(",", "")
    else:
        value = value.replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None
