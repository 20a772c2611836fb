"""Writing an import's rows: the streets they name found or created, then their civic
numbers created or updated, in bulk batches that fall back to row by row on conflict."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils.translation import gettext as _

from sportello.places.models import CivicNumber, Street
from sportello.places.services.civic_numbers import civic_values_apply
from sportello.places.services.import_rows import CivicNumbersReport, ImportRow
from sportello.places.services.streets import street_pick_same_name

BATCH_SIZE = 1000


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


def import_streets_resolve(
    rows: list[ImportRow], report: CivicNumbersReport
) -> list[tuple[ImportRow, Street]]:
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
    pairs: list[tuple[ImportRow, Street]] = []

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
            street = street_pick_same_name(
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

    result: list[tuple[ImportRow, Street]] = []
    for row, street in pairs:
        if id(street) in failed_streets or street.pk is None:
            report.reject(row.line, failed_streets.get(id(street), _("strada non salvata")))
        else:
            result.append((row, street))
    return result


def import_civic_numbers_upsert(
    pairs: list[tuple[ImportRow, Street]], report: CivicNumbersReport
) -> None:
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
        if civic_values_apply(target, values):
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
