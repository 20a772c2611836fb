"""Import civic numbers from a CSV file (ANNCSU or the simple layout) and print the report."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.places.services.civic_import import civic_numbers_import


class Command(BaseCommand):
    help = _(
        "Importa i numeri civici da un file CSV (tracciato ANNCSU o semplice). Stampa ogni riga "
        "scartata col motivo; esce con errore se il file non si legge o se nessuna riga è valida."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help=_("Percorso del file CSV."))
        parser.add_argument(
            "--crs",
            default=None,
            help=_(
                "Sistema di riferimento delle coordinate, es. EPSG:3003, EPSG:6707, EPSG:32632; "
                "senza, le coordinate sono longitudine/latitudine in gradi."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(_("Importazione dei numeri civici da %(path)s…") % options)
        try:
            report = civic_numbers_import(file=options["path"], crs=options["crs"])
        except ApplicationError as error:
            raise CommandError(error.message) from error
        for line in report.lines():
            self.stdout.write(line)
        if report.rows == 0:
            raise CommandError(_("Il file non contiene righe di dati."))
        if report.accepted == 0:
            raise CommandError(_("Nessuna riga importata: tutte le righe sono state scartate."))
        self.stdout.write(
            self.style.SUCCESS(
                _("Importazione conclusa: %(count)d civici validi (nuovi, aggiornati o invariati).")
                % {"count": report.accepted}
            )
        )
