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

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from sportello.core.csvfiles import CsvSource
from sportello.core.exceptions import ApplicationError
from sportello.registry.imports.planning import ImportPlan, chunks
from sportello.registry.imports.rows import ImportRow, RegistryImportReport
from sportello.registry.models import Family, Person
from sportello.registry.services.families import family_create
from sportello.registry.services.persons import (
    civil_status_change_clears,
    person_create,
    person_update,
)


class RegistryImport(ImportPlan):
    """One run of the import: parse and plan (see planning.ImportPlan), write, report."""

    def run(self, file: CsvSource) -> RegistryImportReport:
        rows = self.parse(file)
        rows = self.resolve_addresses(rows)
        self.load_existing(rows)
        heads, members, loners = self.plan_families(rows)
        self.write(heads + loners)
        members = self.drop_members_of_failed_heads(members)
        self.load_existing_persons(members)  # moving a head has moved their family
        self.write(members)
        self.report.rejected_sort()
        return self.report

    @staticmethod
    def own_data(row: ImportRow) -> dict[str, Any]:
        """The person's own data the file speaks about (it has no date of death, so an import
        never clears one recorded by the registry office)."""
        fields = row.data.as_fields()
        del fields["date_of_death"]
        return fields

    def target(self, row: ImportRow) -> dict[str, Any]:
        return {
            **self.own_data(row),
            "family": self.families.get(row.family_code) if row.family_code else None,
            "relationship": row.relationship,
            "residence": row.residence,
            "residence_detail": row.residence_detail,
        }

    def is_unchanged(self, row: ImportRow) -> bool:
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

    def write(self, rows: list[ImportRow]) -> None:
        creates = [row for row in rows if row.existing is None]
        updates = [row for row in rows if row.existing is not None]
        for batch in chunks(creates):
            self.create_batch(batch)
        plain: list[ImportRow] = []
        for row in updates:
            if self.is_unchanged(row):
                self.report.unchanged += 1
            elif self.keeps_family_and_home(row):
                plain.append(row)
            else:
                self.update_one(row)
        for batch in chunks(plain):
            self.update_batch(batch)

    def keeps_family_and_home(self, row: ImportRow) -> bool:
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

    def update_batch(self, batch: list[ImportRow]) -> None:
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

    def fail_head(self, row: ImportRow, error: ApplicationError) -> None:
        self.reject(row.line, error, row.data.codice_fiscale)
        if row.is_head:
            self.failed_heads.add(row.family_code)
            self.rejected_head_lines.setdefault(row.family_code, row.line)

    def create_batch(self, batch: list[ImportRow]) -> None:
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

    def create_one(self, row: ImportRow) -> None:
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

    def update_one(self, row: ImportRow) -> None:
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


def registry_import(*, file: CsvSource) -> RegistryImportReport:
    """Import persons, families and residences from a CSV file (path or open file, text or
    bytes). Raises ApplicationError when the file cannot be read at all (not UTF-8, no header,
    missing columns); otherwise every row is either imported or reported with its reason."""
    return RegistryImport().run(file)
