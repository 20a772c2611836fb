"""How fast `sportello demo` builds the town: the promise is 50,000 citizens in under 60 s.

    .venv/bin/python benchmarks/demo_citizens.py [--citizens 50000] [--seed 2026]
    .venv/bin/python benchmarks/demo_citizens.py --database-url postgres://postgres@127.0.0.1:5432/sportello_bench

Without --database-url the town goes into a fresh SQLite file in a temporary folder, removed
afterwards. With it, the database must be a scratch one: the demo there is rebuilt (--reset).
Exits with 1 when slower than the target (60 s per 50,000 citizens).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time

TARGET_SECONDS = 60.0
TARGET_CITIZENS = 50_000


def _number(value: float, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=TARGET_CITIZENS)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", help="a scratch database (default: temporary SQLite)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sportello-bench-") as var_dir:
        # Settings read the environment once, at django.setup(): set it first.
        os.environ["SPORTELLO_ENV"] = "local"
        os.environ["SPORTELLO_VAR_DIR"] = var_dir
        os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{var_dir}/bench.sqlite3"
        os.environ["DJANGO_SETTINGS_MODULE"] = "sportello.config.settings.local"
        import django
        from django.core.management import call_command
        from django.db import connection

        django.setup()
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrated = time.perf_counter() - started

        output = io.StringIO()
        started = time.perf_counter()
        call_command(
            "demo",
            citizens=args.citizens,
            seed=args.seed,
            reset=bool(args.database_url),
            stdout=output,
        )
        elapsed = time.perf_counter() - started
        vendor = connection.vendor
        connection.close()

    target = TARGET_SECONDS * args.citizens / TARGET_CITIZENS
    summary = next(line for line in output.getvalue().splitlines() if line.startswith("Creati"))
    print(f"Database: {vendor}{'' if args.database_url else ' (file temporaneo)'}")
    print(f"migrate:           {_number(migrated, 1)} s")
    print(f"demo:              {summary}")
    print(f"secondi:           {_number(elapsed, 1)}")
    print(f"cittadini/s:       {_number(args.citizens / elapsed)}")
    print(
        f"rispetto a {_number(target, 1)} s: {_number(elapsed / target, 2)} del tempo concesso "
        f"({_number(target / elapsed, 1)}× più veloce)"
    )
    if elapsed > target:
        print("Più lento dell'obiettivo.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
