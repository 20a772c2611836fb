"""Alert dispatch on PostgreSQL + Redis + Celery: the figures issue 5 promises.

    .venv/bin/python benchmarks/alerts_dispatch.py
    .venv/bin/python benchmarks/alerts_dispatch.py \
        --database-url postgres://postgres@127.0.0.1:5432/sportello_bench_dispatch \
        --redis-url redis://127.0.0.1:6379/14 [--skip-capped] [--call-seconds 20]

The database is a scratch one: it is dropped and created again. Redis database 14 is flushed.
Celery workers (2 processes, as many as the cores of the reference machine) are started here
and stopped at the end; every provider is the simulator, which records each hand-off.

Figures (goals in brackets):
1. materialising 1,000,000 deliveries in one alert                               [< 5 s]
2. whole city: 155,000 contacts by SMS + e-mail (310,000 messages), from "send" to
   the last hand-off                                                               [< 15 s]
   and the hand-off rate with no provider caps                                    [>= 25,000/s]
3. capped: SMS at 100/s                                [>= 95% of the cap, never above it]
   voice on 30 lines with 20 s calls                   [>= 95% of the lines busy, never more]
Exits with 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOALS = {"materialise_s": 5.0, "city_s": 15.0, "rate": 25_000, "cap_ratio": 0.95}


def _n(value: float, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _verdict(ok: bool) -> str:
    return "OK" if ok else "SOTTO L'OBIETTIVO"


def _setup_env(args: argparse.Namespace, var_dir: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "SPORTELLO_ENV": "local",
        "DJANGO_SETTINGS_MODULE": "sportello.config.settings.local",
        "SPORTELLO_VAR_DIR": var_dir,
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.redis_url,
        "SPORTELLO_RATE_LIMIT_URL": args.redis_url,
        "CACHE_URL": args.redis_url,
        "SPORTELLO_EMAIL_PROVIDER": "sportello.channels.providers.simulator.Simulator",
        "SPORTELLO_DISPATCH_BATCH": "5000",
        "SPORTELLO_DISPATCH_WORKERS_SMS": "2",
        "SPORTELLO_DISPATCH_WORKERS_EMAIL": "2",
        "SPORTELLO_DISPATCH_WORKERS_VOICE": "2",
        "SPORTELLO_SIMULATOR_RING_SECONDS": "3600",
        "LOG_LEVEL": "WARNING",
    }
    env.update(extra)
    return env


def _recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _start_workers(env: dict[str, str], queues: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "sportello", "worker", "-Q", queues,
         "-c", "2", "--loglevel", "WARNING", "--without-gossip", "--without-mingle"],
        env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def _people(count: int, *, first_id: int = 1) -> None:
    """`count` verified subscribers with a mobile and an e-mail, spread over civic numbers."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), count(*) FROM places_civicnumber")
        first_civic, civics = cursor.fetchone()
        cursor.execute(
            """INSERT INTO alerts_subscription (status, source, first_name, last_name, mobile,
                   email, landline, fax, civic_number_id, address_detail, language, deaf,
                   sms_instead_of_voice_requested, sms_instead_of_voice, privacy_accepted_at,
                   protocol_number, created_at, verified_at)
               SELECT 'active', 'web', 'Nome', 'Cognome', '+3934' || lpad(g::text, 8, '0'),
                   'p' || g || '@example.it', '', '', %s + (g %% %s), '', 'it', false, false,
                   false, now(), '', now(), now()
               FROM generate_series(%s, %s) AS g""",
            [first_civic, civics, first_id, first_id + count - 1],
        )


def _town(civics: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO places_street (code, street_type, name, search_name, postal_code)"
            " VALUES ('B1', 'Via', 'Benchmark', 'benchmark', '57100') RETURNING id"
        )
        street = cursor.fetchone()[0]
        cursor.execute(
            """INSERT INTO places_civicnumber (street_id, number, exponent, code, latitude,
                   longitude, zone, postal_code)
               SELECT %s, g, '', 'B' || g, 43.5 + (g %% 300) * 0.0003,
                   10.3 + (g / 300) * 0.0003, '', '57100'
               FROM generate_series(1, %s) AS g""",
            [street, civics],
        )


def _wait_handed_over(dispatch_id: int, timeout: float) -> float:
    """Until no row of the dispatch is queued or being sent; returns when that happened."""
    from django.db import connection

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM channels_delivery WHERE dispatch_id = %s"
                " AND status IN ('queued', 'sending')",
                [dispatch_id],
            )
            if cursor.fetchone()[0] == 0:
                return time.perf_counter()
            time.sleep(0.05)
    raise SystemExit(f"Dispatch {dispatch_id} not handed over within {timeout:.0f} s")


