"""Keep a transceiver bound to the SMSC and record the delivery receipts it sends.

An SMSC hands receipts to whichever session of the account is bound, so one must always be:
production runs this command as a systemd service next to the workers. It binds again, with
backoff, whenever the session drops, and unbinds on SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sportello.channels.base import NotConfigured
from sportello.channels.providers.smpp import smpp_listen


class Command(BaseCommand):
    help = (
        "Resta collegato all'SMSC (SPORTELLO_SMPP) e registra le ricevute di consegna degli SMS. "
        "Si ricollega da solo; termina con SIGTERM o Ctrl-C."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        previous = {
            number: signal.signal(number, lambda *_: stop.set())
            for number in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            smpp_listen(should_stop=stop.is_set, report=self._report)
        except NotConfigured as error:
            raise CommandError(error.message) from error
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def _report(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
