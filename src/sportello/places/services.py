"""Writes to the stradario: streets, civic numbers, and the CSV import of civic numbers.

Every street's search key (Street.search_name) is computed here, so that search and geocoding
(selectors.py) can rely on it. The import validates each row, reports rejected rows with their
line and reason, and lands the good ones; running it twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sportello.core.csvfiles import csv_dialect, csv_text
from sportello.core.exceptions import ApplicationError
from sportello.core.models import Municipality
from sportello.core.selectors import municipality_get
from sportello.places.coordinates import (
    GEOGRAPHIC_CRS,
    WGS84,
    crs_label,
    crs_parse,
    decimal_parse,
    looks_geographic,
    to_wgs84,
)
from sportello.places.models import CivicNumber, Street
from sportello.places.normalize import (
    display_case,
    exponent_normalize,
    fold,
    street_search_key,
    street_type_words,
)

BATCH_SIZE = 1000
# Coordinates closer than this (about 1 cm) are the same position: keeps re-runs idempotent.
COORDINATE_TOLERANCE = 1e-7


class UpsertOutcome(models.TextChoices):
    CREATED = "created", gettext_lazy("creato")
    UPDATED = "updated", gettext_lazy("aggiornato")
    UNCHANGED = "unchanged", gettext_lazy("invariato")


class ImportLayout(models.TextChoices):
    ANNCSU = "anncsu", gettext_lazy("ANNCSU (archivio nazionale dei numeri civici)")
    SIMPLE = "simple", gettext_lazy("semplice (street_type, street_name, number, ...)")


# ---------------------------------------------------------------------------------------------
# Streets


def _max_length(model: type[models.Model], field_name: str) -> int:
    return model._meta.get_field(field_name).max_length  # type: ignore[return-value]


_STREET_LIMITS = (
    ("street_type", gettext_lazy("tipo di strada")),
    ("name", gettext_lazy("nome della strada")),
    ("code", gettext_lazy("codice strada")),
    ("postal_code", gettext_lazy("CAP")),
)


def street_problem(*, street_type: str, name: str, code: str | None, postal_code: str) -> str:
    """Why these values cannot be a street, in plain Italian; empty when they can."""
    if not name:
        return _("manca il nome della strada")
    values = {
        "street_type": street_type,
        "name": name,
        "code": code or "",
        "postal_code": postal_code,
    }
    for field_name, label in _STREET_LIMITS:
        limit = _max_length(Street, field_name)
        if len(values[field_name]) > limit:
            return _("%(label)s troppo lungo (al massimo %(limit)d caratteri)") % {
                "label": label,
                "limit": limit,
            }
    if postal_code and not re.fullmatch(r"\d{5}", postal_code):
        return _("CAP «%(value)s» non valido: sono 5 cifre") % {"value": postal_code}
    return ""


def street_get_or_create(
    *, street_type: str, name: str, code: str | None = None, postal_code: str = ""
) -> tuple[Street, bool]:
    """The street with this national code, or else with this name (however written); created
    if missing. A street found by name without a code receives the code. Returns (street, created).
    """
    street_type = " ".join((street_type or "").split())
    name = " ".join((name or "").split())
    code = (code or "").strip() or None
    postal_code = (postal_code or "").strip()
    problem = street_problem(street_type=street_type, name=name, code=code, postal_code=postal_code)
    if problem:
        raise ApplicationError(problem[:1].upper() + problem[1:] + ".")
    key = street_search_key(street_type=street_type, name=name)
    with transaction.atomic():
        street = Street.objects.filter(code=code).first() if code else None
        if street is None:
            same_name = list(Street.objects.filter(search_name=key))
            street = _pick_same_name(same_name, street_type=street_type, name=name)
            if street is not None and code:
                if street.code and street.code != code:
                    raise ApplicationError(
                        _("La strada «%(street)s» ha già il codice %(code)s.")
                        % {"street": street.full_name, "code": street.code},
                        extra={"street_id": street.pk},
                    )
                street.code = code
                street.save(update_fields=["code"])
        if street is not None:
            return street, False
        street = Street.objects.create(
            code=code,
            street_type=street_type,
            name=name,
            search_name=key,
            postal_code=postal_code,
        )
        return street, True


def street_update(
    *,
    street: Street,
    street_type: str,
    name: str,
    code: str | None = None,
    postal_code: str = "",
) -> Street:
    """Change a street's type, name, code or CAP, keeping its search key in step."""
    street_type = " ".join((street_type or "").split())
    name = " ".join((name or "").split())
    code = (code or "").strip() or None
    postal_code = (postal_code or "").strip()
    problem = street_problem(street_type=street_type, name=name, code=code, postal_code=postal_code)
    if problem:
        raise ApplicationError(problem[:1].upper() + problem[1:] + ".")
    street.street_type = street_type
    street.name = name
    street.code = code
    street.postal_code = postal_code
    street.search_name = street_search_key(street_type=street_type, name=name)
    try:
        with transaction.atomic():
            street.save()
    except IntegrityError as error:
        raise ApplicationError(
            _("Esiste già una strada con questo nome o con questo codice."),
            extra={"street_id": street.pk},
        ) from error
    return street


