"""The CSV import of the anagrafe: a service that loads persons, families and residences from a
file and reports, row by row, what it created, updated, left unchanged and rejected.

The columns are described in docs/registry.md. Each row is checked with the same rules as the
other writes (`services.person_validate`, `services.person_membership_check`); a rejected row
changes nothing and the others still land; re-running a file changes nothing.

Speed (20,000 rows in a few seconds): addresses are resolved in one pass, new persons and
families are written in bulk, and changes to a person's own data in batches of plain UPDATEs;
a batch that fails is redone one row at a time through the services, which then name the row
that cannot go in. Changes of family, relationship or address always go through
`services.person_update`, one transaction per row.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from sportello.core.exceptions import ApplicationError
from sportello.places.models import CivicNumber
from sportello.registry.belfiore import place_key
from sportello.registry.models import CivilStatus, Family, Person, Relationship, Sex
from sportello.registry.selectors import AddressQuery, residence_civic_numbers_find
from sportello.registry.services.families import family_create
from sportello.registry.services.persons import (
    civil_status_change_clears,
    person_create,
    person_update,
)
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

_SEX_VALUES = {"m": Sex.MALE, "maschio": Sex.MALE, "maschile": Sex.MALE}
_SEX_VALUES |= {"f": Sex.FEMALE, "femmina": Sex.FEMALE, "femminile": Sex.FEMALE}
_CIVIL_STATUS_ALIASES: dict[str, tuple[str, ...]] = {
    CivilStatus.UNMARRIED: ("celibe", "nubile", "libero", "libera"),
    CivilStatus.MARRIED: ("coniugato", "coniugata", "sposato", "sposata"),
    CivilStatus.WIDOWED: ("vedovo", "vedova"),
    CivilStatus.DIVORCED: ("divorziato", "divorziata"),
    CivilStatus.CIVIL_UNION: ("unito civilmente", "unita civilmente", "unione civile"),
}
_RELATIONSHIP_ALIASES: dict[str, tuple[str, ...]] = {
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


def _vocabulary(choices: Any, aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Folded spelling -> choice value: the values, the Italian labels and the aliases."""
    words: dict[str, str] = {}
    with translation.override("it"):  # files are written in Italian whoever runs the import
        for value, label in choices.choices:
            words[place_key(value)] = value
            words[place_key(str(label))] = value
            for alias in aliases.get(value, ()):
                words[place_key(alias)] = value
    return words


@dataclass(frozen=True)
class RowRejection:
    """A row that was not imported: its line in the file and why, in plain Italian."""

    line: int
    reason: str
    codice_fiscale: str = ""


