"""The 24-hour replay line under load: the figure issue 6 promises.

    .venv/bin/python benchmarks/alerts_replay.py
    .venv/bin/python benchmarks/alerts_replay.py \
        --database-url postgres://postgres@127.0.0.1:5432/sportello_bench_replay \
        --cache-url redis://127.0.0.1:6379/13 [--callers 50] [--calls 5] [--think-ms 1000]

The real WSGI application runs under gunicorn (gthread: 2 processes, as many as the cores of the
reference machine, 4 threads each, persistent database connections) against a scratch
PostgreSQL database, dropped and created again here, with Redis as the shared cache (its
database 13 is flushed). The demo comune is built, with 1,000 verified subscribers and five
alerts: four sent in the last 24 hours (city-wide, a polygon, a circle, three streets; one an
exercise, one stopped) and one older.

`--callers` simulated callers then call the alert number at the same moment, each through
`--calls` whole calls: start, 1 (repeat), 2 (next), 9 (helpline), 0 (goodbye), every step a
webhook signed as Twilio signs it. One caller in five hides the number, one in five is not
subscribed, the others are subscribers (some of them inside the polygon, the circle or the
streets). The load generator runs on the same machine, with the same two cores.

1. Callers (the goal): each presses the next key `--think-ms` after the answer arrived
   (1 s; a real caller listens to several seconds of speech first). The callers stay in step,
   so every second 50 webhooks arrive together. Goal: p95 < 200 ms.
2. Under strain, for information (`--no-stress` skips it): no pause at all, every caller
   sends its next webhook the moment the answer arrives, i.e. as many webhooks as the machine
   can answer; the latency then measures the queue, which the server's throughput sets.

Every answer is checked (status 200, TwiML that says what the step should). Exits with 1 when
the goal is missed or any answer is wrong.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_P95_MS = 200.0
TOKEN = "benchmark-auth-token"
LINE = "+3905861837510"  # the demo's alert caller ID, 0586 1837510
SUBSCRIBERS = 1_000
STEPS = ("start", "1", "2", "9", "0")
CONCERNS = ("Questa allerta riguarda il tuo indirizzo", "This alert concerns your address")
_ACTION = re.compile(r'<Gather action="([^"]+)"')


def _n(value: float, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _recreate_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(args: argparse.Namespace, var_dir: str, public: str) -> dict[str, str]:
    return {
        **os.environ,
        "SPORTELLO_ENV": "local",
        "DJANGO_SETTINGS_MODULE": "sportello.config.settings.local",
        "SPORTELLO_VAR_DIR": var_dir,
        "DATABASE_URL": args.database_url,
        "DATABASE_CONN_MAX_AGE": "60",
        "CACHE_URL": args.cache_url,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "SPORTELLO_PUBLIC_URL": public,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
    }


def _subscribers(count: int) -> list[str]:
    """`count` verified subscribers with a mobile, spread over the civic numbers; a quarter of
    them speak English. Returns their mobiles."""
    from django.db import connection

    from sportello.alerts.demo import demo_alert_people_delete

    demo_alert_people_delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_agg(id ORDER BY id) FROM places_civicnumber")
        civics = cursor.fetchone()[0]
        cursor.execute(
            """INSERT INTO alerts_subscription (status, source, first_name, last_name, mobile,
                   email, landline, fax, civic_number_id, address_detail, language, deaf,
                   sms_instead_of_voice_requested, sms_instead_of_voice, privacy_accepted_at,
                   protocol_number, created_at, verified_at)
               SELECT 'active', 'web', 'Nome', 'Cognome', '+39347' || lpad(g::text, 7, '0'),
                   'p' || g || '@example.it', '', '', (%s::bigint[])[1 + (g * 7919) %% %s], '',
                   CASE WHEN g %% 4 = 0 THEN 'en' ELSE 'it' END, false, false, false, now(), '',
                   now(), now()
               FROM generate_series(1, %s) AS g
               RETURNING mobile""",
            [civics, len(civics), count],
        )
        return [row[0] for row in cursor.fetchall()]


def _alerts() -> dict[str, int]:
    """Four alerts sent in the last 24 hours and one older; how many subscribers each area
    holds."""
    from django.utils import timezone

    from sportello.accounts.models import User
    from sportello.alerts.models import Alert, AlertStatus, Subscription
    from sportello.places.areas.selection import area_civic_numbers
    from sportello.places.areas.validation import area_clean
    from sportello.places.models import CivicNumber

    user, _created = User.objects.get_or_create(username="bench")
    civics = list(CivicNumber.objects.order_by("pk"))
    lons = sorted(civic.longitude for civic in civics)
    lats = sorted(civic.latitude for civic in civics)
    west, east = lons[len(lons) // 4], lons[3 * len(lons) // 4]
    south, north = lats[len(lats) // 4], lats[3 * len(lats) // 4]
    box = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    centre = civics[len(civics) // 2]
    streets = sorted({civic.street_id for civic in civics})[:3]
    now = timezone.now()
    areas = {
        "city": ({"city": True}, timedelta(minutes=30), {}),
        "polygon": (
            {
                "features": {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "geometry": {"type": "Polygon", "coordinates": [box]},
                            "properties": {},
                        }
                    ],
                }
            },
            timedelta(hours=3),
            {"exercise": True},
        ),
        "circle": (
            {
                "features": {
                    "type": "FeatureCollection",
                    "features": [
                        {
                            "type": "Feature",
                            "geometry": {
                                "type": "Point",
                                "coordinates": [centre.longitude, centre.latitude],
                            },
                            "properties": {"radius": 300},
                        }
                    ],
                }
            },
            timedelta(hours=8),
            {},
        ),
        "streets": (
            {"streets": [{"street": street, "parity": "all"} for street in streets]},
            timedelta(hours=20),
            {"status": AlertStatus.STOPPED, "stopped_at": now - timedelta(hours=19)},
        ),
        "older": ({"city": True}, timedelta(hours=30), {}),
    }
    inside: dict[str, int] = {}
    for name, (area, ago, extra) in areas.items():
        cleaned = area_clean(area)
        Alert.objects.create(
            event="Prova",
            headline=f"Prova del riascolto: {name}",
            headline_en=f"Replay test: {name}",
            description="Prova",
            voice_text=f"Messaggio di prova per l'area {name}.",
            voice_text_en=f"Test message for the {name} area.",
            sms_text="Prova",
            area=cleaned,
            status=extra.pop("status", AlertStatus.SENT),
            sent_at=now - ago,
            created_by=user,
            **extra,
        )
        ids = area_civic_numbers(cleaned)
        people = Subscription.objects.all()
        inside[name] = (people if ids is None else people.filter(civic_number_id__in=ids)).count()
    return inside


class Caller:
    """One simulated caller: whole calls to the alert number, each step a signed webhook."""

    def __init__(self, base: str, number: str, calls: int, think: float) -> None:
        from twilio.request_validator import RequestValidator

        self.base, self.number, self.calls, self.think = base, number, calls, think
        self.validator = RequestValidator(TOKEN)
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.concerned = 0

    def _post(self, url: str, params: dict[str, str]) -> str:
        signature = self.validator.compute_signature(url, params)
        request = urllib.request.Request(  # noqa: S310 - our own server, http://127.0.0.1
            url,
            data=urllib.parse.urlencode(params).encode(),
            headers={"X-Twilio-Signature": signature},
            method="POST",
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            body = response.read().decode()
        self.latencies.append((time.perf_counter() - started) * 1000)
        return body

    def run(self, start: threading.Barrier) -> None:
        start.wait()
        for _call in range(self.calls):
            sid = "CA" + uuid.uuid4().hex
            url = f"{self.base}/canali/twilio/voice/in/start/"
            for step in STEPS:
                params = {"CallSid": sid, "From": self.number, "To": LINE}
                if step != "start":
                    params["Digits"] = step
                try:
                    body = self._post(url, params)
                except (urllib.error.URLError, OSError) as error:
                    self.errors.append(f"{step}: {error}")
                    break
                problem = self._check(step, body)
                if problem:
                    self.errors.append(f"{step}: {problem}: {body[:300]}")
                    break
                if step == "start" and any(text in body for text in CONCERNS):
                    self.concerned += 1
                if step != "0":
                    url = _ACTION.search(body).group(1).replace("&amp;", "&")
                if self.think:
                    time.sleep(self.think)

    @staticmethod
    def _check(step: str, body: str) -> str:
        """What the step must say, in Italian or (subscribers who chose it) English."""
        expected = {
            "start": ("Servizio di riascolto", "replay service"),
            "1": ("Allerta 1 di 4", "Alert 1 of 4"),
            "2": ("Allerta 2 di 4", "Alert 2 of 4"),
            "9": ("Il numero di assistenza è 8, 0, 0", "helpline number is 8, 0, 0"),
            "0": ("Arrivederci", "Goodbye"),
        }[step]
        if not any(text in body for text in expected):
            return f"«{expected[0]}» not said"
        if step == "0":
            return "" if "<Gather" not in body else "the call goes on after 0"
        return "" if _ACTION.search(body) else "no keys awaited"


def _callers(mobiles: list[str], count: int) -> list[str]:
    """One in five hides the number, one in five is not subscribed, the rest are subscribers."""
    numbers = []
    for index in range(count):
        if index % 5 == 0:
            numbers.append("anonymous")
        elif index % 5 == 1:
            numbers.append(f"+390586{500000 + index:06d}")
        else:
            numbers.append(mobiles[(index * 37) % len(mobiles)])
    return numbers


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _wait_ready(base: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        probe = urllib.request.Request(f"{base}/canali/twilio/voice/in/start/", data=b"")  # noqa: S310
        try:
            urllib.request.urlopen(probe, timeout=2)  # noqa: S310 - our own server
        except urllib.error.HTTPError as error:
            if error.code == 403:  # unsigned: refused, so the application is up
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within a minute")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/sportello_bench_replay"
    )
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--callers", type=int, default=50)
    parser.add_argument("--calls", type=int, default=5, help="whole calls per caller")
    parser.add_argument(
        "--think-ms", type=int, default=1000, help="pause between an answer and the next key"
    )
    parser.add_argument("--no-stress", action="store_true", help="skip the phase without pauses")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn process")
    args = parser.parse_args()

    import redis

    redis.Redis.from_url(args.cache_url).flushdb()
    _recreate_database(args.database_url)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="sportello-bench-") as var_dir:
        env = _env(args, var_dir, base)
        os.environ.update(env)
        import django

        django.setup()
        import io

        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        call_command("demo", "--citizens", "2000", "--seed", "6", stdout=io.StringIO())
        mobiles = _subscribers(SUBSCRIBERS)
        inside = _alerts()
        connection.cursor().execute("ANALYZE")
        print(
            f"PostgreSQL {connection.pg_version // 10000}, Redis (cache), gunicorn gthread "
            f"{args.workers} processi × {args.threads} thread; {_n(SUBSCRIBERS)} iscritti, "
            "4 allerte nelle 24 ore (iscritti nell'area: "
            + ", ".join(f"{name} {_n(count)}" for name, count in inside.items() if name != "older")
            + ")"
        )
        connection.close()

        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "sportello.config.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
             "--worker-class", "gthread", "--threads", str(args.threads),
             "--backlog", "256", "--log-level", "warning"],
            env=env, cwd=ROOT, start_new_session=True,
        )  # fmt: skip
        try:
            _wait_ready(base)
            # Each process's threads open their database connection and read what later
            # requests reuse, as on a server that has been up for a while: whole calls, not
            # counted.
            warm = _callers(mobiles, 2 * args.workers * args.threads)
            _phase(base, warm, calls=1, think_ms=0)
            failures = 0
            phases = [("chiamanti", args.think_ms, True)]
            if not args.no_stress:
                phases.append(("sotto sforzo, senza pause (solo informativo)", 0, False))
            for label, think_ms, goal in phases:
                callers = _callers(mobiles, args.callers)
                result = _phase(base, callers, calls=args.calls, think_ms=think_ms)
                failures += _report(label, result, args, think_ms=think_ms, goal=goal)
        finally:
            try:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(server.pid, signal.SIGKILL)
    return 1 if failures else 0


def _phase(base: str, numbers: list[str], *, calls: int, think_ms: int) -> dict:
    """All the callers at once, each through `calls` whole calls; latencies and problems."""
    callers = [Caller(base, number, calls, think_ms / 1000) for number in numbers]
    barrier = threading.Barrier(len(callers))
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(callers)) as pool:
        list(pool.map(lambda caller: caller.run(barrier), callers))
    return {
        "elapsed": time.perf_counter() - started,
        "latencies": [value for caller in callers for value in caller.latencies],
        "errors": [error for caller in callers for error in caller.errors],
        "concerned": sum(caller.concerned for caller in callers),
    }


def _report(label: str, result: dict, args: argparse.Namespace, *, think_ms: int, goal: bool):
    """Print one phase; 1 when it fails (wrong answers, or the goal missed where it applies)."""
    latencies, errors = result["latencies"], result["errors"]
    if not latencies:
        print(f"{label}: nessuna risposta misurata.")
        return 1
    p50, p95, p99 = (_percentile(latencies, share) for share in (0.50, 0.95, 0.99))
    met = p95 < GOAL_P95_MS
    print(
        f"Riascolto, {label}: {args.callers} chiamanti contemporanei, {_n(len(latencies))} "
        f"webhook ({args.calls} chiamate intere a testa, {think_ms} ms tra una risposta e il "
        f"tasto successivo) in {_n(result['elapsed'], 1)} s, "
        f"{_n(len(latencies) / result['elapsed'])} webhook/s"
    )
    print(
        f"   tempo di risposta: p50 {_n(p50, 1)} ms, p95 {_n(p95, 1)} ms, p99 {_n(p99, 1)} ms, "
        f"massimo {_n(max(latencies), 1)} ms, media {_n(statistics.fmean(latencies), 1)} ms"
    )
    verdict = ("OK" if met else "OBIETTIVO MANCATO") if goal else "(senza obiettivo)"
    print(
        f"   p95 / {_n(GOAL_P95_MS)} ms = {_n(p95 / GOAL_P95_MS, 2)} {verdict}; iscritti a cui "
        f"è stato detto «riguarda il tuo indirizzo»: {result['concerned']}; risposte sbagliate "
        f"o mancate: {len(errors)}"
    )
    for error in errors[:5]:
        print(f"   ! {error}")
    return int(bool(errors) or (goal and not met))


if __name__ == "__main__":
    sys.exit(main())
