"""Import public phone-directory listings (CSV) into the alert contacts; print the report."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sportello.alerts.directory import directory_import
from sportello.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = _(
        "Importa i numeri degli elenchi telefonici pubblici (CSV con colonne nome, indirizzo, "
        "numero). Stampa ogni riga scartata e ogni indirizzo non trovato."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help=_("Percorso del file CSV."))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = directory_import(file=options["path"])
        except (ApplicationError, OSError) as error:
            raise CommandError(getattr(error, "message", str(error))) from error
        for line in report.lines():
            self.stdout.write(line)
