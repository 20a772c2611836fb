"""Where an alert goes: the area spec (the whole comune, polygons, circles, streets, an uploaded
GeoJSON), its validation in plain Italian, and the civic numbers that lie inside it.

An area spec is {"city": true}, or {"features": <GeoJSON FeatureCollection>, "streets": [...]}
with either or both keys. Features are Polygon/MultiPolygon in WGS84 longitude/latitude, and
circles as Point features with properties.radius in metres. A street entry is
{"street": <Street id>, "from": <int|null>, "to": <int|null>, "parity": "all"|"even"|"odd"};
a civic number with an exponent (12/A) counts as its number (12).

Selection never asks the database for geometry: every process keeps numpy arrays of all civic
numbers (id, longitude, latitude, street, number), checked against a cheap version query on each
call, and tests points with shapely's vectorised predicates.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
import shapely.errors
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from pyproj import CRS, Geod, Transformer
from shapely.geometry import MultiPolygon, Point, Polygon, box

from sportello.alerts.models import Alert, AlertStatus, Contact, Subscription, SubscriptionStatus
from sportello.core.exceptions import ApplicationError
from sportello.core.selectors import municipality_get
from sportello.core.services import audit_record
from sportello.places.coordinates import SUPPORTED_CRS, WGS84, to_wgs84
from sportello.places.models import CivicNumber, Street

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_FEATURES = 200
MAX_VERTICES = 50_000
MAX_STREETS = 300
MAX_RADIUS_M = 50_000
# Segments of a quarter circle when a circle is turned into a polygon (128 in all).
CIRCLE_QUAD_SEGMENTS = 32
# Without a configured territory, the comune is the civic numbers' box plus this margin.
TERRITORY_MARGIN_DEGREES = 0.01
POINTS_GENERATION_KEY = "sportello.alerts.targeting.points_generation"
AREA_DESCRIPTION_LENGTH = 250

_GEOD = Geod(ellps="WGS84")
_CRS_NAME = re.compile(r"EPSG:{1,2}(\d{4,5})$", re.IGNORECASE)
_CRS84 = re.compile(r"CRS:?84$", re.IGNORECASE)


class Parity(models.TextChoices):
    ALL = "all", gettext_lazy("tutti i numeri")
    EVEN = "even", gettext_lazy("solo i numeri pari")
    ODD = "odd", gettext_lazy("solo i numeri dispari")


# ---------------------------------------------------------------------------------------------
# The civic numbers, as arrays per process


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


# ---------------------------------------------------------------------------------------------
# Reading GeoJSON and plain coordinates


def _fmt(value: float, decimals: int = 5) -> str:
    return number_format(value, decimal_pos=decimals)


def _where(lon: float, lat: float) -> str:
    return _("latitudine %(lat)s, longitudine %(lon)s") % {"lat": _fmt(lat), "lon": _fmt(lon)}


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
            % {"size": _fmt(size / 1024 / 1024, 1)}
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


# ---------------------------------------------------------------------------------------------
# Validation


_REASONS = {
    "Self-intersection": gettext_lazy(
        "il bordo si incrocia (vicino a %(where)s): ridisegnalo in modo che i lati non si "
        "taglino, oppure dividilo in più poligoni"
    ),
    "Ring Self-intersection": gettext_lazy(
        "il bordo tocca se stesso (vicino a %(where)s): ridisegnalo senza passare due volte "
        "per lo stesso punto"
    ),
    "Interior is disconnected": gettext_lazy(
        "l'interno è diviso in parti separate (vicino a %(where)s): disegna parti separate come "
        "poligoni distinti"
    ),
    "Hole lies outside shell": gettext_lazy("un buco è fuori dal poligono (vicino a %(where)s)"),
    "Nested holes": gettext_lazy("un buco è dentro un altro buco (vicino a %(where)s)"),
    "Nested shells": gettext_lazy(
        "una parte è dentro un'altra (vicino a %(where)s): unisci le parti o disegnale separate"
    ),
    "Duplicate Rings": gettext_lazy("lo stesso bordo è ripetuto (vicino a %(where)s)"),
    "Too few points in geometry component": gettext_lazy(
        "ha troppo pochi punti distinti (vicino a %(where)s): servono almeno 3 vertici diversi"
    ),
    "Invalid Coordinate": gettext_lazy("ha una coordinata non valida (vicino a %(where)s)"),
    "Ring is not closed": gettext_lazy(
        "il bordo non è chiuso (vicino a %(where)s): l'ultimo punto deve ripetere il primo"
    ),
}
_REASON = re.compile(r"^(?P<reason>[^\[]+)\[(?P<x>\S+) (?P<y>\S+)\]$")


def _validity_problem(geometry: shapely.Geometry) -> str:
    """Why shapely finds the geometry invalid, in Italian; empty when it is valid."""
    if shapely.is_valid(geometry):
        return ""
    reason = shapely.is_valid_reason(geometry)
    match = _REASON.match(reason)
    if match:
        text = _REASONS.get(match.group("reason").strip())
        where = _where(float(match.group("x")), float(match.group("y")))
        if text is not None:
            return str(text) % {"where": where}
        return _("non è un poligono valido (%(reason)s, vicino a %(where)s)") % {
            "reason": match.group("reason").strip(),
            "where": where,
        }
    return _("non è un poligono valido (%(reason)s)") % {"reason": reason}


def _ring_problem(ring: list[list[float]], *, hole: bool) -> str:
    closed = len(ring) > 1 and ring[0] == ring[-1]
    if len(ring) - (1 if closed else 0) < 3:
        return (
            _("un buco ha meno di 3 vertici")
            if hole
            else _("ha meno di 3 vertici: un'area ne vuole almeno 3")
        )
    if not closed:
        return _(
            "il bordo non è chiuso: l'ultimo punto (%(last)s) deve ripetere il primo (%(first)s)"
        ) % {"last": _where(*ring[-1]), "first": _where(*ring[0])}
    for lon, lat in ring:
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return _(
                "ha coordinate che non sono gradi WGS 84 (%(lon)s, %(lat)s): servono "
                "longitudine e latitudine, oppure indica il sistema nel campo «crs» del file"
            ) % {"lon": lon, "lat": lat}
    return ""


def _polygon_parts(feature: dict[str, Any]) -> list[list[list[list[float]]]]:
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
    parts = [Polygon(rings[0], rings[1:]) for rings in _polygon_parts(feature)]
    return parts[0] if geometry["type"] == "Polygon" else MultiPolygon(parts)


@lru_cache(maxsize=256)
def _circle_projection(lon: float, lat: float) -> tuple[Transformer, Transformer]:
    local = CRS.from_proj4(
        f"+proj=aeqd +lat_0={lat} +lon_0={lon} +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"
    )
    return (
        Transformer.from_crs(CRS.from_epsg(WGS84), local, always_xy=True),
        Transformer.from_crs(local, CRS.from_epsg(WGS84), always_xy=True),
    )


def circle_polygon(*, lon: float, lat: float, radius: float) -> Polygon:
    """A circle of `radius` metres around (lon, lat), as a WGS84 polygon."""
    _forward, back = _circle_projection(lon, lat)
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


def _swapped(geometry: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geometry, lambda coordinates: coordinates[:, ::-1])


def _feature_label(index: int, feature: dict[str, Any]) -> str:
    if feature["geometry"]["type"] == "Point":
        return _("Cerchio %(number)s") % {"number": index}
    return _("Poligono %(number)s") % {"number": index}


def _feature_problems(
    index: int, feature: dict[str, Any]
) -> tuple[list[str], shapely.Geometry | None]:
    label = _feature_label(index, feature)
    geometry = feature["geometry"]
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"]
        radius = feature["properties"]["radius"]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            return [_("%(label)s: il centro non è in gradi WGS 84.") % {"label": label}], None
        if not radius > 0:
            return [
                _("%(label)s: il raggio deve essere maggiore di zero.") % {"label": label}
            ], None
        if radius > MAX_RADIUS_M:
            return [
                _("%(label)s: raggio di %(radius)s m, al massimo %(max)s m.")
                % {"label": label, "radius": _fmt(radius, 0), "max": _fmt(MAX_RADIUS_M, 0)}
            ], None
        return [], feature_shape(feature)
    problems = []
    vertices = 0
    for rings in _polygon_parts(feature):
        for position, ring in enumerate(rings):
            vertices += len(ring)
            problem = _ring_problem(ring, hole=position > 0)
            if problem:
                problems.append(_("%(label)s: %(problem)s.") % {"label": label, "problem": problem})
    if problems:
        return problems, None
    if vertices > MAX_VERTICES:
        return [
            _("%(label)s: %(count)s vertici, al massimo %(max)s. Semplifica il disegno.")
            % {"label": label, "count": _fmt(vertices, 0), "max": _fmt(MAX_VERTICES, 0)}
        ], None
    shape = feature_shape(feature)
    if shape.convex_hull.area == 0:
        return [
            _("%(label)s: non ha superficie (i punti sono allineati).") % {"label": label}
        ], None
    problem = _validity_problem(shape)
    if problem:
        return [_("%(label)s: %(problem)s.") % {"label": label, "problem": problem}], None
    return [], shape


def _outside_problem(
    index: int, feature: dict[str, Any], shape: shapely.Geometry, territory: Polygon
) -> str:
    label = _feature_label(index, feature)
    if _swapped(shape).intersects(territory):
        return _(
            "%(label)s: è fuori dal territorio del Comune, ma ci cadrebbe scambiando latitudine e "
            "longitudine. Nel GeoJSON viene prima la longitudine: [longitudine, latitudine]."
        ) % {"label": label}
    return _(
        "%(label)s: è fuori dal territorio del Comune. Controlla di aver disegnato o caricato "
        "l'area giusta."
    ) % {"label": label}


def _streets_clean(entries: Any) -> list[dict[str, Any]]:
    if not isinstance(entries, list):
        raise ValidationError(_("L'elenco delle strade è scritto male."))
    if len(entries) > MAX_STREETS:
        raise ValidationError(
            _(
                "Hai scelto %(count)s strade: al massimo %(max)s; per zone grandi disegna un "
                "poligono."
            )
            % {"count": len(entries), "max": MAX_STREETS}
        )
    cleaned: list[dict[str, Any]] = []
    problems: list[str] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ValidationError(_("L'elenco delle strade è scritto male."))
        street_id = entry.get("street")
        low, high = entry.get("from"), entry.get("to")
        parity = entry.get("parity") or Parity.ALL
        if not isinstance(street_id, int) or isinstance(street_id, bool):
            raise ValidationError(_("Una strada dell'elenco non ha il suo codice."))
        for value in (low, high):
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value < 1
            ):
                problems.append(_("I numeri civici dell'intervallo sono interi da 1 in su."))
        if parity not in Parity.values:
            problems.append(_("Scegli tutti i numeri, solo i pari o solo i dispari."))
        if isinstance(low, int) and isinstance(high, int) and low > high:
            problems.append(
                _("L'intervallo dal %(low)s al %(high)s è rovesciato: il primo numero va prima.")
                % {"low": low, "high": high}
            )
        item = {"street": street_id, "from": low, "to": high, "parity": str(parity)}
        if item not in cleaned:
            cleaned.append(item)
    if problems:
        raise ValidationError(list(dict.fromkeys(problems)))
    known = set(
        Street.objects.filter(pk__in={item["street"] for item in cleaned}).values_list(
            "pk", flat=True
        )
    )
    if any(item["street"] not in known for item in cleaned):
        raise ValidationError(
            _("Una strada scelta non è più nello stradario: toglila e cercala di nuovo.")
        )
    return cleaned


def area_clean(area: dict) -> dict:
    """The area spec validated and normalised; ValidationError (plain Italian) otherwise.

    Shapes are checked, never repaired: closed rings, at least 3 vertices, not self-intersecting
    (shapely), inside or touching the comune; circles with a radius above 0 and up to 50 km.
    """
    if not isinstance(area, dict):
        raise ValidationError(_("L'area è scritta male."))
    if area.get("city") is True:
        return {"city": True}
    result: dict[str, Any] = {}
    features_data = area.get("features")
    if features_data:
        collection = geojson_read(features_data)
        territory_box = territory()
        problems: list[str] = []
        for index, feature in enumerate(collection["features"], start=1):
            feature_problems, shape = _feature_problems(index, feature)
            problems.extend(feature_problems)
            if (
                shape is not None
                and territory_box is not None
                and not shape.intersects(territory_box)
            ):
                problems.append(_outside_problem(index, feature, shape, territory_box))
        if problems:
            raise ValidationError(problems)
        result["features"] = collection
    streets = _streets_clean(area.get("streets") or [])
    if streets:
        result["streets"] = streets
    if not result:
        raise ValidationError(
            _(
                "Scegli dove inviare l'allerta: tutto il Comune, una zona sulla mappa o delle "
                "strade."
            )
        )
    return result


# ---------------------------------------------------------------------------------------------
# Selection


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
    forward, _back = _circle_projection(lon, lat)
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


# ---------------------------------------------------------------------------------------------
# Descriptions


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
            "radius": _fmt(feature["properties"]["radius"], 0),
            "where": _where(lon, lat),
        }
    parts = _polygon_parts(feature)
    vertices = sum(max(len(rings[0]) - 1, 0) for rings in parts)
    try:
        square_metres = abs(_GEOD.geometry_area_perimeter(feature_shape(feature))[0])
    except (ValueError, shapely.errors.ShapelyError):
        square_metres = 0.0
    size = (
        _("circa %(area)s km²") % {"area": _fmt(square_metres / 1e6, 2)}
        if square_metres >= 100_000
        else _("circa %(area)s m²") % {"area": _fmt(round(square_metres, -2), 0)}
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
        len(_polygon_parts(feature))
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
            _("1 cerchio di %(radius)s m") % {"radius": _fmt(circles[0]["properties"]["radius"], 0)}
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


# ---------------------------------------------------------------------------------------------
# Saving the area of an alert


def alert_area_set(*, alert: Alert, area: dict, by: Any, request: Any = None) -> Alert:
    """Validate `area` and store it, with its description, on a draft alert."""
    cleaned = area_clean(area)
    description = area_summary(cleaned)
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status != AlertStatus.DRAFT:
            raise ApplicationError(
                _("L'area si può cambiare solo finché l'allerta è in bozza."),
                extra={"status": locked.status},
            )
        locked.area = cleaned
        locked.area_description = description
        locked.save(update_fields=["area", "area_description"])
        audit_record(
            action="alert.area",
            actor=by,
            target=locked,
            request=request,
            detail={"area": description},
        )
    return locked


# ---------------------------------------------------------------------------------------------
# Recipients per address (the preview map): counts only, never who they are


def area_join(alias: str, ids: list[int] | None) -> tuple[str, str, list[Any]]:
    """SQL restricting rows of `alias` (a table with civic_number_id) to the civic numbers `ids`
    (None: no restriction): (join clause, extra WHERE condition, parameters).

    On PostgreSQL the ids go as ranges of consecutive ids, two array parameters joined with
    BETWEEN: a stradario numbers a street's civic numbers one after the other, so a drawn area
    of 15,000 civic numbers is a few hundred ranges, each one index range scan, instead of
    15,000 index probes or a list of 15,000 values to match. Elsewhere: one JSON parameter."""
    if ids is None:
        return "", "", []
    if connection.vendor == "postgresql":
        values = np.unique(np.asarray(ids, dtype=np.int64))
        breaks = np.flatnonzero(np.diff(values) != 1)
        lows = np.concatenate((values[:1], values[breaks + 1]))
        highs = np.concatenate((values[breaks], values[-1:]))
        return (
            f"JOIN unnest(%s::bigint[], %s::bigint[]) AS {alias}_area(lo, hi)"
            f" ON {alias}.civic_number_id BETWEEN {alias}_area.lo AND {alias}_area.hi",
            "",
            [lows.tolist(), highs.tolist()],
        )
    return (
        "",
        f"AND {alias}.civic_number_id IN (SELECT value FROM json_each(%s))",  # noqa: S608
        [json.dumps(ids)],
    )


@contextmanager
def area_statements() -> Iterator[None]:
    """A transaction for the statements that join on `area_join`: on PostgreSQL without JIT
    (the planner cannot tell how many rows a range holds, guesses millions, and would spend a
    second compiling a query that takes milliseconds) and with room to count in memory."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


