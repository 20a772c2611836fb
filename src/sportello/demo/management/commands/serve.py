"""Start the whole local system: gunicorn (web), a Celery worker with beat for the interactive
queues, and a second worker for bulk sends (alerts), so a city-wide alert never delays a
verification call.

This is what `make run` ends with. Ctrl-C stops both; if either dies, the other is stopped too,
so nothing is left running half-way.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sportello.demo.build import demo_logins

QUEUES = "default,voice,sms_fax,email"
BULK_QUEUES = "dispatch_voice,dispatch_sms,dispatch_fax,dispatch_email"


class Command(BaseCommand):
    help = "Avvia il server web (gunicorn) e il worker Celery; Ctrl-C ferma tutto."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if _port_in_use(host, port):
            raise CommandError(
                f"La porta {port} è già in uso: chiudi l'altro programma o usa --port."
            )
        web = web_command(host=host, port=port, workers=options["web_workers"])
        worker = [
            sys.executable, "-m", "celery", "-A", "sportello", "--quiet", "worker", "--beat",
            "--queues", QUEUES, "--concurrency", "2", "--loglevel", "INFO",
            "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME,
        ]  # fmt: skip
        bulk = [
            sys.executable, "-m", "celery", "-A", "sportello", "--quiet", "worker", "-n", "bulk@%h",
            "--queues", BULK_QUEUES, "--concurrency", "2", "--loglevel", "INFO",
        ]  # fmt: skip
        # --quiet: no banner of the workers' configuration and task list (the welcome below
        # says what matters); their log lines still show what they do.
        environment = child_environment(host=host, port=port)
        processes = [subprocess.Popen(command, env=environment) for command in (web, worker, bulk)]
        self._print_welcome(host, port)

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        try:
            while True:
                for process in processes:
                    try:
                        code = process.wait(timeout=0.5)
                    except subprocess.TimeoutExpired:
                        continue
                    self.stderr.write(f"Un processo si è fermato (codice {code}): chiudo tutto.")
                    exit_code = code or 1
                    raise KeyboardInterrupt
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
            self.stdout.write("Sportello fermato.")
        if exit_code:
            sys.exit(exit_code)

    def _print_welcome(self, host: str, port: int) -> None:
        url = f"http://{host}:{port}/"
        lines = [
            "",
            "Sportello è in funzione.",
            f"  Portale:      {url}",
            f"  Accesso:      {url}accedi/",
            f"  Operatori:    {url}operatori/",
            f"  Telefono:     {url}simulatore-telefono/  (simulatore: chiamate, SMS, fax)",
            f"  Back-office:  {url}backoffice/",
            "  Premi Ctrl-C per fermare tutto.",
        ]
        rows = demo_logins()
        if rows:
            lines.append("")
            lines.append("  Accessi di prova (utente / ruolo / password):")
            width = max(len(str(row[1])) for row in rows)
            for row in rows:
                lines.append(f"    {row[0]:<18} {row[1]:<{width}} {row[2]}")
        self.stdout.write("\n".join(lines) + "\n")


def web_command(*, host: str, port: int, workers: int) -> list[str]:
    """The gunicorn command line of `serve`."""
    return [
        sys.executable, "-m", "gunicorn", "sportello.config.wsgi:application",
        "--bind", f"{host}:{port}", "--workers", str(workers),
        "--access-logfile", "-", "--graceful-timeout", "5",
        *gunicorn_no_control_socket(),
    ]  # fmt: skip


def gunicorn_no_control_socket() -> list[str]:
    """Gunicorn 25.1+ opens a control socket in the user's home (~/.gunicorn/gunicorn.ctl), shared
    by every checkout and every user of a shared account. `serve` starts and stops gunicorn
    itself and never uses that interface, so it is turned off (older gunicorns have none)."""
    from gunicorn.config import KNOWN_SETTINGS

    if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS):
        return ["--no-control-socket"]
    return []


def child_environment(*, host: str, port: int) -> dict[str, str]:
    """The environment of the web server and the workers: unless SPORTELLO_PUBLIC_URL is set,
    the address this run answers on, so that links made outside a request (the certificate's
    QR code and verification link, e-mails, webhooks) agree with the pages."""
    environment = dict(os.environ)
    if not environment.get("SPORTELLO_PUBLIC_URL"):
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
        if ":" in shown:
            shown = f"[{shown}]"
        environment["SPORTELLO_PUBLIC_URL"] = f"http://{shown}:{port}"
    return environment


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0