@dataclass
class ImportReport:
    """What an import did: counts per outcome, and every rejected row."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejections: list[RowRejection] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    @property
    def imported(self) -> int:
        """Rows that are now in the registry as the file says (created, updated or unchanged)."""
        return self.created + self.updated + self.unchanged

    @property
    def total(self) -> int:
        return self.imported + self.rejected

    def reject(self, line: int, reason: str, codice_fiscale: str = "") -> None:
        self.rejections.append(
            RowRejection(line=line, reason=reason, codice_fiscale=codice_fiscale)
        )


@dataclass
class _Row:
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


def _read_text(file: str | Path | IO[Any]) -> str:
    try:
        if isinstance(file, str | Path):
            raw: bytes | str = Path(file).read_bytes()
        else:
            raw = file.read()
    except OSError as error:
        raise ApplicationError(
            _("impossibile leggere il file: %(error)s") % {"error": error.strerror or error}
        ) from error
    if isinstance(raw, str):
        return raw.removeprefix("\ufeff")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ApplicationError(
            _("il file non è in codifica UTF-8 (byte non valido alla posizione %(position)d)")
            % {"position": error.start}
        ) from error


def _header_map(header: list[str]) -> dict[str, int]:
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


def _records(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number where the record starts, canonical column -> value) for each data row."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise ApplicationError(_("il file è vuoto: manca la riga di intestazione"))
    columns = _header_map(header)
    line = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield (
                line,
                {
                    column: cells[index].strip() if index < len(cells) else ""
                    for column, index in columns.items()
                },
            )
        line = reader.line_num + 1


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


def _parse_row(line: int, record: dict[str, str], vocabularies: dict[str, dict[str, str]]) -> _Row:
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
    return _Row(
        line=line,
        data=data,
        family_code=family_code,
        relationship=relationship,
        address=address,
        residence_detail=" ".join(record.get("scala_interno", "").split()),
    )


def _chunks(items: list[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Import:
    """One run of the import: parse, plan against the database, write, report."""

    def __init__(self) -> None:
        self.report = ImportReport()
        self.vocabularies = {
            "sex": _SEX_VALUES,
            "civil_status": _vocabulary(CivilStatus, _CIVIL_STATUS_ALIASES),
            "relationship": _vocabulary(Relationship, _RELATIONSHIP_ALIASES),
        }
        self.families: dict[str, Family] = {}
        self.heads_in_db: dict[str, Person] = {}
        # family code -> line of the accepted head row; and of head rows that were rejected
        self.head_lines: dict[str, int] = {}
        self.rejected_head_lines: dict[str, int] = {}
        self.failed_heads: set[str] = set()  # family codes whose head row failed when written

    def reject(self, row_line: int, error: ApplicationError | str, code: str = "") -> None:
        reason = error.message if isinstance(error, ApplicationError) else error
        self.report.reject(row_line, reason, code)

    def run(self, text: str) -> ImportReport:
        rows = self.parse(text)
        rows = self.resolve_addresses(rows)
        self.load_existing(rows)
        heads, members, loners = self.plan_families(rows)
        self.write(heads + loners)
        members = self.drop_members_of_failed_heads(members)
        self.load_existing_persons(members)  # moving a head has moved their family
        self.write(members)
        self.report.rejections.sort(key=lambda rejection: rejection.line)
        return self.report

    def parse(self, text: str) -> list[_Row]:
        rows: list[_Row] = []
        first_line_of: dict[str, int] = {}
        for line, record in _records(text):
            code = record.get("codice_fiscale", "").upper()
            try:
                row = _parse_row(line, record, self.vocabularies)
            except ApplicationError as error:
                self.reject(line, error, code)
                relationship = self.vocabularies["relationship"].get(
                    place_key(record.get("rapporto", ""))
                )
                if record.get("famiglia") and relationship == Relationship.HEAD:
                    family_code = " ".join(record["famiglia"].split())
                    self.rejected_head_lines.setdefault(family_code, line)
                continue
            cf = row.data.codice_fiscale
            if cf in first_line_of:
                self.reject(
                    line,
                    _("codice fiscale ripetuto: la stessa persona è già alla riga %(line)d")
                    % {"line": first_line_of[cf]},
                    cf,
                )
                continue
            first_line_of[cf] = line
            rows.append(row)
        return rows

    def resolve_addresses(self, rows: list[_Row]) -> list[_Row]:
        queries = {
            row.line: AddressQuery(
                street=street, number=number, exponent=exponent, civic_code=civic_code
            )
            for row in rows
            if row.address is not None
            for street, number, exponent, civic_code in [row.address]
        }
        found = residence_civic_numbers_find(addresses=queries.values())
        kept: list[_Row] = []
        for row in rows:
            result = found[queries[row.line]] if row.line in queries else None
            if isinstance(result, ApplicationError):
                self.reject(row.line, result, row.data.codice_fiscale)
                if row.is_head:
                    self.rejected_head_lines.setdefault(row.family_code, row.line)
                continue
            row.residence = result
            kept.append(row)
        return kept

    def load_existing_persons(self, rows: list[_Row]) -> None:
        by_code = {row.data.codice_fiscale: row for row in rows}
        for chunk in _chunks(list(by_code), 500):
            for person in Person.objects.filter(codice_fiscale__in=chunk):
                by_code[person.codice_fiscale].existing = person

    def load_existing(self, rows: list[_Row]) -> None:
        self.load_existing_persons(rows)
        codes = sorted({row.family_code for row in rows if row.family_code})
        for chunk in _chunks(codes, 500):
            self.families |= {f.code: f for f in Family.objects.filter(code__in=chunk)}
            heads = Person.objects.select_related("family", "residence__street").filter(
                family__code__in=chunk, relationship=Relationship.HEAD
            )
            self.heads_in_db |= {head.family.code: head for head in heads}

    def plan_families(self, rows: list[_Row]) -> tuple[list[_Row], list[_Row], list[_Row]]:
        """Split rows into heads, members and people without family, rejecting those that
        break the family rules: one head per family, members at the head's address."""
        heads: list[_Row] = []
        loners: list[_Row] = []
        home: dict[str, tuple[CivicNumber | None, str]] = {}
        for row in rows:
            if not row.family_code:
                loners.append(row)
            elif row.is_head:
                code = row.family_code
                db_head = self.heads_in_db.get(code)
                if code in self.head_lines:
                    self.reject(
                        row.line,
                        _(
                            "secondo intestatario per la famiglia %(family)s "
                            "(l'intestatario è alla riga %(line)d)"
                        )
                        % {"family": code, "line": self.head_lines[code]},
                        row.data.codice_fiscale,
                    )
                elif db_head is not None and db_head.codice_fiscale != row.data.codice_fiscale:
                    self.reject(
                        row.line,
                        _(
                            "la famiglia %(family)s ha già un intestatario: %(head)s "
                            "(per cambiarlo usare il back-office)"
                        )
                        % {"family": code, "head": db_head},
                        row.data.codice_fiscale,
                    )
                    self.rejected_head_lines.setdefault(code, row.line)
                else:
                    self.head_lines[code] = row.line
                    home[code] = (row.residence, row.residence_detail)
                    heads.append(row)
        for code, head in self.heads_in_db.items():
            home.setdefault(code, (head.residence, head.residence_detail))
        members: list[_Row] = []
        for row in rows:
            if not row.family_code or row.is_head:
                continue
            if row.family_code not in home:
                self.reject_headless(row)
                continue
            residence, detail = home[row.family_code]
            if row.residence is None:
                row.residence = residence
                row.residence_detail = row.residence_detail or detail
            elif residence is None or row.residence.pk != residence.pk:
                self.reject(
                    row.line,
                    _(
                        "l'indirizzo non è quello dell'intestatario della famiglia %(family)s "
                        "(%(address)s)"
                    )
                    % {"family": row.family_code, "address": residence},
                    row.data.codice_fiscale,
                )
                continue
            members.append(row)
        return heads, members, loners

    def reject_headless(self, row: _Row) -> None:
        head_line = self.rejected_head_lines.get(row.family_code)
        if head_line is not None:
            reason = _(
                "la famiglia %(family)s non ha un intestatario valido "
                "(la riga %(line)d dell'intestatario è stata scartata)"
            ) % {"family": row.family_code, "line": head_line}
        else:
            reason = _(
                "la famiglia %(family)s non ha un intestatario: manca una riga con rapporto "
                "«intestatario»"
            ) % {"family": row.family_code}
        self.reject(row.line, reason, row.data.codice_fiscale)

    def drop_members_of_failed_heads(self, members: list[_Row]) -> list[_Row]:
        """Members whose head row could not be written: their address was checked against it."""
        kept = []
        for row in members:
            if row.family_code in self.failed_heads:
                self.reject_headless(row)
            else:
                kept.append(row)
        return kept

    # Writing -----------------------------------------------------------------------------

    @staticmethod
    def own_data(row: _Row) -> dict[str, Any]:
        """The person's own data the file speaks about (it has no date of death, so an import
        never clears one recorded by the registry office)."""
        fields = row.data.as_fields()
        del fields["date_of_death"]
        return fields

    def target(self, row: _Row) -> dict[str, Any]:
        return {
            **self.own_data(row),
            "family": self.families.get(row.family_code) if row.family_code else None,
            "relationship": row.relationship,
            "residence": row.residence,
            "residence_detail": row.residence_detail,
        }

    def is_unchanged(self, row: _Row) -> bool:
        person = row.existing
        assert person is not None
        target = self.target(row)
        if row.family_code and target["family"] is None:
            return False
        return all(
            (getattr(person, f"{name}_id") == (value.pk if value else None))
            if name in {"family", "residence"}
            else getattr(person, name) == value
            for name, value in target.items()
        )

    def write(self, rows: list[_Row]) -> None:
        creates = [row for row in rows if row.existing is None]
        updates = [row for row in rows if row.existing is not None]
        for batch in _chunks(creates):
            self.create_batch(batch)
        plain: list[_Row] = []
        for row in updates:
            if self.is_unchanged(row):
                self.report.unchanged += 1
            elif self.keeps_family_and_home(row):
                plain.append(row)
            else:
                self.update_one(row)
        for batch in _chunks(plain):
            self.update_batch(batch)

    def keeps_family_and_home(self, row: _Row) -> bool:
        """Whether only the person's own data changes: no family rule is then involved, and
        the change can skip `person_update`'s per-row checks (the row's data was checked)."""
        person = row.existing
        assert person is not None
        family = self.families.get(row.family_code) if row.family_code else None
        if row.family_code and family is None:
            return False
        return (
            person.family_id == (family.pk if family else None)
            and person.relationship == row.relationship
            and person.residence_id == (row.residence.pk if row.residence else None)
        )

    def update_batch(self, batch: list[_Row]) -> None:
        # One UPDATE per row in one transaction per batch: much faster than bulk_update's
        # CASE expressions, and than a transaction per row.
        now = timezone.now()
        try:
            with transaction.atomic():
                for row in batch:
                    assert row.existing is not None
                    Person.objects.filter(pk=row.existing.pk).update(
                        **self.own_data(row),
                        **civil_status_change_clears(
                            before=row.existing.civil_status, after=row.data.civil_status
                        ),
                        residence_detail=row.residence_detail,
                        updated_at=now,
                    )
        except IntegrityError:
            for row in batch:
                self.update_one(row)
            return
        self.report.updated += len(batch)

    def fail_head(self, row: _Row, error: ApplicationError) -> None:
        self.reject(row.line, error, row.data.codice_fiscale)
        if row.is_head:
            self.failed_heads.add(row.family_code)
            self.rejected_head_lines.setdefault(row.family_code, row.line)

    def create_batch(self, batch: list[_Row]) -> None:
        new_codes = [
            row.family_code for row in batch if row.is_head and row.family_code not in self.families
        ]
        try:
            with transaction.atomic():
                if new_codes:
                    Family.objects.bulk_create([Family(code=code) for code in new_codes])
                    self.families |= {f.code: f for f in Family.objects.filter(code__in=new_codes)}
                Person.objects.bulk_create([Person(**self.target(row)) for row in batch])
        except IntegrityError:
            # Something changed since the plan was made: redo the batch row by row, so that
            # the services name the row that cannot go in and the others still land.
            for code in new_codes:
                self.families.pop(code, None)
            for row in batch:
                self.create_one(row)
            return
        self.report.created += len(batch)

    def create_one(self, row: _Row) -> None:
        target = self.target(row)
        new_family = row.is_head and target["family"] is None
        try:
            with transaction.atomic():
                if new_family:
                    target |= {"family": None, "relationship": ""}
                person = person_create(**target)
                family = family_create(code=row.family_code, head=person) if new_family else None
        except ApplicationError as error:
            self.fail_head(row, error)
            return
        if family is not None:
            self.families[row.family_code] = family
        self.report.created += 1

    def update_one(self, row: _Row) -> None:
        person = row.existing
        assert person is not None
        target = self.target(row)
        new_family = row.is_head and target["family"] is None
        try:
            with transaction.atomic():
                if new_family:
                    target["family"] = family_create(code=row.family_code, head=person)
                person_update(person=person, data=target)
        except ApplicationError as error:
            self.fail_head(row, error)
            return
        if new_family:
            self.families[row.family_code] = target["family"]
        self.report.updated += 1


def registry_import(*, file: str | Path | IO[Any]) -> ImportReport:
    """Import persons, families and residences from a CSV file (path or open file, text or
    bytes). Raises ApplicationError when the file cannot be read at all (not UTF-8, no header,
    missing columns); otherwise every row is either imported or reported with its reason."""
    return _Import().run(_read_text(file))


def report_lines(report: ImportReport) -> Iterable[str]:
    """The report as lines for people: the counts, then every rejected row."""
    yield _(
        "Importazione anagrafe: %(created)d create, %(updated)d aggiornate, "
        "%(unchanged)d invariate, %(rejected)d scartate."
    ) % {
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": report.rejected,
    }
    for rejection in report.rejections:
        code = f" [{rejection.codice_fiscale}]" if rejection.codice_fiscale else ""
        yield _("riga %(line)d%(code)s: %(reason)s") % {
            "line": rejection.line,
            "code": code,
            "reason": rejection.reason,
        }
