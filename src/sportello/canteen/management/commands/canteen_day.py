"""Debit the meals of a canteen day (today by default) now, as the beat does after the cut-off.
Running it again for the same day changes nothing."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sportello.canteen.days import canteen_day_run
from sportello.canteen.models import CanteenDay


class Command(BaseCommand):
    help = "Addebita i pasti di una giornata di mensa (oggi, se non indicata). Una volta sola."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Giorno nella forma AAAA-MM-GG (predefinito: oggi).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = (
                datetime.date.fromisoformat(options["date"])
                if options["date"]
                else timezone.localdate()
            )
        except ValueError:
            raise CommandError("Scrivi il giorno nella forma AAAA-MM-GG.") from None
        if day > timezone.localdate():
            raise CommandError("Non si addebitano i pasti di un giorno futuro.")
        existed = CanteenDay.objects.filter(day=day).exists()
        record = canteen_day_run(day=day)
        if existed:
            self.stdout.write(f"I pasti del {day:%d/%m/%Y} erano già addebitati ({record.meals}).")
        elif record.closed:
            self.stdout.write(f"Il {day:%d/%m/%Y} la mensa è chiusa: nessun pasto addebitato.")
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Pasti addebitati il {day:%d/%m/%Y}: {record.meals}.")
            )
