"""Reading the anagrafe file: its columns, and each row's own data checked (no database
access) into an ImportRow; the import's report. The columns are described in docs/registry.md."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from sportello.core.csvfiles import CsvSource, csv_rows
from sportello.core.exceptions import ApplicationError
from sportello.core.imports import ImportReport
from sportello.places.models import CivicNumber
from sportello.registry.belfiore import place_key
from sportello.registry.models import CivilStatus, Person, Relationship, Sex
from sportello.registry.services.validation import PersonData, person_validate

BATCH_SIZE = 1000
StrOrPromise = str | Promise

# Canonical column -> the header spellings accepted (folded: lower case, «_» between words).
COLUMNS: dict[str, tuple[str, ...]] = {
    "codice_fiscale": ("codice_fiscale", "cf", "codicefiscale"),
    "cognome": ("cognome",),
    "nome": ("nome",),
    "sesso": ("sesso",),
    "data_nascita": ("data_nascita", "data_di_nascita"),
    "luogo_nascita": ("luogo_nascita", "luogo_di_nascita", "comune_nascita"),
    "cittadinanza": ("cittadinanza",),
    "stato_civile": ("stato_civile",),
    "famiglia": ("famiglia", "codice_famiglia", "scheda_famiglia"),
    "rapporto": ("rapporto", "rapporto_intestatario", "rapporto_parentela"),
    "indirizzo": ("indirizzo", "via", "strada"),
    "civico": ("civico", "numero_civico"),
    "esponente": ("esponente",),
    "codice_civico": ("codice_civico",),
    "scala_interno": ("scala_interno", "interno"),
}
REQUIRED_COLUMNS = (
    "codice_fiscale",
    "cognome",
    "nome",
    "sesso",
    "data_nascita",
    "luogo_nascita",
    "stato_civile",
)

SEX_VALUES = {"m": Sex.MALE, "maschio": Sex.MALE, "maschile": Sex.MALE}
SEX_VALUES |= {"f": Sex.FEMALE, "femmina": Sex.FEMALE, "femminile": Sex.FEMALE}
CIVIL_STATUS_ALIASES: dict[str, tuple[str, ...]] = {
    CivilStatus.UNMARRIED: ("celibe", "nubile", "libero", "libera"),
    CivilStatus.MARRIED: ("coniugato", "coniugata", "sposato", "sposata"),
    CivilStatus.WIDOWED: ("vedovo", "vedova"),
    CivilStatus.DIVORCED: ("divorziato", "divorziata"),
    CivilStatus.CIVIL_UNION: ("unito civilmente", "unita civilmente", "unione civile"),
}
RELATIONSHIP_ALIASES: dict[str, tuple[str, ...]] = {
    Relationship.HEAD: ("intestatario", "intestataria", "intestatario/a", "capofamiglia"),
    Relationship.SPOUSE: ("marito", "moglie", "coniuge"),
    Relationship.CIVIL_PARTNER: ("unito civilmente", "unita civilmente"),
    Relationship.PARTNER: ("convivente",),
    Relationship.CHILD: ("figlio", "figlia"),
    Relationship.STEPCHILD: ("figliastro", "figliastra"),
    Relationship.GRANDCHILD: ("nipote",),
    Relationship.PARENT: ("padre", "madre", "genitore"),
    Relationship.SIBLING: ("fratello", "sorella"),
    Relationship.PARENT_IN_LAW: ("suocero", "suocera"),
    Relationship.CHILD_IN_LAW: ("genero", "nuora"),
    Relationship.OTHER_RELATIVE: ("parente",),
    Relationship.COHABITANT: (),
}
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_ITALIAN_DATE_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_CIVIC_RE = re.compile(r"^(\d{1,6})\s*(?:[/\- ]?\s*([A-Za-z0-9]{1,10}))?$")


def vocabulary(choices: Any, aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Folded spelling -> choice value: the values, the Italian labels and the aliases."""
    words: dict[str, str] = {}
    with translation.override("it"):  # files are written in Italian whoever runs the import
        for value, label in choices.choices:
            words[place_key(value)] = value
            words[place_key(str(label))] = value
            for alias in aliases.get(value, ()):
                words[place_key(alias)] = value
    return words


@dataclass
class RegistryImportReport(ImportReport):
    """What an anagrafe import did (see core.imports); `rejected` rows name their codice fiscale."""

    def summary_lines(self) -> list[str]:
        return [
            _(
                "Importazione anagrafe: %(created)d create, %(updated)d aggiornate, "
                "%(unchanged)d invariate, %(rejected)d scartate."
            )
            % {
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "rejected": len(self.rejected),
            }
        ]


@dataclass
class ImportRow:
    """A row whose own data passed the checks, on its way to the database."""

    line: int
    data: PersonData
    family_code: str
    relationship: str
    address: tuple[str, int | None, str, str] | None  # street, number, exponent, civic code
    residence_detail: str
    residence: CivicNumber | None = None
    existing: Person | None = None

    @property
    def is_head(self) -> bool:
        return self.relationship == Relationship.HEAD


