"""Create the demo seal for certificates under var/seal/ (idempotent; `make setup` calls it).

Refuses to run in production, where the seal is the municipality's own (docs/certificates.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from sportello.certificates.demo_seal import demo_seal_ensure
from sportello.certificates.seal import seal_reset
from sportello.core.selectors import municipality_get


def _organisation() -> str:
    try:
        municipality = municipality_get()
    except DatabaseError:  # before the first migrate
        municipality = None
    return municipality.name if municipality else "Sportello"


class Command(BaseCommand):
    # Runs before the seal exists and before migrate (make setup): the system checks would
    # only warn about what this very set-up is about to do.
    requires_system_checks: list[str] = []
    help = (
        "Crea (una volta) il sigillo elettronico di prova dei certificati e la sua CA in "
        "var/seal/. Con --renew emette un nuovo certificato del sigillo dalla stessa CA."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--renew",
            action="store_true",
            help="Sostituisci il certificato del sigillo anche se non è in scadenza.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.SPORTELLO_ENV == "production":
            raise CommandError(
                "Questo è un ambiente di produzione: il sigillo di prova non si usa qui. "
                "Configura il sigillo del Comune (SPORTELLO_SEAL_BACKEND=pkcs12 o pkcs11)."
            )
        directory = Path(settings.SPORTELLO_SEAL["demo_dir"])
        seal = demo_seal_ensure(
            directory=directory, organisation=_organisation(), renew=options["renew"]
        )
        seal_reset()
        until = timezone.localtime(seal.seal_not_after).strftime("%d/%m/%Y")
        if seal.created_root:
            self.stdout.write(f"Creata la CA di prova in {directory}.")
        if seal.created_seal:
            self.stdout.write(f"Creato il sigillo di prova, valido fino al {until}.")
        else:
            self.stdout.write(f"Il sigillo di prova c'è già (valido fino al {until}).")
