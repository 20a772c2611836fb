"""`sportello pec_file [FILE.eml …]`: file raw messages as the PEC mailbox poll would, to try a
PEC request on a local run without a PEC mailbox. Without a file, the bundled sample: a PEC
from «mario.rossi@pec.example.it» asking for credentials, with a copy of the identity card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sportello.accounts.pec_requests import credential_request_from_pec

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "pec-richiesta-credenziali.eml"


class Command(BaseCommand):
    help = "Archivia messaggi PEC da file .eml, come la lettura della casella PEC."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="*", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        for path in options["files"] or [SAMPLE]:
            try:
                raw = path.read_bytes()
            except OSError as error:
                raise CommandError(f"{path}: {error.strerror}") from error
            filed = credential_request_from_pec(raw=raw)
            if filed is None:
                self.stdout.write(f"{path.name}: ricevuta PEC, ignorata.")
            else:
                self.stdout.write(
                    f"{path.name}: in coda per gli operatori (/operatori/richieste/{filed.pk}/)."
                )
