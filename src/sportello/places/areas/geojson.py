"""Reading an area's shapes: GeoJSON (uploaded, pasted or drawn, in WGS84 or an Italian CRS) and
plain coordinates one point a line, as our FeatureCollection of polygons and circles."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sportello.places.areas.spec import MAX_FEATURES, MAX_UPLOAD_BYTES, decimal_text
from sportello.places.coordinates import SUPPORTED_CRS, WGS84, to_wgs84

_CRS_NAME = re.compile(r"EPSG:{1,2}(\d{4,5})$", re.IGNORECASE)
_CRS84 = re.compile(r"CRS:?84$", re.IGNORECASE)


def _kind_name(kind: str) -> str:
    names = {
        "Point": _("un punto senza raggio"),
        "MultiPoint": _("dei punti"),
        "LineString": _("una linea (LineString)"),
        "MultiLineString": _("delle linee (MultiLineString)"),
    }
    return names.get(kind, _("una geometria di tipo «%(kind)s»") % {"kind": kind})


def _crs_code(data: dict[str, Any]) -> int:
    """The EPSG code of a GeoJSON's legacy "crs" member (QGIS writes it); WGS84 when absent."""
    crs = data.get("crs")
    if not crs:
        return WGS84
    name = str(((crs or {}).get("properties") or {}).get("name", "")).strip()
    if _CRS84.search(name):
        return WGS84
    match = _CRS_NAME.search(name)
    code = int(match.group(1)) if match else None
    if code not in SUPPORTED_CRS:
        raise ValidationError(
            _(
                "Il sistema di riferimento «%(crs)s» non è tra quelli accettati: esporta il file "
                "in WGS 84 (EPSG:4326) o in uno dei sistemi italiani (Gauss-Boaga, UTM 32N/33N)."
            )
            % {"crs": name or "?"}
        )
    return code


def _geometries(data: Any) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(geometry, properties) of every feature of a FeatureCollection, Feature or geometry."""
    if not isinstance(data, dict) or "type" not in data:
        raise ValidationError(
            _("Il contenuto non è GeoJSON: manca il campo «type» (FeatureCollection o Feature).")
        )
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise ValidationError(_("La FeatureCollection non ha l'elenco «features»."))
        result = []
        for feature in features:
            result.extend(_geometries(feature))
        return result
    if kind == "Feature":
        geometry = data.get("geometry")
        properties = data.get("properties") or {}
        if not isinstance(geometry, dict):
            raise ValidationError(_("Un elemento del file non ha una geometria."))
        if not isinstance(properties, dict):
            properties = {}
        return [(geometry, properties)]
    if kind == "GeometryCollection":
        members = data.get("geometries")
        if not isinstance(members, list):
            raise ValidationError(_("La GeometryCollection non ha l'elenco «geometries»."))
        return [(member, {}) for member in members if isinstance(member, dict)]
    return [(data, {})]


def _position(value: Any) -> tuple[float, float]:
    if (
        not isinstance(value, list | tuple)
        or len(value) < 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value[:2])
        or not all(math.isfinite(v) for v in value[:2])
    ):
        raise ValidationError(
            _("Una coordinata non è una coppia di numeri [longitudine, latitudine].")
        )
    return float(value[0]), float(value[1])


def _rings(value: Any) -> list[list[tuple[float, float]]]:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Un poligono non ha coordinate."))
    rings = []
    for ring in value:
        if not isinstance(ring, list):
            raise ValidationError(_("Un poligono ha coordinate scritte male."))
        rings.append([_position(position) for position in ring])
    return rings


def _project(features: list[dict[str, Any]], code: int) -> list[dict[str, Any]]:
    """Move the features' coordinates from EPSG:code to WGS84 longitude/latitude."""
    if code == WGS84:
        return features

    def move(positions: list[tuple[float, float]]) -> list[list[float]]:
        moved = to_wgs84(code=code, xs=[p[0] for p in positions], ys=[p[1] for p in positions])
        if any(point is None for point in moved):
            raise ValidationError(
                _("Alcune coordinate non si possono convertire da EPSG:%(code)s.") % {"code": code}
            )
        return [[point[0], point[1]] for point in moved]  # type: ignore[index]

    result = []
    for feature in features:
        geometry = feature["geometry"]
        if geometry["type"] == "Point":
            coordinates: Any = move([tuple(geometry["coordinates"])])[0]
        elif geometry["type"] == "Polygon":
            coordinates = [move(ring) for ring in geometry["coordinates"]]
        else:
            coordinates = [[move(ring) for ring in part] for part in geometry["coordinates"]]
        result.append(
            {**feature, "geometry": {"type": geometry["type"], "coordinates": coordinates}}
        )
    return result


