"""How fast the canteen's day goes, on the figures issue 17 promises (PostgreSQL, 2 cores):

- the day's debit for 20,000 enrolled children (meals inserted, balances lowered, low-credit
  warnings marked and queued): < 5 s;
- the kitchen's count for the day (by school, class and diet): < 200 ms median.

    .venv/bin/python benchmarks/canteen.py [--children 20000] [--runs 3]
        [--database-url postgres://postgres@127.0.0.1:5432/sportello_bench_canteen]

The town (a school year, 10 schools with 40 classes each, the children enrolled and accepted,
5 % absent, one in ten with a special diet, one in ten under the low-credit threshold) is built
once with bulk inserts and is not timed. Each run empties the day's meals and restores the
balances first, so the benchmark can run again on the same scratch database (created if
missing). Prints every figure with its goal and min/median/max; exits 1 when a clause is missed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time

GOAL_DAY_S = 5.0
GOAL_KITCHEN_MS = 200.0
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/sportello_bench_canteen"
YEAR_NAME = "Benchmark"


def _number(value: float, decimals: int = 1) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _database_ensure(url: str) -> None:
    if not url.startswith("postgres"):
        return
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _town(children: int, day: datetime.date) -> None:
    """The benchmark's school year and children, made once (bulk inserts)."""
    from sportello.accounts.models import User
    from sportello.canteen.models import (
        Absence,
        CreditAccount,
        DietKind,
        DietOption,
        Enrolment,
        EnrolmentStatus,
        Grade,
        School,
        SchoolClass,
        SchoolYear,
    )

    year = SchoolYear.objects.filter(name=YEAR_NAME).first()
    if year is not None and Enrolment.objects.filter(school_year=year).count() == children:
        return
    if SchoolYear.objects.exclude(name=YEAR_NAME).exists():
        raise SystemExit("Il database contiene una mensa vera: usa un database di prova.")
    Absence.objects.all().delete()
    from sportello.canteen.models import CanteenDay, Movement, TopUp

    CanteenDay.objects.all().delete()
    Movement.objects.all().delete()
    TopUp.objects.all().delete()
    Enrolment.objects.all().delete()
    CreditAccount.objects.all().delete()
    SchoolClass.objects.all().delete()
    School.objects.all().delete()
    SchoolYear.objects.all().delete()
    year = SchoolYear.objects.create(
        name=YEAR_NAME,
        starts=day - datetime.timedelta(days=60),
        ends=day + datetime.timedelta(days=200),
        enrolment_opens=day - datetime.timedelta(days=90),
        enrolment_closes=day + datetime.timedelta(days=30),
    )
    parent, _created = User.objects.get_or_create(username="benchmark-genitore")
    diet, _created = DietOption.objects.get_or_create(name="Senza carne di maiale")
    classes = []
    for number in range(10):
        school = School.objects.create(name=f"Scuola {number + 1}", grade=Grade.PRIMARIA)
        classes += SchoolClass.objects.bulk_create(
            SchoolClass(school=school, name=f"{n // 8 + 1}{'ABCDEFGH'[n % 8]}") for n in range(40)
        )
    accounts = CreditAccount.objects.bulk_create(
        CreditAccount(
            child_fiscal_code=f"BNCH{index:012d}",
            child_name=f"Bambino {index}",
            balance=500 if index % 10 == 0 else 20_000,
        )
        for index in range(children)
    )
    enrolments = Enrolment.objects.bulk_create(
        (
            Enrolment(
                school_year=year,
                parent=parent,
                child_fiscal_code=account.child_fiscal_code,
                child_first_name="Bambino",
                child_last_name=str(index),
                child_birth_date=datetime.date(2018, 1, 1),
                school_class=classes[index % len(classes)],
                diet_kind=(
                    DietKind.ETHICAL
                    if index % 10 == 1
                    else DietKind.MEDICAL
                    if index % 20 == 2
                    else DietKind.NONE
                ),
                diet_option=diet if index % 10 == 1 else None,
                account=account,
                meal_price=360,
                status=EnrolmentStatus.ACCEPTED,
                protocol=f"MS-B-{index:06d}",
            )
            for index, account in enumerate(accounts)
        ),
        batch_size=5000,
    )
    Absence.objects.bulk_create(
        Absence(enrolment=enrolment, day=day) for enrolment in enrolments[::20]
    )


def _reset(day: datetime.date) -> None:
    from django.db.models import Case, IntegerField, Value, When

    from sportello.canteen.models import CanteenDay, CreditAccount, Movement

    Movement.objects.filter(day=day).delete()
    CanteenDay.objects.filter(day=day).delete()
    CreditAccount.objects.update(
        low_credit_notified=False,
        balance=Case(
            When(child_fiscal_code__endswith="0", then=Value(500)),
            default=Value(20_000),
            output_field=IntegerField(),
        ),
    )


def _summary(values: list[float]) -> str:
    return " / ".join(_number(v, 2) for v in (min(values), statistics.median(values), max(values)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    args = parser.parse_args()
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

        from sportello.canteen.days import canteen_day_run
        from sportello.canteen.selectors import kitchen_counts

        call_command("migrate", verbosity=0)
        day = datetime.date.today()
        while day.isoweekday() > 5:
            day -= datetime.timedelta(days=1)
        started = time.perf_counter()
        _town(args.children, day)
        print(
            f"Database: {connection.vendor} · {_number(args.children, 0)} bambini iscritti "
            f"(preparati in {_number(time.perf_counter() - started)} s) · {args.runs} prove"
        )
        debits, kitchens = [], []
        for _run in range(args.runs):
            _reset(day)
            for _count in range(10):
                started = time.perf_counter()
                rows = kitchen_counts(day=day)
                kitchens.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            record = canteen_day_run(day=day)
            debits.append(time.perf_counter() - started)
            expected = args.children - len(range(0, args.children, 20))
            assert record.meals == expected, f"{record.meals} meals, expected {expected}"
            assert sum(row.meals for row in rows) == expected
        day_ok = max(debits) < GOAL_DAY_S
        kitchen_ok = statistics.median(kitchens) < GOAL_KITCHEN_MS
        print(
            f"Addebito del giorno (s, min/mediana/max): {_summary(debits)} "
            f"— obiettivo < {_number(GOAL_DAY_S)} s {'OK' if day_ok else 'MANCATO'}"
        )
        print(
            f"Conteggio per la cucina (ms, min/mediana/max): {_summary(kitchens)} "
            f"— obiettivo < {_number(GOAL_KITCHEN_MS, 0)} ms {'OK' if kitchen_ok else 'MANCATO'}"
        )
        return 0 if day_ok and kitchen_ok else 1


if __name__ == "__main__":
    sys.exit(main())