def _pick_same_name(streets: list[Street], *, street_type: str, name: str) -> Street | None:
    """Among streets sharing a search key, the one written exactly so, else the first."""
    for street in streets:
        if street.street_type == street_type and street.name == name:
            return street
    return streets[0] if streets else None


@lru_cache(maxsize=20_000)
def odonimo_split(odonimo: str) -> tuple[str, str]:
    """«VIA GIUSEPPE GARIBALDI» -> («Via», «Giuseppe Garibaldi»): the street type is the first
    word (or two) when it is a known one; otherwise the whole text is the name."""
    words = (odonimo or "").split()
    size = street_type_words(words) if len(words) > 1 else 0
    if size and len(words) > size:
        name = display_case(" ".join(words[size:]), after_street_type=True)
        return display_case(" ".join(words[:size])), name
    return "", display_case(" ".join(words))


# ---------------------------------------------------------------------------------------------
# Civic numbers


def _civic_problem(
    *,
    number: int | None,
    exponent: str,
    latitude: float | None,
    longitude: float | None,
    municipality: Municipality | None,
) -> str:
    """Why these values cannot be a civic number, in plain Italian; empty when they can."""
    if number is None or number <= 0:
        return _("numero civico mancante o uguale a zero (senza numero civico)")
    if len(exponent) > _max_length(CivicNumber, "exponent"):
        return _("esponente «%(value)s» troppo lungo") % {"value": exponent}
    if latitude is None or longitude is None:
        return _("mancano le coordinate")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return _("coordinate non valide (latitudine %(lat)s, longitudine %(lon)s)") % {
            "lat": latitude,
            "lon": longitude,
        }
    if municipality is not None and not municipality.contains(
        latitude=latitude, longitude=longitude
    ):
        return _(
            "coordinate fuori dal territorio del Comune (latitudine %(lat).6f, "
            "longitudine %(lon).6f)"
        ) % {"lat": latitude, "lon": longitude}
    return ""


def _apply_values(civic: CivicNumber, values: dict[str, Any]) -> list[str]:
    """Set the values that differ; blank values never erase what is there. Returns the fields."""
    changed: list[str] = []
    for name, value in values.items():
        current = getattr(civic, "street_id" if name == "street" else name)
        new = value.pk if name == "street" else value
        if name in {"latitude", "longitude"}:
            if current is not None and abs(current - new) <= COORDINATE_TOLERANCE:
                continue
        elif (name in {"code", "zone", "postal_code"} and not new) or current == new:
            continue
        setattr(civic, name, value)
        changed.append(name)
    return changed


def civic_number_upsert(
    *,
    street: Street,
    number: int,
    exponent: str = "",
    latitude: float,
    longitude: float,
    code: str | None = None,
    zone: str = "",
    postal_code: str = "",
) -> tuple[CivicNumber, UpsertOutcome]:
    """Create or update the civic number identified by its national code, or else by street,
    number and exponent. Refuses positions outside the comune when one is configured."""
    exponent = exponent_normalize(exponent)
    code = (code or "").strip() or None
    problem = _civic_problem(
        number=number,
        exponent=exponent,
        latitude=latitude,
        longitude=longitude,
        municipality=municipality_get(),
    )
    if problem:
        raise ApplicationError(problem[:1].upper() + problem[1:] + ".")
    values: dict[str, Any] = {
        "street": street,
        "number": number,
        "exponent": exponent,
        "code": code,
        "latitude": round(latitude, 7),
        "longitude": round(longitude, 7),
        "zone": (zone or "").strip(),
        "postal_code": (postal_code or "").strip(),
    }
    with transaction.atomic():
        by_key = CivicNumber.objects.filter(street=street, number=number, exponent=exponent)
        key_owner = by_key.select_for_update().first()
        target = CivicNumber.objects.select_for_update().filter(code=code).first() if code else None
        if target is None:
            target = key_owner
        elif key_owner is not None and key_owner.pk != target.pk:
            raise ApplicationError(
                _("Il civico %(label)s esiste già con un altro codice.")
                % {"label": str(key_owner)},
                extra={"civic_number_id": key_owner.pk},
            )
        if target is None:
            return CivicNumber.objects.create(**values), UpsertOutcome.CREATED
        changed = _apply_values(target, values)
        if not changed:
            return target, UpsertOutcome.UNCHANGED
        target.save(update_fields=changed)
        return target, UpsertOutcome.UPDATED


