"""Build the demo municipality: Livorno's configuration, a synthetic town and the demo logins.

`make run` calls it with --if-empty, so a first start has something to show and later starts
leave the data alone. It refuses to run in production unless told explicitly.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sportello.accounts.demo import (
    demo_logins,
    demo_pec_sender_ensure,
    demo_requests_ensure,
    demo_users_ensure,
)
from sportello.core.exceptions import ApplicationError
from sportello.demo.build import demo_build, number_it
from sportello.registry.models import Person

DEFAULT_CITIZENS = 10_000
DEFAULT_SEED = 2026


class Command(BaseCommand):
    help = (
        "Crea il Comune di prova (Livorno): configurazione, stradario, anagrafe sintetica "
        "e utenti di prova. A parità di --seed i dati sono identici."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--citizens",
            type=int,
            default=DEFAULT_CITIZENS,
            help=f"Quanti cittadini creare (predefinito {DEFAULT_CITIZENS}).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="Seme del generatore: lo stesso seme dà gli stessi dati.",
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--if-empty",
            action="store_true",
            help="Non fare nulla se l'anagrafe contiene già delle persone.",
        )
        mode.add_argument(
            "--reset",
            action="store_true",
            help="Cancella prima la città di prova (solo i dati creati da questo comando).",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Permetti l'esecuzione con SPORTELLO_ENV=production (sconsigliato).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.SPORTELLO_ENV == "production" and not options["allow_production"]:
            raise CommandError(
                "Questo è un ambiente di produzione: la città di prova non si crea qui. "
                "Se è davvero ciò che vuoi, aggiungi --allow-production."
            )
        started = time.perf_counter()
        persons = Person.objects.count()
        if options["if_empty"] and persons:
            self.stdout.write(
                f"L'anagrafe contiene già {number_it(persons)} persone: non creo la città di prova."
            )
            demo_users_ensure()
            demo_requests_ensure()
            self._payments()
            self._canteen()
            self._permits()
            self._print_logins()
            self._print_alert_people()
            return
        if options["reset"]:
            from sportello.permits.demo import demo_permits_delete

            demo_permits_delete()  # the demo's permits point at the demo's persons
        try:
            town = demo_build(
                citizens=options["citizens"],
                seed=options["seed"],
                reset=options["reset"],
                progress=self.stdout.write,
            )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        demo_users_ensure()
        demo_pec_sender_ensure()
        demo_requests_ensure()
        self._payments()
        self._canteen()
        self._permits()
        elapsed = time.perf_counter() - started
        rate = town.citizens / elapsed if elapsed else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"Creati {number_it(town.citizens)} cittadini in {number_it(town.families)} "
                f"famiglie, {number_it(town.streets)} strade e "
                f"{number_it(town.civic_numbers)} numeri civici in "
                f"{number_it(elapsed, decimals=1)} s ({number_it(rate)} al secondo)."
            )
        )
        self._print_logins()
        self._print_alert_people()

    def _payments(self) -> None:
        from sportello.payments.demo import demo_payments_ensure

        try:
            made = demo_payments_ensure()
        except ApplicationError as error:
            self.stderr.write(f"Pagamenti di prova non creati: {error.message}")
            return
        if made:
            self.stdout.write(
                f"Pagamenti di prova: {made} avvisi pagoPA per il figlio del cittadino di prova."
            )

    def _canteen(self) -> None:
        from sportello.canteen.demo import demo_canteen_ensure

        # The three weeks of meals are run day by day; the line each day logs is for the
        # operators of a real canteen, not for someone building the demo.
        days_log = logging.getLogger("sportello.canteen.days")
        level = days_log.level
        days_log.setLevel(logging.WARNING)
        try:
            made = demo_canteen_ensure()
        except ApplicationError as error:
            self.stderr.write(f"Mensa di prova non creata: {error.message}")
            return
        finally:
            days_log.setLevel(level)
        if made:
            self.stdout.write(
                "Mensa di prova: scuole, classi e tariffe; il figlio maggiore del cittadino di "
                "prova è iscritto, con una ricarica e tre settimane di pasti."
            )

    def _permits(self) -> None:
        from sportello.permits.demo import demo_permits_ensure

        try:
            made = demo_permits_ensure()
        except ApplicationError as error:
            self.stderr.write(f"Permessi di prova non creati: {error.message}")
            return
        if made:
            self.stdout.write(
                "Permessi di prova: ZTL e ZSC del centro; l'auto del cittadino di prova ha un "
                "permesso che scade tra un mese."
            )

    def _print_alert_people(self) -> None:
        from sportello.alerts.demo import demo_alert_people_ensure
        from sportello.channels.phones import phone_display

        people = demo_alert_people_ensure()
        if not people:
            return
        self.stdout.write("")
        self.stdout.write(
            "Iscritti di prova all'allerta (200, più 100 numeri da elenco pubblico); due lontani "
            "tra loro, da aprire nel simulatore telefonico:"
        )
        for person in people:
            self.stdout.write(
                f"  {person.name:<12} {phone_display(person.mobile):<16} {person.email:<26} "
                f"{person.address}"
            )

    def _print_logins(self) -> None:
        rows = demo_logins()
        if not rows:
            return
        self.stdout.write("")
        self.stdout.write("Accessi di prova:")
        self.stdout.write(f"  {'utente':<18} {'ruolo':<46} password")
        for row in rows:
            self.stdout.write(f"  {row.username:<18} {row.role:<46} {row.password}")
