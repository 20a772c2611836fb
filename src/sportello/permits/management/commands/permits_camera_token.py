"""Make a key for a gate system to read the plate list (printed once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sportello.permits.services import camera_token_create


class Command(BaseCommand):
    help = "Crea una chiave per le telecamere dei varchi (lista delle targhe); la stampa una volta."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Chi la usa, es. «Varchi ZTL centro».")
        parser.add_argument("--zona", action="append", default=[], help="Codice di una zona.")

    def handle(self, *args: Any, **options: Any) -> None:
        token, raw = camera_token_create(name=options["name"], zone_codes=options["zona"])
        self.stdout.write(f"Chiave n. {token.pk} per «{token.name}»: {raw}")
        self.stdout.write("Copiala ora: non sarà più mostrata.")
