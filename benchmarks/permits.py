"""How fast permits go, on the figures issue 18 promises (on PostgreSQL, 2 cores):

- fee and eligibility for an application (the zones of the residence, the permit types
  offered, the household's rank and fee): < 50 ms;
- the cameras' plate list for 50,000 permits, exported as CSV: < 2 s;
- the public plate check (plate + code): < 20 ms median.

    .venv/bin/python benchmarks/permits.py [--permits 50000] [--runs 3]
        [--database-url postgres://postgres@127.0.0.1:5432/sportello_bench_permits]

The database must be a scratch one: it is created if missing, migrated, and the benchmark's own
town (streets, persons and permits whose codes start with BENCH) is made once and kept. Prints
every figure with its goal, min/median/max over the runs and the load average; exits 1 when a
clause is missed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))

from payments import _database_ensure, _load, _number  # noqa: E402

GOAL_QUOTE_MS = 50.0
GOAL_EXPORT_S = 2.0
GOAL_CHECK_MS = 20.0
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/sportello_bench_permits"
PREFIX = "BENCH"


def _town(count: int) -> None:
    """Streets, civic numbers, families, persons and their valid permits (made once)."""
    from django.db import transaction
    from django.utils import timezone

    from sportello.permits.models import (
        Permit,
        PermitKind,
        PermitStatus,
        PermitType,
        PlateAllowance,
        Zone,
        ZoneKind,
    )
    from sportello.permits.services import day_start, zone_area_set
    from sportello.places.models import CivicNumber, Street
    from sportello.registry.models import Family, Person

    if Permit.objects.filter(code__startswith="BN").count() >= count:
        return
    print(f"Creo la città di prova con {_number(count, 0)} permessi…")
    today = timezone.localdate()
    with transaction.atomic():
        streets = Street.objects.bulk_create(
            [
                Street(street_type="Via", name=f"{PREFIX} {n}", search_name=f"via bench {n}")
                for n in range(200)
            ]
        )
        civics = CivicNumber.objects.bulk_create(
            [
                CivicNumber(
                    street=streets[n % 200],
                    number=n // 200 + 1,
                    latitude=43.55 + (n % 200) * 1e-4,
                    longitude=10.31 + (n // 200) * 1e-4,
                )
                for n in range(count // 2)
            ],
            batch_size=5000,
        )
        families = Family.objects.bulk_create(
            [Family(code=f"{PREFIX}-{n}") for n in range(count // 2)], batch_size=5000
        )
        persons = Person.objects.bulk_create(
            [
                Person(
                    codice_fiscale=f"BNCH{n:012d}",
                    first_name="Mario",
                    last_name="Rossi",
                    sex="M",
                    birth_date=datetime.date(1970, 1, 1),
                    birth_place="Livorno",
                    civil_status="unmarried",
                    family=families[n // 2],
                    relationship="head" if n % 2 == 0 else "spouse",
                    residence=civics[n // 2],
                )
                for n in range(count)
            ],
            batch_size=5000,
        )
    zone = Zone.objects.create(code="bench-ztl", name="ZTL prova", kind=ZoneKind.ZTL)
    zone_area_set(
        zone=zone,
        area={
            "streets": [
                {"street": s.pk, "from": None, "to": None, "parity": "all"} for s in streets
            ]
        },
    )
    permit_type = PermitType.objects.create(
        zone=zone, kind=PermitKind.RESIDENT, title="Residenti", fees=["0.00", "60.00", "150.00"]
    )
    with transaction.atomic():
        permits = Permit.objects.bulk_create(
            [
                Permit(
                    code=f"BN{n:06d}",
                    permit_type=permit_type,
                    zone=zone,
                    holder=person,
                    family_id=person.family_id,
                    plate=f"BN{n:06d}",
                    ownership="family",
                    status=PermitStatus.VALID,
                    valid_from=today - datetime.timedelta(days=10),
                    valid_until=today + datetime.timedelta(days=300),
                )
                for n, person in enumerate(persons)
            ],
            batch_size=5000,
        )
        PlateAllowance.objects.bulk_create(
            [
                PlateAllowance(
                    zone=zone,
                    permit=permit,
                    plate=permit.plate,
                    starts_at=day_start(permit.valid_from),
                    ends_at=day_start(permit.valid_until + datetime.timedelta(days=1)),
                )
                for permit in permits
            ],
            batch_size=5000,
        )


def _summary(values: list[float]) -> str:
    return " / ".join(_number(v, 1) for v in (min(values), statistics.median(values), max(values)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--permits", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    args = parser.parse_args()

    print(f"Carico della macchina all'inizio: {_load()}")
    _database_ensure(args.database_url)
    with tempfile.TemporaryDirectory(prefix="sportello-bench-") as var_dir:
        os.mkdir(os.path.join(var_dir, "static"))
        os.environ.update(
            {
                "SPORTELLO_ENV": "local",
                "SPORTELLO_VAR_DIR": var_dir,
                "DATABASE_URL": args.database_url,
                "DJANGO_SETTINGS_MODULE": "sportello.config.settings.local",
                "CELERY_BROKER_URL": "memory://",
                "LOG_LEVEL": "WARNING",
            }
        )
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from sportello.permits.camera_views import plate_list_csv_bytes
        from sportello.permits.models import Permit, PermitType, Zone
        from sportello.permits.selectors import (
            fee_for_rank,
            household_rank,
            permit_check,
            permit_types_offered,
            plate_list_rows,
        )
        from sportello.registry.models import Person

        call_command("migrate", verbosity=0)
        _town(args.permits)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        zone = Zone.objects.get(code="bench-ztl")
        permit_type = PermitType.objects.get(zone=zone)
        people = list(
            Person.objects.filter(codice_fiscale__startswith="BNCH")[:: max(1, args.permits // 200)]
        )
        permits = list(Permit.objects.filter(code__startswith="BN")[:: max(1, args.permits // 200)])
        quotes, exports, checks = [], [], []
        for _run in range(args.runs):
            timings = []
            for person in people:
                started = time.perf_counter()
                offered = permit_types_offered(person=person)
                assert permit_type in offered
                rank = household_rank(
                    permit_type=permit_type,
                    family_id=person.family_id,
                    holder_id=person.pk,
                    plate="ZZ999ZZ",
                )
                fee_for_rank(permit_type=permit_type, rank=rank)
                timings.append((time.perf_counter() - started) * 1000)
            quotes.append(statistics.median(timings))
            started = time.perf_counter()
            data = plate_list_csv_bytes(plate_list_rows(zones=[zone]))
            exports.append(time.perf_counter() - started)
            assert data.count(b"\r\n") == args.permits + 1
            timings = []
            for permit in permits:
                started = time.perf_counter()
                assert permit_check(code=permit.code, plate=permit.plate).outcome == "valid"
                timings.append((time.perf_counter() - started) * 1000)
            checks.append(statistics.median(timings))
        ok = True
        for label, values, goal, unit in (
            ("Tariffa e diritto per una domanda (mediana)", quotes, GOAL_QUOTE_MS, "ms"),
            (
                f"Lista targhe di {_number(args.permits, 0)} permessi in CSV",
                exports,
                GOAL_EXPORT_S,
                "s",
            ),
            ("Verifica pubblica di una targa (mediana)", checks, GOAL_CHECK_MS, "ms"),
        ):
            passed = max(values) < goal
            ok &= passed
            print(
                f"{'OK ' if passed else 'NO '} {label}: {_summary(values)} {unit} "
                f"(min/mediana/max su {args.runs} giri; obiettivo < {_number(goal, 0)} {unit})"
            )
        print(f"Carico della macchina alla fine: {_load()}")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
