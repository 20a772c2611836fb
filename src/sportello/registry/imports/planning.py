"""Planning an anagrafe import against the database: rows parsed, addresses resolved in one
pass, existing persons and families loaded, and the family rules applied (one head per
family, members at the head's address) before anything is written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from sportello.core.csvfiles import CsvSource
from sportello.core.exceptions import ApplicationError
from sportello.places.models import CivicNumber
from sportello.registry.belfiore import place_key
from sportello.registry.imports.rows import (
    BATCH_SIZE,
    CIVIL_STATUS_ALIASES,
    RELATIONSHIP_ALIASES,
    SEX_VALUES,
    ImportRow,
    RegistryImportReport,
    records,
    row_parse,
    vocabulary,
)
from sportello.registry.models import CivilStatus, Family, Person, Relationship
from sportello.registry.selectors import AddressQuery, residence_civic_numbers_find


def chunks(items: list[Any], size: int = BATCH_SIZE) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class ImportPlan:
    """One run of the import, up to its plan: rows parsed and checked against the database and
    the family rules; `loading.RegistryImport` writes them."""

    def __init__(self) -> None:
        self.report = RegistryImportReport()
        self.vocabularies = {
            "sex": SEX_VALUES,
            "civil_status": vocabulary(CivilStatus, CIVIL_STATUS_ALIASES),
            "relationship": vocabulary(Relationship, RELATIONSHIP_ALIASES),
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

    def parse(self, file: CsvSource) -> list[ImportRow]:
        rows: list[ImportRow] = []
        first_line_of: dict[str, int] = {}
        for line, record in records(file):
            self.report.rows += 1
            code = record.get("codice_fiscale", "").upper()
            try:
                row = row_parse(line, record, self.vocabularies)
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

    def resolve_addresses(self, rows: list[ImportRow]) -> list[ImportRow]:
        queries = {
            row.line: AddressQuery(
                street=street, number=number, exponent=exponent, civic_code=civic_code
            )
            for row in rows
            if row.address is not None
            for street, number, exponent, civic_code in [row.address]
        }
        found = residence_civic_numbers_find(addresses=queries.values())
        kept: list[ImportRow] = []
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

    def load_existing_persons(self, rows: list[ImportRow]) -> None:
        by_code = {row.data.codice_fiscale: row for row in rows}
        for chunk in chunks(list(by_code), 500):
            for person in Person.objects.filter(codice_fiscale__in=chunk):
                by_code[person.codice_fiscale].existing = person

    def load_existing(self, rows: list[ImportRow]) -> None:
        self.load_existing_persons(rows)
        codes = sorted({row.family_code for row in rows if row.family_code})
        for chunk in chunks(codes, 500):
            self.families |= {f.code: f for f in Family.objects.filter(code__in=chunk)}
            heads = Person.objects.select_related("family", "residence__street").filter(
                family__code__in=chunk, relationship=Relationship.HEAD
            )
            self.heads_in_db |= {head.family.code: head for head in heads}

    def plan_families(
        self, rows: list[ImportRow]
    ) -> tuple[list[ImportRow], list[ImportRow], list[ImportRow]]:
        """Split rows into heads, members and people without family, rejecting those that
        break the family rules: one head per family, members at the head's address."""
        heads: list[ImportRow] = []
        loners: list[ImportRow] = []
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
        members: list[ImportRow] = []
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

    def reject_headless(self, row: ImportRow) -> None:
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

    def drop_members_of_failed_heads(self, members: list[ImportRow]) -> list[ImportRow]:
        """Members whose head row could not be written: their address was checked against it."""
        kept = []
        for row in members:
            if row.family_code in self.failed_heads:
                self.reject_headless(row)
            else:
                kept.append(row)
        return kept
