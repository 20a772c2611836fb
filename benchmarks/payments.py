"""How fast payments go, on the figures issue 12 promises (on PostgreSQL, 2 cores):

- creating 100,000 debt positions with their IUVs and codici avviso (a canteen year): < 20 s;
- reconciling 100,000 pagoPA receipts (XML read, notices marked paid, positions updated): < 20 s;
- drawing one payment notice PDF (with its QR codes): < 300 ms median.

    .venv/bin/python benchmarks/payments.py [--positions 100000] [--runs 3]
        [--database-url postgres://postgres@127.0.0.1:5432/sportello_bench_payments]

Each run creates its positions through payments.services.positions_create (publication queued
on an in-memory broker, as the real one would queue it), then hands receipts for every notice to
payments.services.receipts_receive, then draws notices. Building the specs and the receipts is
the callers' work (the canteen, pagoPA) and is not timed. The database must be a scratch one: it
is created if missing, migrated, and emptied of the benchmark's own payments before each run, so
the benchmark can run again on it. Prints every figure with its goal, min/median/max over the
runs and the load average; exits 1 when a clause is missed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from decimal import Decimal

GOAL_CREATE_S = 20.0
GOAL_RECONCILE_S = 20.0
GOAL_NOTICE_MS = 300.0
SERVICE = "benchmark"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/sportello_bench_payments"


def _number(value: float, decimals: int = 1) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{_number(one, 2)} {_number(five, 2)} {_number(fifteen, 2)} (1, 5, 15 min)"


def _database_ensure(url: str) -> None:
    """Create the scratch PostgreSQL database if it does not exist."""
    if not url.startswith("postgres"):
        return
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _empty() -> None:
    """Remove the benchmark's own payments (refuse a database holding anyone else's)."""
    from django.db import connection

    from sportello.payments.models import PaymentPosition

    if PaymentPosition.objects.exclude(service=SERVICE).exists():
        raise SystemExit(
            "Il database contiene pagamenti veri: usa un database di prova (--database-url)."
        )
    tables = [
        "payments_cart_options",
        "payments_cart",
        "payments_receipt",
        "payments_transfer",
        "payments_paymentoption",
        "payments_paymentposition",
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")


def _specs(count: int):
    """A canteen year: one child in ten positions, ten months each (so 100,000 positions are
    10,000 children), each child with their own codice fiscale."""
    from sportello.payments.validation import Debtor, OptionSpec, PositionSpec
    from sportello.registry.codice_fiscale import codice_fiscale_compute

    due = datetime.date.today() + datetime.timedelta(days=30)
    born = datetime.date(2014, 1, 1)
    children = []
    for number in range((count + 9) // 10):
        birth = born + datetime.timedelta(days=number % 3000)
        surname = f"Rossi{chr(65 + number // 3000 % 26)}{chr(65 + number // 78000 % 26)}"
        code = codice_fiscale_compute(
            last_name=surname,
            first_name="Tommaso",
            sex="M",
            birth_date=birth,
            birth_place_code="E625",
        )
        children.append(Debtor(fiscal_code=code, name=f"Tommaso {surname}"))
    run = time.time_ns()
    months = (
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
    )
    return [
        PositionSpec(
            service=SERVICE,
            reference=f"{run}-{index}",
            title=f"Mensa scolastica, {months[index % 10]}",
            debtor=children[index // 10],
            category="9/0201102IM/",
            single=OptionSpec(Decimal("45.60"), due, f"Mensa scolastica, {months[index % 10]}"),
        )
        for index in range(count)
    ]


def _receipts(creditor: str) -> list[bytes]:
    from django.utils import timezone

    from sportello.payments.models import PaymentOption
    from sportello.payments.receipt_xml import ReceiptTransfer, receipt_build

    now = timezone.now()
    documents = []
    options = PaymentOption.objects.filter(position__service=SERVICE).values_list(
        "pk", "notice_number", "iuv", "amount"
    )
    for pk, notice_number, iuv, amount in options.iterator(chunk_size=5000):
        documents.append(
            receipt_build(
                receipt_id=f"bench-{pk}",
                notice_number=notice_number,
                organization_fiscal_code=creditor,
                company_name="Comune di Valdoria",
                iuv=iuv,
                amount=amount,
                description="Mensa scolastica, ottobre",
                debtor_type="F",
                debtor_fiscal_code="CNTTMS17T07E625D",
                debtor_name="Tommaso Conti",
                transfers=[
                    ReceiptTransfer(
                        1, amount, creditor, "IT17J0100513900000000012345", "Mensa", "9/0201102IM/"
                    )
                ],
                psp_id="BCITITMM",
                psp_company_name="Banca di prova",
                payment_method="CP",
                fee=100,
                paid_at=now,
            )
        )
    return documents


def _spread(label: str, values: list[float], unit: str, goal: float) -> bool:
    ok = max(values) < goal
    print(
        f"{label:<34} min {_number(min(values))} · mediana {_number(statistics.median(values))} · "
        f"max {_number(max(values))} {unit} · obiettivo < {_number(goal, 0)} {unit} · "
        f"{'OK' if ok else 'NON RAGGIUNTO'} ({_number(max(values) / goal, 2)} del tempo concesso "
        "nella prova peggiore)"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--positions", type=int, default=100_000)
    parser.add_argument("--notices", type=int, default=30, help="notice PDFs drawn per run")
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
                # Publication tasks are queued, as in production, on a broker in this process.
                "CELERY_BROKER_URL": "memory://",
                "LOG_LEVEL": "WARNING",
            }
        )
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from sportello.core.models import Municipality
        from sportello.payments.models import OptionStatus, PaymentOption, PaymentPosition
        from sportello.payments.rendering import notice_pdf
        from sportello.payments.services import positions_create, receipts_receive

        call_command("migrate", verbosity=0)
        creditor = "01234560991"
        Municipality.objects.update_or_create(
            pk=Municipality.objects.order_by("pk").values_list("pk", flat=True).first(),
            defaults={
                "name": "Comune di Valdoria",
                "short_name": "Valdoria",
                "istat_code": "099999",
                "tax_code": creditor,
            },
        )
        count = _number(args.positions, 0)
        print(f"Database: {connection.vendor} · {count} posizioni per prova · {args.runs} prove")
        creating, reconciling, drawing = [], [], []
        for run in range(1, args.runs + 1):
            _empty()
            specs = _specs(args.positions)
            started = time.perf_counter()
            positions_create(specs=specs)
            creating.append(time.perf_counter() - started)
            made = PaymentOption.objects.filter(position__service=SERVICE).count()
            assert made == args.positions, f"{made} options made"

            documents = _receipts(creditor)
            started = time.perf_counter()
            report = receipts_receive(documents=documents, source="polling")
            reconciling.append(time.perf_counter() - started)
            unpaid = PaymentOption.objects.filter(
                position__service=SERVICE, status=OptionStatus.UNPAID
            ).count()
            assert report.paid == args.positions and unpaid == 0, (report, unpaid)

            positions = list(
                PaymentPosition.objects.filter(service=SERVICE).order_by("pk")[: args.notices + 3]
            )
            PaymentOption.objects.filter(position__in=positions).update(status=OptionStatus.UNPAID)
            for position in positions[:3]:  # warm-up: WeasyPrint and fonts, once per process
                notice_pdf(position=position, creditor_fiscal_code=creditor)
            samples = []
            for position in positions[3:]:
                started = time.perf_counter()
                notice_pdf(position=position, creditor_fiscal_code=creditor)
                samples.append((time.perf_counter() - started) * 1000)
            drawing.append(statistics.median(samples))
            print(
                f"  prova {run}: creazione {_number(creating[-1])} s, riconciliazione "
                f"{_number(reconciling[-1])} s, avviso PDF {_number(drawing[-1])} ms (mediana di "
                f"{len(samples)})"
            )
        _empty()
        connection.close()

    print()
    ok = _spread("Creare le posizioni (s)", creating, "s", GOAL_CREATE_S)
    ok = _spread("Riconciliare le ricevute (s)", reconciling, "s", GOAL_RECONCILE_S) and ok
    ok = _spread("Avviso PDF, mediana (ms)", drawing, "ms", GOAL_NOTICE_MS) and ok
    print(f"Carico della macchina alla fine: {_load()}")
    if not ok:
        print("Almeno un obiettivo non è raggiunto.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