def _feature_normalise(geometry: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    """A Feature of our own shape: Polygon/MultiPolygon with rings as lists of [lon, lat], or a
    Point with a radius. Rings are read, never repaired: closure and size are checked later."""
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        rings: Any = _rings(coordinates)
        return _feature(kind, [[list(p) for p in ring] for ring in rings])
    if kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise ValidationError(_("Un multipoligono non ha coordinate."))
        parts = [[[list(p) for p in ring] for ring in _rings(part)] for part in coordinates]
        return _feature(kind, parts)
    if kind == "Point" and "radius" in properties:
        lon, lat = _position(coordinates)
        radius = properties.get("radius")
        if isinstance(radius, str):
            try:
                radius = float(radius.replace(",", "."))
            except ValueError:
                radius = None
        if not isinstance(radius, int | float) or isinstance(radius, bool):
            raise ValidationError(_("Il raggio di un cerchio non è un numero di metri."))
        return _feature("Point", [lon, lat], radius=float(radius))
    raise ValidationError(
        _(
            "Il file contiene %(kind)s: servono aree chiuse (Polygon o MultiPolygon) o cerchi "
            "(Point con properties.radius in metri)."
        )
        % {"kind": _kind_name(str(kind))}
    )


def _feature(kind: str, coordinates: Any, *, radius: float | None = None) -> dict[str, Any]:
    properties = {} if radius is None else {"radius": radius}
    return {
        "type": "Feature",
        "geometry": {"type": kind, "coordinates": coordinates},
        "properties": properties,
    }


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def geojson_read(data: Any) -> dict[str, Any]:
    """A parsed GeoJSON (FeatureCollection, Feature or bare geometry) as our FeatureCollection of
    polygons and circles in WGS84. Non-polygonal or empty content is refused."""
    code = _crs_code(data) if isinstance(data, dict) else WGS84
    features = [
        _feature_normalise(geometry, properties) for geometry, properties in _geometries(data)
    ]
    if not features:
        raise ValidationError(_("Il GeoJSON non contiene nessuna area."))
    if len(features) > MAX_FEATURES:
        raise ValidationError(
            _("Il GeoJSON contiene %(count)s aree: al massimo %(max)s.")
            % {"count": len(features), "max": MAX_FEATURES}
        )
    return _collection(_project(features, code))


def geojson_load(content: bytes | str) -> dict[str, Any]:
    """An uploaded or pasted GeoJSON text, checked for size and syntax, then read."""
    size = len(content.encode() if isinstance(content, str) else content)
    if size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("Il file è troppo grande (%(size)s MB): al massimo 2 MB. Semplifica le aree.")
            % {"size": decimal_text(size / 1024 / 1024, 1)}
        )
    if not size:
        raise ValidationError(_("Il file è vuoto."))
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(_("Il file non è un testo GeoJSON (UTF-8).")) from error
    try:
        data = json.loads(content)
    except json.JSONDecodeError as error:
        raise ValidationError(
            _("Il GeoJSON non si legge: errore alla riga %(line)s, colonna %(column)s.")
            % {"line": error.lineno, "column": error.colno}
        ) from error
    return geojson_read(data)


def _coordinate_pair(line: str) -> list[float] | None:
    """«43.5512, 10.3105», «43,5512 10,3105» or «43.5512;10.3105» -> [lat, lon, (radius)]."""
    from sportello.places.coordinates import decimal_parse

    text = line.strip().strip("[]()").strip()
    if ";" in text or "\t" in text:
        tokens = re.split(r"[;\t]+", text)
    elif re.search(r"\d,\d", text) and len(text.split()) > 1:
        tokens = text.replace(", ", " ").split()  # decimal commas, values apart by spaces
    else:
        tokens = re.split(r"\s*,\s*|\s+", text)
    values = [decimal_parse(token) for token in tokens if token.strip()]
    if len(values) not in (2, 3) or any(value is None for value in values):
        return None
    return values  # type: ignore[return-value]


def features_from_text(text: str) -> dict[str, Any]:
    """Pasted GeoJSON, or coordinates one point a line as «latitudine, longitudine».

    A blank line starts another polygon; each list of points is a polygon through them, closed
    by going back to the first point. A single line with a third number is a circle of that
    radius in metres («43.55, 10.31, 500»).
    """
    text = text.strip()
    if text.startswith(("{", "[")) and not re.match(r"^\[\s*-?\d", text):
        return geojson_load(text)
    features = []
    for number, block in enumerate(re.split(r"\n\s*\n", text), start=1):
        points = []
        for line in block.splitlines():
            if not line.strip():
                continue
            pair = _coordinate_pair(line)
            if pair is None:
                raise ValidationError(
                    _(
                        "La riga «%(line)s» non è una coppia di coordinate: scrivi "
                        "«latitudine, longitudine», un punto per riga (es. 43.5512, 10.3105)."
                    )
                    % {"line": line.strip()[:60]}
                )
            points.append(pair)
        if len(points) == 1 and len(points[0]) == 3:
            lat, lon, radius = points[0]
            features.append(_feature("Point", [lon, lat], radius=radius))
            continue
        if any(len(point) == 3 for point in points):
            raise ValidationError(
                _("Il raggio (terzo numero) si scrive solo per un cerchio, da solo su una riga.")
            )
        if len(points) < 3:
            raise ValidationError(
                _("L'area %(number)s ha %(count)s punti: per un poligono ne servono almeno 3.")
                % {"number": number, "count": len(points)}
            )
        ring = [[lon, lat] for lat, lon in points]
        if ring[0] != ring[-1]:
            ring.append(list(ring[0]))  # a list of vertices: going back to the first is implied
        features.append(_feature("Polygon", [ring]))
    if not features:
        raise ValidationError(_("Non hai scritto nessuna coordinata."))
    return _collection(features)