def header_map(header: list[str]) -> dict[str, int]:
    """Canonical column -> index; raises when a required column is missing."""
    spellings = {spelling: column for column, names in COLUMNS.items() for spelling in names}
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        column = spellings.get(place_key(title).replace("-", "_"))
        if column is not None and column not in found:
            found[column] = index
    missing = [column for column in REQUIRED_COLUMNS if column not in found]
    if "codice_civico" not in found and not {"indirizzo", "civico"} <= set(found):
        missing.append("indirizzo + civico (oppure codice_civico)")
    if missing:
        raise ApplicationError(
            _("mancano colonne obbligatorie nell'intestazione: %(columns)s")
            % {"columns": ", ".join(missing)}
        )
    return found


def records(file: CsvSource) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number where the record starts, canonical column -> value) for each data row.
    UTF-8 only: a misread letter would end up in a person's name."""
    try:
        header, rows = csv_rows(file, windows_1252=False)
        columns = header_map(header)
        for line, cells in rows:
            yield (
                line,
                {
                    column: cells[index].strip() if index < len(cells) else ""
                    for column, index in columns.items()
                },
            )
    except ApplicationError as error:
        # Written like the rows' reasons, in lower case: the command prints them as they are.
        raise ApplicationError(
            error.message[:1].lower() + error.message[1:], error.extra
        ) from error


def _parse_date(value: str) -> datetime.date:
    try:
        if _ISO_DATE_RE.match(value):
            return datetime.date.fromisoformat("-".join(part.zfill(2) for part in value.split("-")))
        match = _ITALIAN_DATE_RE.match(value)
        if match:
            return datetime.date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        pass
    if not value:
        raise ApplicationError(_("la data di nascita è mancante"))
    raise ApplicationError(
        _("data di nascita non valida: «%(value)s» (usare AAAA-MM-GG o GG/MM/AAAA)")
        % {"value": value}
    )


def _parse_choice(
    value: str, vocabulary: dict[str, str], missing: StrOrPromise, unknown: StrOrPromise
) -> str:
    # The messages come in lazy, so that the good rows (nearly all) never translate them.
    if not value:
        raise ApplicationError(str(missing))
    choice = vocabulary.get(place_key(value))
    if choice is None:
        raise ApplicationError(str(unknown) % {"value": value})
    return choice


def _parse_address(record: dict[str, str]) -> tuple[str, int | None, str, str] | None:
    civic_code = record.get("codice_civico", "")
    street = record.get("indirizzo", "")
    civic = record.get("civico", "")
    exponent = record.get("esponente", "")
    if civic_code:
        return "", None, "", civic_code
    if not street and not civic:
        return None
    match = _CIVIC_RE.match(civic)
    if not street or not match:
        raise ApplicationError(
            _("indirizzo incompleto o numero civico non valido: «%(street)s» «%(number)s»")
            % {"street": street, "number": civic}
        )
    return street, int(match[1]), exponent or (match[2] or ""), ""


def row_parse(
    line: int, record: dict[str, str], vocabularies: dict[str, dict[str, str]]
) -> ImportRow:
    """Check one row's own data (no database access)."""
    sex = _parse_choice(
        record["sesso"],
        vocabularies["sex"],
        _lazy("il sesso è mancante"),
        _lazy("sesso non valido: «%(value)s» (indicare M o F)"),
    )
    civil_status = _parse_choice(
        record["stato_civile"],
        vocabularies["civil_status"],
        _lazy("lo stato civile è mancante"),
        _lazy("stato civile sconosciuto: «%(value)s»"),
    )
    data = person_validate(
        codice_fiscale=record["codice_fiscale"],
        first_name=record["nome"],
        last_name=record["cognome"],
        sex=sex,
        birth_date=_parse_date(record["data_nascita"]),
        birth_place=record["luogo_nascita"],
        citizenship=record.get("cittadinanza", ""),
        civil_status=civil_status,
    )
    family_code = " ".join(record.get("famiglia", "").split())
    relationship = ""
    if record.get("rapporto"):
        relationship = _parse_choice(
            record["rapporto"],
            vocabularies["relationship"],
            "",
            _lazy("rapporto con l'intestatario sconosciuto: «%(value)s»"),
        )
    if family_code and not relationship:
        raise ApplicationError(
            _("manca il rapporto con l'intestatario della famiglia %(family)s")
            % {"family": family_code}
        )
    if relationship and not family_code:
        raise ApplicationError(_("è indicato il rapporto con l'intestatario ma non la famiglia"))
    address = _parse_address(record)
    if address is None and (not family_code or relationship == Relationship.HEAD):
        raise ApplicationError(
            _("indirizzo mancante: indicare via e numero civico, oppure il codice civico")
        )
    return ImportRow(
        line=line,
        data=data,
        family_code=family_code,
        relationship=relationship,
        address=address,
        residence_detail=" ".join(record.get("scala_interno", "").split()),
    )