def _alert(**fields):
    from sportello.accounts.models import User
    from sportello.alerts.models import Alert

    user, _ = User.objects.get_or_create(username="bench")
    values = {
        "event": "Prova",
        "headline": "Prova di velocità",
        "description": "Prova",
        "voice_text": "Prova",
        "sms_text": "Prova di velocità del sistema di allerta",
        "email_subject": "Prova",
        "email_text": "Prova",
        "use_voice": False,
        "use_sms": True,
        "use_email": False,
        "exercise": True,
        "area": {"city": True},
        "created_by": user,
    }
    values.update(fields)
    return Alert.objects.create(**values)


def _truncate() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE channels_deliveryevent, channels_delivery, channels_simulatorhandoff,"
            " alerts_alert, channels_dispatch, alerts_subscription CASCADE"
        )


def _truncate_people() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM alerts_subscription")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/sportello_bench_dispatch"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--skip-capped", action="store_true")
    parser.add_argument("--call-seconds", type=int, default=20)
    parser.add_argument("--materialise", type=int, default=1_000_000)
    parser.add_argument("--city", type=int, default=155_000)
    args = parser.parse_args()

    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    _recreate_database(args.database_url)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="sportello-bench-") as var_dir:
        os.environ.update(_setup_env(args, var_dir))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from sportello.alerts.recipients import recipients_materialise
        from sportello.alerts.sending import alert_submit
        from sportello.channels.models import Dispatch

        call_command("migrate", verbosity=0)
        _town(50_000)
        print(f"PostgreSQL {connection.pg_version // 10000}, Redis, Celery, 2 worker processes")

        # 1. Materialising.
        _people(args.materialise)
        connection.cursor().execute("ANALYZE")
        alert = _alert()
        dispatch = Dispatch.objects.create(purpose="alert", reference="bench", payload={})
        started = time.perf_counter()
        written = recipients_materialise(alert=alert, dispatch=dispatch)
        elapsed = time.perf_counter() - started
        ok = elapsed < GOALS["materialise_s"]
        failures += not ok
        print(
            f"1. Righe di invio scritte: {_n(sum(written.values()))} in {_n(elapsed, 2)} s "
            f"(obiettivo < {_n(GOALS['materialise_s'])} s, rapporto "
            f"{_n(GOALS['materialise_s'] / elapsed, 1)}×) {_verdict(ok)}"
        )

        # 2. The whole city, SMS + e-mail, uncapped simulators.
        _truncate()
        _people(args.city)
        connection.cursor().execute("ANALYZE")
        workers = _start_workers(dict(os.environ), "dispatch_sms,dispatch_email,default")
        try:
            time.sleep(3)  # worker start-up is not part of the figure
            alert = _alert(use_email=True)
            started = time.perf_counter()
            alert_submit(alert=alert, by=alert.created_by)
            alert.refresh_from_db()
            submitted = time.perf_counter()
            ended = _wait_handed_over(alert.dispatch_id, timeout=300)
        finally:
            _stop(workers)
        total = alert.dispatch.deliveries.count()
        handed = connection.cursor()
        handed.execute(
            "SELECT count(*), count(DISTINCT delivery_id) FROM channels_simulatorhandoff"
        )
        handoffs, distinct = handed.fetchone()
        whole, dispatching = ended - started, ended - submitted
        rate = total / dispatching
        ok_city, ok_rate = whole < GOALS["city_s"], rate >= GOALS["rate"]
        failures += (not ok_city) + (not ok_rate) + (handoffs != total or distinct != total)
        print(
            f"2. Città intera: {_n(args.city)} iscritti, {_n(total)} messaggi (SMS + e-mail) "
            f"dall'invio all'ultimo affidamento in {_n(whole, 2)} s (obiettivo < "
            f"{_n(GOALS['city_s'])} s, rapporto {_n(GOALS['city_s'] / whole, 1)}×) "
            f"{_verdict(ok_city)}"
        )
        print(
            f"   di cui scrittura righe {_n(submitted - started, 2)} s, affidamento "
            f"{_n(dispatching, 2)} s: {_n(rate)} messaggi/s (obiettivo ≥ {_n(GOALS['rate'])}, "
            f"rapporto {_n(rate / GOALS['rate'], 2)}×) {_verdict(ok_rate)}"
        )
        print(f"   affidamenti al simulatore: {_n(handoffs)} per {_n(distinct)} righe (1 ciascuna)")
        if args.skip_capped:
            return 1 if failures else 0

        # 3. Capped providers.
        failures += _capped(args, var_dir)
    return 1 if failures else 0