def recipients_per_address(
    ids: list[int] | None, *, directory_only: bool = False
) -> dict[int, int]:
    """Civic number id -> how many recipients live there (verified subscriptions and directory
    contacts; only the contacts with `directory_only`, as a re-confirmation campaign calls), for
    the civic numbers `ids` (None: the whole municipality). Addresses without recipients are
    left out."""
    if ids is not None and not ids:
        return {}
    queries = []
    for table, alias, where in (
        (Subscription._meta.db_table, "s", f"s.status = '{SubscriptionStatus.ACTIVE.value}'"),
        (Contact._meta.db_table, "c", "c.civic_number_id IS NOT NULL"),
    ):
        join, condition, params = area_join(alias, ids)
        queries.append(
            (
                f"SELECT {alias}.civic_number_id, COUNT(*) FROM {table} {alias} {join} "  # noqa: S608
                f"WHERE {where} {condition} GROUP BY {alias}.civic_number_id",
                params,
            )
        )
    if directory_only:
        queries = queries[1:]
    counts: dict[int, int] = {}
    # One query per table: each keeps its own index plan, which a UNION would lose.
    with area_statements(), connection.cursor() as cursor:
        for sql, params in queries:
            cursor.execute(sql, params)
            for civic, count in cursor.fetchall():
                counts[int(civic)] = counts.get(int(civic), 0) + int(count)
    return counts
