"""Reading the rows of a civic-number file: the columns its header names, and each row
checked and parsed into an ImportRow (or rejected with its reason); the import's report."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sportello.core.exceptions import ApplicationError
from sportello.core.imports import ImportReport
from sportello.core.models import Municipality
from sportello.places.coordinates import (
    crs_parse,
    decimal_parse,
)
from sportello.places.models import CivicNumber
from sportello.places.normalize import (
    display_case,
    exponent_normalize,
    fold,
    street_search_key,
)
from sportello.places.services.streets import max_length, odonimo_split, street_problem


class ImportLayout(models.TextChoices):
    ANNCSU = "anncsu", gettext_lazy("ANNCSU (archivio nazionale dei numeri civici)")
    SIMPLE = "simple", gettext_lazy("semplice (street_type, street_name, number, ...)")


@dataclass
class CivicNumbersReport(ImportReport):
    """What a civic-number import did: the shared counts, plus the layout and reference system
    it read and the streets it created or renamed."""

    layout: str = ""
    crs: str = ""
    streets_created: int = 0
    streets_updated: int = 0

    def summary_lines(self) -> list[str]:
        return [
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
ANNCSU_MARKERS = {"odonimo", "progressivo_nazionale", "progressivo_accesso", "coord_x_comune"}
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
class ImportRow:
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


class RowRejected(Exception):
    """A row that cannot be imported; the message is the reason shown to the operator."""


def columns_find(headers: list[str]) -> dict[str, int]:
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


def row_parse(
    *, line: int, cells: list[str], columns: dict[str, int], municipality: Municipality | None
) -> ImportRow:
    cell = lambda name: _cell(cells, columns, name)  # noqa: E731

    istat = cell("istat_code")
    if (
        municipality
        and istat
        and municipality.istat_code
        and istat.zfill(6) != municipality.istat_code
    ):
        raise RowRejected(
            _("la riga è di un altro Comune (codice ISTAT %(code)s)") % {"code": istat}
        )
    cadastral = cell("cadastral_code")
    expected = municipality.cadastral_code.upper() if municipality else ""
    if cadastral and expected and cadastral.upper() != expected:
        raise RowRejected(
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
        raise RowRejected(_("manca la strada (né nome né codice)"))
    if street_name:
        problem = street_problem(
            street_type=street_type,
            name=street_name,
            code=street_code,
            postal_code=cell("postal_code"),
        )
        if problem:
            raise RowRejected(problem)

    raw_number, exponent = cell("number"), cell("exponent")
    match = _NUMBER_CELL.match(raw_number)
    if not raw_number:
        raise RowRejected(_("manca il numero civico"))
    glued = exponent_normalize(match.group(2) or "") if match else ""
    if match is None or (glued and exponent and glued != exponent_normalize(exponent)):
        raise RowRejected(_("numero civico non valido: «%(value)s»") % {"value": raw_number})
    number = int(match.group(1))
    exponent = exponent_normalize(exponent or match.group(2) or "")
    if not re.fullmatch(r"[A-Z0-9]*", exponent):
        raise RowRejected(_("esponente non valido: «%(value)s»") % {"value": cell("exponent")})

    raw_x, raw_y = cell("x"), cell("y")
    if not raw_x or not raw_y:
        raise RowRejected(_("mancano le coordinate"))
    x, y = decimal_parse(raw_x), decimal_parse(raw_y)
    if x is None or y is None:
        raise RowRejected(
            _("coordinate non numeriche: longitudine o est «%(x)s», latitudine o nord «%(y)s»")
            % {"x": raw_x, "y": raw_y}
        )
    row_crs: int | None = None
    if cell("crs"):
        try:
            row_crs = crs_parse(cell("crs"))
        except ApplicationError as error:
            raise RowRejected(error.message[:1].lower() + error.message[1:].rstrip(".")) from error

    civic_code, zone, postal_code = cell("civic_code"), cell("zone"), cell("postal_code")
    for value, field_name, label in (
        (civic_code, "code", gettext_lazy("codice civico")),
        (zone, "zone", gettext_lazy("zona")),
    ):
        if len(value) > max_length(CivicNumber, field_name):
            raise RowRejected(
                _("%(label)s troppo lungo: «%(value)s»") % {"label": label, "value": value}
            )
    return ImportRow(
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