def _capped(args: argparse.Namespace, var_dir: str) -> int:
    from django.db import connection

    from sportello.alerts.sending import alert_submit

    failures = 0
    sms_rate, lines, call_seconds = 100, 30, args.call_seconds
    sms_count = sms_rate * 12
    calls = lines * 3
    _truncate()
    _people(sms_count)
    env = _setup_env(
        args,
        var_dir,
        SPORTELLO_SMS_RATE=str(sms_rate),
        SPORTELLO_VOICE_LINES=str(lines),
        SPORTELLO_SIMULATOR_CALL_SECONDS=str(call_seconds),
    )
    workers = _start_workers(env, "dispatch_sms,dispatch_voice,default")
    try:
        time.sleep(3)
        # SMS: everyone, by text only.
        sms_alert = _alert()
        alert_submit(alert=sms_alert, by=sms_alert.created_by)
        sms_alert.refresh_from_db()
        _wait_handed_over(sms_alert.dispatch_id, timeout=120)
        # Voice: `calls` people, a call each to their mobile.
        _truncate_people()
        _people(calls, first_id=10_000_000)
        voice_alert = _alert(use_sms=False, use_voice=True)
        alert_submit(alert=voice_alert, by=voice_alert.created_by)
        voice_alert.refresh_from_db()
        _wait_handed_over(voice_alert.dispatch_id, timeout=calls / lines * call_seconds * 3 + 60)
        # Let the last calls end.
        deadline = time.monotonic() + call_seconds * 2 + 30
        while time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM channels_delivery WHERE dispatch_id = %s"
                    " AND status IN ('ringing', 'answered')",
                    [voice_alert.dispatch_id],
                )
                if cursor.fetchone()[0] == 0:
                    break
            time.sleep(0.2)
    finally:
        _stop(workers)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT extract(epoch FROM h.at) FROM channels_simulatorhandoff h"
            " JOIN channels_delivery d ON d.id = h.delivery_id"
            " WHERE d.dispatch_id = %s ORDER BY h.at",
            [sms_alert.dispatch_id],
        )
        times = [float(row[0]) for row in cursor.fetchall()]
    # The busiest one-second window, and the average over the whole run (first to last).
    busiest, j = 0, 0
    for i, start in enumerate(times):
        while j < len(times) and times[j] < start + 1.0:
            j += 1
        busiest = max(busiest, j - i)
    # Over the whole run: from the first hand-off to one second after the last (the last
    # second's window is part of the run).
    span = times[-1] - times[0] + 1.0
    average = len(times) / span
    ok = busiest <= sms_rate and average >= GOALS["cap_ratio"] * sms_rate
    failures += not ok
    print(
        f"3. SMS con tetto {sms_rate}/s: {_n(len(times))} SMS, media {_n(average, 1)}/s "
        f"({_n(100 * average / sms_rate, 1)}% del tetto), massimo in un secondo {busiest} "
        f"{_verdict(ok)}"
    )

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT extract(epoch FROM h.at), extract(epoch FROM e.at) FROM channels_delivery d"
            " JOIN channels_simulatorhandoff h ON h.delivery_id = d.id"
            " JOIN channels_deliveryevent e ON e.delivery_id = d.id AND e.status = 'completed'"
            " WHERE d.dispatch_id = %s",
            [voice_alert.dispatch_id],
        )
        spans = [(float(a), float(b)) for a, b in cursor.fetchall()]
    events = sorted([(a, 1) for a, _b in spans] + [(b, -1) for _a, b in spans])
    busy = peak = 0
    for _at, change in events:
        busy += change
        peak = max(peak, busy)
    first, last = min(a for a, _b in spans), max(b for _a, b in spans)
    line_seconds = sum(b - a for a, b in spans)
    # Steady state: the run minus the last call's length (lines empty out at the end).
    usage = line_seconds / (lines * (last - first)) if last > first else 0
    ok = peak <= lines and usage >= GOALS["cap_ratio"]
    failures += not ok
    print(
        f"   Voce con {lines} linee, chiamate di {call_seconds} s: {len(spans)} chiamate in "
        f"{_n(last - first, 1)} s, linee occupate in media {_n(100 * usage, 1)}%, "
        f"massimo contemporanee {peak} {_verdict(ok)}"
    )
    return failures


if __name__ == "__main__":
    sys.exit(main())