# ---------------------------------------------------------------------------------------------
# Import


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import did: counts, and every rejected row with its line and reason."""

    layout: str = ""
    crs: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    streets_created: int = 0
    streets_updated: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged

    def reject(self, line: int, reason: str) -> None:
        self.rejected.append(RejectedRow(line=line, reason=reason))

    def lines(self) -> list[str]:
        """The report in plain Italian, one line per item, every rejected row included."""
        result = [
            _("Tracciato: %(layout)s") % {"layout": self.layout},
            _("Sistema di riferimento: %(crs)s") % {"crs": self.crs},
            _("Righe lette: %(rows)d") % {"rows": self.rows},
            _(
                "Civici creati: %(created)d, aggiornati: %(updated)d, invariati: %(unchanged)d, "
                "scartati: %(rejected)d"
            )
            % {
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "rejected": len(self.rejected),
            },
            _("Strade create: %(created)d, aggiornate: %(updated)d")
            % {"created": self.streets_created, "updated": self.streets_updated},
        ]
        if self.rejected:
            result.append(_("Righe scartate:"))
            result.extend(
                _("  riga %(line)d: %(reason)s") % {"line": row.line, "reason": row.reason}
                for row in self.rejected
            )
        return result


# Column names accepted for each field, most specific first (compared after header_key()).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "street_code": (
        "street_code",
        "progressivo_nazionale",
        "codice_strada",
        "codice_via",
        "codicevia",
        "cod_via",
    ),
    "odonimo": ("odonimo",),
    "street_type": ("street_type", "dug", "tipo_strada", "tipo"),
    "street_name": ("street_name", "denominazione", "duf", "nome_strada", "denominazione_strada"),
    "number": ("number", "civico", "numero_civico", "numero"),
    "exponent": ("exponent", "esponente"),
    "civic_code": ("civic_code", "progressivo_accesso", "codice_civico"),
    "x": (
        "longitude",
        "longitudine",
        "lon",
        "lng",
        "coord_x_comune",
        "coord_x",
        "coordx",
        "x",
        "est",
    ),
    "y": ("latitude", "latitudine", "lat", "coord_y_comune", "coord_y", "coordy", "y", "nord"),
    "zone": ("zone", "zona", "quartiere", "quartieresobborgo", "circoscrizione", "localita"),
    "postal_code": ("postal_code", "cap"),
    "crs": ("crs", "epsg", "sistema_riferimento"),
    "istat_code": ("codice_istat", "istat_code", "istat"),
    "cadastral_code": ("codice_comune", "codice_catastale", "cadastral_code"),
}
_ANNCSU_MARKERS = {"odonimo", "progressivo_nazionale", "progressivo_accesso", "coord_x_comune"}
_FIELD_LABELS = {
    "number": "number / CIVICO",
    "x": "longitude / COORD_X",
    "y": "latitude / COORD_Y",
    "street": "street_name / ODONIMO / street_code",
}
_NUMBER_CELL = re.compile(r"^(\d{1,6})\s*(?:[/-]?\s*([A-Za-z]{1,10}|\d{1,3}))?$")


def header_key(header: str) -> str:
    """«COORD_X_COMUNE», «Coord X», «LOCALITA'» -> «coord_x_comune», «coord_x», «localita»."""
    return re.sub(r"[^a-z0-9]+", "_", fold(header.replace("\ufeff", ""))).strip("_")


