"""`sportello import_registry PATH`: load the anagrafe from a CSV file and print the report.

Exits non-zero when the file cannot be read or when not a single row could be imported.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from sportello.core.exceptions import ApplicationError
from sportello.registry.imports.loading import registry_import


class Command(BaseCommand):
    help = _lazy(
        "Importa persone, famiglie e residenze dell'anagrafe da un file CSV "
        "(colonne descritte in docs/registry.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help=_("file CSV in UTF-8, separato da «;» o «,»"))

    def handle(self, *args: Any, path: str, **options: Any) -> None:
        self.stdout.write(_("Importazione di %(path)s…") % {"path": path})
        try:
            report = registry_import(file=path)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        summary, *rejections = report.lines()
        style = self.style.SUCCESS if report.accepted else self.style.ERROR
        self.stdout.write(style(summary))
        for line in rejections:
            self.stdout.write(self.style.WARNING(line))
        if not report.accepted:
            raise CommandError(_("nessuna riga importata"))
