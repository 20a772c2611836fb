"""Compile the .po catalogues to .mo with Babel, so set-up needs no system gettext."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    # Runs before the seal exists and before migrate (make setup): the system checks would
    # only warn about what this very set-up is about to do.
    requires_system_checks: list[str] = []
    help = "Compile every locale/*/LC_MESSAGES/*.po of Sportello into .mo files."

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                with po_path.open("rb") as po_file:
                    catalog = read_po(po_file, locale=po_path.parts[-3])
                with mo_path.open("wb") as mo_file:
                    write_mo(mo_file, catalog, use_fuzzy=False)
                compiled += 1
        if options["verbosity"] > 1 or compiled:
            self.stdout.write(f"Traduzioni compilate: {compiled} cataloghi.")