@dataclass
class _Row:
    line: int
    street_code: str
    street_type: str
    street_name: str
    key: str
    number: int
    exponent: str
    civic_code: str
    x: float
    y: float
    crs: int | None
    zone: str
    postal_code: str
    latitude: float = 0.0
    longitude: float = 0.0


class _Rejected(Exception):
    """A row that cannot be imported; the message is the reason shown to the operator."""


def _columns(headers: list[str]) -> dict[str, int]:
    keys = [header_key(header) for header in headers]
    columns: dict[str, int] = {}
    for field_name, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in keys:
                columns[field_name] = keys.index(alias)
                break
    missing = [name for name in ("number", "x", "y") if name not in columns]
    if not {"odonimo", "street_name", "street_code"} & columns.keys():
        missing.append("street")
    if missing:
        raise ApplicationError(
            _("Il file non ha le colonne necessarie: %(missing)s. Intestazioni trovate: %(found)s.")
            % {
                "missing": ", ".join(_FIELD_LABELS[name] for name in missing),
                "found": ", ".join(headers) or "-",
            },
            extra={"missing": missing},
        )
    return columns


def _cell(cells: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    if index is None or index >= len(cells):
        return ""
    return " ".join(cells[index].split())


@lru_cache(maxsize=20_000)
def _search_key(street_type: str, name: str) -> str:
    return street_search_key(street_type=street_type, name=name)


def _parse_row(
    *, line: int, cells: list[str], columns: dict[str, int], municipality: Municipality | None
) -> _Row:
    cell = lambda name: _cell(cells, columns, name)  # noqa: E731

    istat = cell("istat_code")
    if (
        municipality
        and istat
        and municipality.istat_code
        and istat.zfill(6) != municipality.istat_code
    ):
        raise _Rejected(_("la riga è di un altro Comune (codice ISTAT %(code)s)") % {"code": istat})
    cadastral = cell("cadastral_code")
    expected = municipality.cadastral_code.upper() if municipality else ""
    if cadastral and expected and cadastral.upper() != expected:
        raise _Rejected(
            _("la riga è di un altro Comune (codice catastale %(code)s)") % {"code": cadastral}
        )

    street_code = cell("street_code")
    street_type, street_name = cell("street_type"), cell("street_name")
    if not street_name and cell("odonimo"):
        odonimo_type, street_name = odonimo_split(cell("odonimo"))
        street_type = street_type or odonimo_type
    street_name = display_case(street_name, after_street_type=bool(street_type))
    street_type = display_case(street_type)
    if not street_name and not street_code:
        raise _Rejected(_("manca la strada (né nome né codice)"))
    if street_name:
        problem = street_problem(
            street_type=street_type,
            name=street_name,
            code=street_code,
            postal_code=cell("postal_code"),
        )
        if problem:
            raise _Rejected(problem)

    raw_number, exponent = cell("number"), cell("exponent")
    match = _NUMBER_CELL.match(raw_number)
    if not raw_number:
        raise _Rejected(_("manca il numero civico"))
    glued = exponent_normalize(match.group(2) or "") if match else ""
    if match is None or (glued and exponent and glued != exponent_normalize(exponent)):
        raise _Rejected(_("numero civico non valido: «%(value)s»") % {"value": raw_number})
    number = int(match.group(1))
    exponent = exponent_normalize(exponent or match.group(2) or "")
    if not re.fullmatch(r"[A-Z0-9]*", exponent):
        raise _Rejected(_("esponente non valido: «%(value)s»") % {"value": cell("exponent")})

    raw_x, raw_y = cell("x"), cell("y")
    if not raw_x or not raw_y:
        raise _Rejected(_("mancano le coordinate"))
    x, y = decimal_parse(raw_x), decimal_parse(raw_y)
    if x is None or y is None:
        raise _Rejected(
            _("coordinate non numeriche: longitudine o est «%(x)s», latitudine o nord «%(y)s»")
            % {"x": raw_x, "y": raw_y}
        )
    row_crs: int | None = None
    if cell("crs"):
        try:
            row_crs = crs_parse(cell("crs"))
        except ApplicationError as error:
            raise _Rejected(error.message[:1].lower() + error.message[1:].rstrip(".")) from error

    civic_code, zone, postal_code = cell("civic_code"), cell("zone"), cell("postal_code")
    for value, field_name, label in (
        (civic_code, "code", gettext_lazy("codice civico")),
        (zone, "zone", gettext_lazy("zona")),
    ):
        if len(value) > _max_length(CivicNumber, field_name):
            raise _Rejected(
                _("%(label)s troppo lungo: «%(value)s»") % {"label": label, "value": value}
            )
    return _Row(
        line=line,
        street_code=street_code,
        street_type=street_type,
        street_name=street_name,
        key=_search_key(street_type, street_name) if street_name else "",
        number=number,
        exponent=exponent,
        civic_code=civic_code,
        x=x,
        y=y,
        crs=row_crs,
        zone=display_case(zone),
        postal_code=postal_code,
    )


def _locate(
    rows: list[_Row],
    *,
    file_crs: int | None,
    municipality: Municipality | None,
    report: ImportReport,
) -> list[_Row]:
    """Move every row's coordinates to WGS84 and keep those inside the comune."""
    by_crs: dict[int, list[_Row]] = {}
    for row in rows:
        code = row.crs or file_crs
        if code is None:
            if not looks_geographic(x=row.x, y=row.y):
                report.reject(
                    row.line,
                    _(
                        "le coordinate (%(x)s, %(y)s) sono in metri ma il sistema di riferimento "
                        "non è indicato: usa --crs (es. EPSG:3003)"
                    )
                    % {"x": row.x, "y": row.y},
                )
                continue
            code = WGS84
        elif code not in GEOGRAPHIC_CRS and looks_geographic(x=row.x, y=row.y):
            report.reject(
                row.line,
                _("le coordinate (%(x)s, %(y)s) sembrano in gradi, ma EPSG:%(code)d è in metri")
                % {"x": row.x, "y": row.y, "code": code},
            )
            continue
        by_crs.setdefault(code, []).append(row)
    located: list[_Row] = []
    for code, group in by_crs.items():
        points = to_wgs84(code=code, xs=[row.x for row in group], ys=[row.y for row in group])
        for row, point in zip(group, points, strict=True):
            if point is None:
                report.reject(
                    row.line,
                    _("coordinate (%(x)s, %(y)s) non valide per EPSG:%(code)d")
                    % {"x": row.x, "y": row.y, "code": code},
                )
                continue
            row.longitude, row.latitude = point
            problem = _civic_problem(
                number=row.number,
                exponent=row.exponent,
                latitude=row.latitude,
                longitude=row.longitude,
                municipality=municipality,
            )
            if problem:
                report.reject(row.line, problem)
                continue
            located.append(row)
    return located


def _chunks(values: Iterable[Any], size: int = 500) -> Iterator[list[Any]]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _fetch(model: type[models.Model], lookup: str, values: Iterable[Any]) -> list[Any]:
    found: list[Any] = []
    for chunk in _chunks(values):
        found.extend(model.objects.filter(**{f"{lookup}__in": chunk}))
    return found


def _save_each(objects: list[Any], save: Callable[[Any], None]) -> list[tuple[Any, str]]:
    """Save one by one, each in its own savepoint; returns the objects that failed, with why."""
    failed: list[tuple[Any, str]] = []
    for obj in objects:
        try:
            with transaction.atomic():
                save(obj)
        except (IntegrityError, DatabaseError) as error:
            failed.append((obj, str(error)))
    return failed


def _write_in_batches(
    objects: list[Any], bulk: Callable[[list[Any]], None], save: Callable[[Any], None]
) -> list[tuple[Any, str]]:
    """Bulk writes for speed; a batch that fails is retried row by row, so good rows land."""
    failed: list[tuple[Any, str]] = []
    for batch in _chunks(objects, BATCH_SIZE):
        try:
            with transaction.atomic():
                bulk(batch)
        except (IntegrityError, DatabaseError):
            failed.extend(_save_each(batch, save))
    return failed


def _resolve_streets(rows: list[_Row], report: ImportReport) -> list[tuple[_Row, Street]]:
    """Find or create the street of every row: by national code, else by search key."""
    by_code: dict[str, Street] = {
        street.code: street
        for street in _fetch(Street, "code", {row.street_code for row in rows if row.street_code})
    }
    by_key: dict[str, list[Street]] = {}
    for street in _fetch(Street, "search_name", {row.key for row in rows if row.key}):
        by_key.setdefault(street.search_name, []).append(street)
    new_streets: dict[str, Street] = {}
    changed: dict[int, Street] = {}
    pairs: list[tuple[_Row, Street]] = []

    for row in rows:
        street = by_code.get(row.street_code) if row.street_code else None
        if street is not None:
            renamed = (street.street_type, street.name) != (row.street_type, row.street_name)
            if row.street_name and renamed and street.pk and street.pk not in changed:
                # The source renamed the street: its name follows the national archive.
                street.street_type, street.name, street.search_name = (
                    row.street_type,
                    row.street_name,
                    row.key,
                )
                changed[street.pk] = street
        elif row.street_code and not row.street_name:
            report.reject(
                row.line,
                _(
                    "strada sconosciuta: il codice strada «%(code)s» non è nello stradario e la "
                    "riga non ha il nome della strada"
                )
                % {"code": row.street_code},
            )
            continue
        else:
            street = _pick_same_name(
                by_key.get(row.key, []), street_type=row.street_type, name=row.street_name
            ) or new_streets.get(row.key)
            if street is not None and row.street_code:
                if street.code and street.code != row.street_code:
                    report.reject(
                        row.line,
                        _(
                            "la strada «%(street)s» ha già il codice %(old)s, diverso dal codice "
                            "%(new)s della riga"
                        )
                        % {"street": street.full_name, "old": street.code, "new": row.street_code},
                    )
                    continue
                street.code = row.street_code
                by_code[row.street_code] = street
                if street.pk:
                    changed[street.pk] = street
            if street is None:
                street = Street(
                    code=row.street_code or None,
                    street_type=row.street_type,
                    name=row.street_name,
                    search_name=row.key,
                    postal_code=row.postal_code,
                )
                new_streets[row.key] = street
                if row.street_code:
                    by_code[row.street_code] = street
        pairs.append((row, street))

    failed_streets: dict[int, str] = {}
    for street in changed.values():
        failures = _save_each([street], lambda obj: obj.save())
        if failures:
            failed_streets[id(street)] = _(
                "il nome o il codice della strada «%(street)s» è già usato da un'altra strada"
            ) % {"street": street.full_name}
        else:
            report.streets_updated += 1
    created = list(new_streets.values())
    failures = _write_in_batches(
        created, lambda batch: Street.objects.bulk_create(batch), lambda obj: obj.save()
    )
    for street, _error in failures:
        failed_streets[id(street)] = _("impossibile creare la strada «%(street)s»") % {
            "street": street.full_name
        }
    report.streets_created += len(created) - len(failures)
    missing_pk = [street for street in created if street.pk is None]
    if missing_pk:  # databases that do not return ids from bulk inserts
        saved = {
            s.search_name: s
            for s in _fetch(Street, "search_name", [s.search_name for s in missing_pk])
        }
        for street in missing_pk:
            if street.search_name in saved:
                street.pk = saved[street.search_name].pk

    result: list[tuple[_Row, Street]] = []
    for row, street in pairs:
        if id(street) in failed_streets or street.pk is None:
            report.reject(row.line, failed_streets.get(id(street), _("strada non salvata")))
        else:
            result.append((row, street))
    return result


def _upsert_civic_numbers(pairs: list[tuple[_Row, Street]], report: ImportReport) -> None:
    by_key: dict[tuple[int, int, str], CivicNumber] = {}
    by_code: dict[str, CivicNumber] = {}
    for civic in _fetch(CivicNumber, "street_id", {street.pk for _row, street in pairs}):
        by_key[(civic.street_id, civic.number, civic.exponent)] = civic
        if civic.code:
            by_code[civic.code] = civic
    codes = {row.civic_code for row, _street in pairs if row.civic_code} - by_code.keys()
    for civic in _fetch(CivicNumber, "code", codes):
        by_code[civic.code] = civic

    seen_keys: dict[tuple[int, int, str], int] = {}
    seen_codes: dict[str, int] = {}
    claimed: dict[int, int] = {}
    to_create: list[CivicNumber] = []
    to_update: list[CivicNumber] = []
    lines: dict[int, int] = {}  # id(civic) -> line, to report failed writes

    for row, street in pairs:
        key = (street.pk, row.number, row.exponent)
        label = f"{street.full_name} {row.number}{'/' + row.exponent if row.exponent else ''}"
        if key in seen_keys:
            report.reject(
                row.line,
                _("civico %(label)s ripetuto nel file: è già alla riga %(first)d")
                % {"label": label, "first": seen_keys[key]},
            )
            continue
        if row.civic_code and row.civic_code in seen_codes:
            report.reject(
                row.line,
                _("codice civico %(code)s ripetuto nel file: è già alla riga %(first)d")
                % {"code": row.civic_code, "first": seen_codes[row.civic_code]},
            )
            continue
        seen_keys[key] = row.line
        if row.civic_code:
            seen_codes[row.civic_code] = row.line

        key_owner = by_key.get(key)
        target = by_code.get(row.civic_code) if row.civic_code else None
        if target is None:
            target = key_owner
        elif key_owner is not None and key_owner.pk != target.pk:
            report.reject(
                row.line,
                _("il civico %(label)s esiste già con un altro codice (%(code)s)")
                % {"label": label, "code": key_owner.code or "-"},
            )
            continue
        if target is not None and target.pk in claimed:
            report.reject(
                row.line,
                _("la riga indica lo stesso civico della riga %(first)d con dati diversi")
                % {"first": claimed[target.pk]},
            )
            continue
        values: dict[str, Any] = {
            "street": street,
            "number": row.number,
            "exponent": row.exponent,
            "code": row.civic_code or None,
            "latitude": row.latitude,
            "longitude": row.longitude,
            "zone": row.zone,
            "postal_code": row.postal_code,
        }
        if target is None:
            civic = CivicNumber(**values)
            to_create.append(civic)
            lines[id(civic)] = row.line
            continue
        claimed[target.pk] = row.line
        if _apply_values(target, values):
            to_update.append(target)
            lines[id(target)] = row.line
        else:
            report.unchanged += 1

    fields = [
        "street",
        "number",
        "exponent",
        "code",
        "latitude",
        "longitude",
        "zone",
        "postal_code",
    ]
    # Updates first: a number that moves frees its old place for a new one.
    update_failures = _write_in_batches(
        to_update,
        lambda batch: CivicNumber.objects.bulk_update(batch, fields),
        lambda obj: obj.save(update_fields=fields),
    )
    report.updated += len(to_update) - len(update_failures)
    failures = _write_in_batches(
        to_create,
        lambda batch: CivicNumber.objects.bulk_create(batch),
        lambda obj: obj.save(),
    )
    report.created += len(to_create) - len(failures)
    for civic, _error in [*failures, *update_failures]:
        report.reject(
            lines[id(civic)],
            _("il civico %(label)s è in conflitto con un civico già presente (codice o numero)")
            % {"label": f"{civic.street.full_name} {civic.label}"},
        )


def civic_numbers_import(
    *, file: str | Path | IO[bytes] | IO[str], crs: str | int | None = None
) -> ImportReport:
    """Import civic numbers from a CSV file (ANNCSU or the simple layout, see docs/places.md).

    `crs` is the reference system of the file's coordinates (EPSG:3003, 6707, 32632, 4326...);
    without it, coordinates must be longitude/latitude in degrees. Raises ApplicationError when
    the file cannot be read at all; every other problem rejects just its row.
    """
    file_crs = crs_parse(crs) if crs not in (None, "") else None
    text = csv_text(file)
    header_line = next(iter(text.splitlines()), "")
    if not header_line.strip():
        raise ApplicationError(_("Il file è vuoto."))
    reader = csv.reader(io.StringIO(text, newline=""), dialect=csv_dialect(header_line))
    try:
        headers = next(reader)
        columns = _columns(headers)
        municipality = municipality_get()
        report = ImportReport(
            layout=str(
                ImportLayout.ANNCSU.label
                if _ANNCSU_MARKERS & {header_key(header) for header in headers}
                else ImportLayout.SIMPLE.label
            ),
            crs=crs_label(file_crs)
            if file_crs
            else _("non indicato: coordinate in gradi (EPSG:4326)"),
        )
        rows: list[_Row] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            report.rows += 1
            try:
                rows.append(
                    _parse_row(
                        line=reader.line_num,
                        cells=cells,
                        columns=columns,
                        municipality=municipality,
                    )
                )
            except _Rejected as rejection:
                report.reject(reader.line_num, str(rejection))
    except csv.Error as error:
        raise ApplicationError(
            _("Il file non è un CSV leggibile (riga %(line)d): %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from error

    rows = _locate(rows, file_crs=file_crs, municipality=municipality, report=report)
    pairs = _resolve_streets(rows, report)
    _upsert_civic_numbers(pairs, report)
    report.rejected.sort(key=lambda rejected: rejected.line)
    return report
