"""Create the SP's key and certificate for SPID / CIE ID (and the demo identity provider's).

Idempotent: `make setup` runs it every time; a key is never replaced, a certificate only when
missing, expired or made for another entityID (or with --renew).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from sportello.accounts.models import LoginMethod
from sportello.accounts.spid import config
from sportello.accounts.spid.certificates import SpSubject, key_and_certificate_ensure


def _municipality() -> Any:
    from sportello.core.selectors import municipality_get

    try:
        return municipality_get()
    except DatabaseError:  # before the first migrate
        return None


class Command(BaseCommand):
    help = (
        "Crea la chiave e il certificato del Comune per SPID e CIE (Avviso SPID n. 29 v3) e, "
        "se attivo, quelli del gestore d'identità di prova."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--renew", action="store_true", help="Rinnova il certificato.")

    def handle(self, *args: Any, **options: Any) -> None:
        from sportello.accounts.spid.metadata import ipa_code

        spid = settings.SPORTELLO_SPID
        municipality = _municipality()
        name = municipality.name if municipality else "Sportello"
        try:
            code = ipa_code() or "c_xxxx"
        except DatabaseError:
            code = "c_xxxx"
        base = config.base_url()
        wrote = key_and_certificate_ensure(
            key_file=Path(spid["key_file"]),
            cert_file=Path(spid["cert_file"]),
            subject=SpSubject(
                organization_name=name,
                common_name=f"Sportello {municipality.short_name}" if municipality else name,
                entity_id=config.entity_id(protocol=LoginMethod.SPID, base=base),
                ipa_code=code,
                locality=municipality.short_name if municipality else "Italia",
            ),
            renew=options["renew"],
        )
        if wrote:
            self.stdout.write(f"Certificato SPID/CIE del Comune creato in {spid['cert_file']}.")
        if spid["demo_idp"] and settings.SPORTELLO_ENV != "production":
            demo = key_and_certificate_ensure(
                key_file=Path(spid["demo_key_file"]),
                cert_file=Path(spid["demo_cert_file"]),
                subject=SpSubject(
                    organization_name="SPID demo (prova)",
                    common_name="SPID demo",
                    entity_id=f"{base}/spid-demo/",
                    ipa_code="demo",
                    locality="Demo",
                ),
            )
            if demo:
                self.stdout.write("Chiave del gestore d'identità di prova creata.")
        reason = config.unavailable_reason()
        if reason:
            self.stdout.write(self.style.WARNING(f"Attenzione: {reason}"))
