"""The demo's smart cards: a CNS (Tessera Sanitaria) or CIE certificate for a person, made on
the spot by a demo issuer, so that the smart-card login can be tried without a card reader.

The certificate has the subject real cards have (see accounts.smartcard for where the codice
fiscale is), and goes through the same reading and login as a card nginx has verified: only
the TLS handshake with the card is skipped. On only with SPORTELLO_SMARTCARD_SIMULATOR (the
local settings), never in production (a production check refuses it).
"""

from __future__ import annotations

import datetime
import secrets
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

ISSUER_NAME = "Sportello - carte simulate della demo (non valide)"
VALIDITY = datetime.timedelta(days=1)
BACKDATE = datetime.timedelta(hours=1)


class CardKind(TextChoices):
    CNS = "cns", _("Tessera Sanitaria (CNS)")
    CIE = "cie", _("Carta d'identità elettronica (CIE)")


@cache
def _issuer() -> tuple[x509.Name, ec.EllipticCurvePrivateKey]:
    """The demo issuer of this process (EC P-256: quick to make, nothing to keep)."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ISSUER_NAME),
            x509.NameAttribute(NameOID.COMMON_NAME, ISSUER_NAME),
        ]
    )
    return name, ec.generate_private_key(ec.SECP256R1())


def demo_card_certificate(
    *, kind: str, codice_fiscale: str, first_name: str, last_name: str
) -> x509.Certificate:
    """The authentication certificate of a simulated card, its subject as the card has it:
    CNS: CN «<codice fiscale>/<card id>.<hash>»; CIE: serialNumber «TINIT-<codice fiscale>»."""
    issuer, issuer_key = _issuer()
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
        x509.NameAttribute(NameOID.SURNAME, last_name.upper()),
        x509.NameAttribute(NameOID.GIVEN_NAME, first_name.upper()),
    ]
    card_number = "".join(secrets.choice("0123456789") for _ in range(16))
    if kind == CardKind.CIE:
        attributes += [
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f"TINIT-{codice_fiscale}"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{first_name} {last_name}".upper()),
        ]
    else:
        attributes += [
            x509.NameAttribute(NameOID.DN_QUALIFIER, card_number),
            x509.NameAttribute(
                NameOID.COMMON_NAME, f"{codice_fiscale}/{card_number}.{secrets.token_hex(8)}="
            ),
        ]
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name(attributes))
        .issuer_name(issuer)
        .public_key(ec.generate_private_key(ec.SECP256R1()).public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + VALIDITY)
        .sign(issuer_key, hashes.SHA256())
    )
