"""Test certificates made with `cryptography`: certification authorities, a TLS server
certificate, and smart-card client certificates whose subjects follow the real cards.

Subjects, as issued:
- CNS / Tessera Sanitaria (AgID, "Struttura del certificato di autenticazione CNS"): the CN is
  the codice fiscale, a slash and the card's identifier with a hash
  («RSSMRA85T10A562S/7420000000000000.abcdefghijklmnopqrstuvwxyz12=»); surname, given name and
  dnQualifier (the card number) are separate attributes; no serialNumber.
- CIE 3.0 (Ministero dell'Interno): the holder's codice fiscale travels in the subject, as an
  ETSI EN 319 412-1 identifier in serialNumber («TINIT-RSSMRA85T10A562S»).
- Certificates from qualified providers (InfoCert, Aruba, Actalis): the CN is the name
  («MARIO ROSSI») and serialNumber is «IT:RSSMRA85T10A562S».

Keys are EC P-256: fast to generate, and accepted by nginx and by Python's ssl module.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_VALIDITY = datetime.timedelta(days=365)
# Validity starts a little in the past, so that clocks a few seconds apart do not matter.
BACKDATE = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class Issued:
    """A certificate with its private key."""

    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def cert_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def write(self, *, directory: Path, name: str) -> tuple[Path, Path]:
        """Write `<name>.pem` and `<name>.key` into `directory`; return both paths."""
        cert_path = directory / f"{name}.pem"
        key_path = directory / f"{name}.key"
        cert_path.write_bytes(self.cert_pem)
        key_path.write_bytes(self.key_pem)
        key_path.chmod(0o600)
        return cert_path, key_path


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _name(*attributes: tuple[x509.ObjectIdentifier, str]) -> x509.Name:
    return x509.Name([x509.NameAttribute(oid, value) for oid, value in attributes])


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def ca_create(
    *,
    common_name: str,
    organization: str = "Autorità di test",
    parent: Issued | None = None,
) -> Issued:
    """A certification authority: self-signed, or an intermediate signed by `parent`."""
    key = _new_key()
    subject = _name(
        (NameOID.COUNTRY_NAME, "IT"),
        (NameOID.ORGANIZATION_NAME, organization),
        (NameOID.COMMON_NAME, common_name),
    )
    issuer_name = parent.certificate.subject if parent else subject
    signing_key = parent.key if parent else key
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + DEFAULT_VALIDITY * 5)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if parent:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(parent.key.public_key()),
            critical=False,
        )
    return Issued(certificate=builder.sign(signing_key, hashes.SHA256()), key=key)


def _leaf(
    *,
    ca: Issued,
    subject: x509.Name,
    usage: x509.ObjectIdentifier,
    not_before: datetime.datetime | None,
    not_after: datetime.datetime | None,
    alternative_names: list[x509.GeneralName] | None = None,
) -> Issued:
    key = _new_key()
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - BACKDATE)
        .not_valid_after(not_after or now + DEFAULT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
    )
    if alternative_names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(alternative_names), critical=False
        )
    return Issued(certificate=builder.sign(ca.key, hashes.SHA256()), key=key)


def server_certificate(*, ca: Issued, host: str = "127.0.0.1") -> Issued:
    """A TLS server certificate for `host` (an IP address) and localhost."""
    return _leaf(
        ca=ca,
        subject=_name((NameOID.COMMON_NAME, host)),
        usage=ExtendedKeyUsageOID.SERVER_AUTH,
        not_before=None,
        not_after=None,
        alternative_names=[
            x509.IPAddress(ipaddress.ip_address(host)),
            x509.DNSName("localhost"),
        ],
    )


def client_certificate(
    *,
    ca: Issued,
    subject: x509.Name,
    not_before: datetime.datetime | None = None,
    not_after: datetime.datetime | None = None,
) -> Issued:
    """A smart-card authentication certificate with the given subject."""
    return _leaf(
        ca=ca,
        subject=subject,
        usage=ExtendedKeyUsageOID.CLIENT_AUTH,
        not_before=not_before,
        not_after=not_after,
    )


def cns_subject(
    *,
    codice_fiscale: str,
    first_name: str = "MARIO",
    last_name: str = "ROSSI",
    card_id: str = "7420000000000001",
) -> x509.Name:
    """A CNS / Tessera Sanitaria subject: «CF/card-id.hash» in the CN, no serialNumber."""
    return _name(
        (NameOID.COUNTRY_NAME, "IT"),
        (NameOID.ORGANIZATION_NAME, "Regione di Test"),
        (NameOID.SURNAME, last_name.upper()),
        (NameOID.GIVEN_NAME, first_name.upper()),
        (NameOID.DN_QUALIFIER, card_id),
        (NameOID.COMMON_NAME, f"{codice_fiscale}/{card_id}.Zm9vYmFyYmF6cXV4MTIzNDU2Nzg="),
    )


def cie_subject(
    *,
    codice_fiscale: str,
    first_name: str = "MARIO",
    last_name: str = "ROSSI",
) -> x509.Name:
    """A CIE subject: the codice fiscale as «TINIT-…» in serialNumber, the name in the CN."""
    return _name(
        (NameOID.COUNTRY_NAME, "IT"),
        (NameOID.ORGANIZATION_NAME, "Ministero dell'Interno"),
        (NameOID.SURNAME, last_name.upper()),
        (NameOID.GIVEN_NAME, first_name.upper()),
        (NameOID.SERIAL_NUMBER, f"TINIT-{codice_fiscale}"),
        (NameOID.COMMON_NAME, f"{first_name.upper()} {last_name.upper()}"),
    )


def infocert_subject(
    *,
    codice_fiscale: str,
    first_name: str = "MARIO",
    last_name: str = "ROSSI",
) -> x509.Name:
    """A qualified provider's subject: «IT:…» in serialNumber, the name in the CN."""
    return _name(
        (NameOID.COUNTRY_NAME, "IT"),
        (NameOID.ORGANIZATION_NAME, "non presente"),
        (NameOID.SURNAME, last_name.upper()),
        (NameOID.GIVEN_NAME, first_name.upper()),
        (NameOID.SERIAL_NUMBER, f"IT:{codice_fiscale}"),
        (NameOID.DN_QUALIFIER, "20101498441"),
        (NameOID.COMMON_NAME, f"{first_name.upper()} {last_name.upper()}"),
    )


def plain_subject(*, common_name: str, serial_number: str | None = None) -> x509.Name:
    """Any subject: for certificates that carry no codice fiscale, or a broken one."""
    attributes = [(NameOID.COUNTRY_NAME, "IT"), (NameOID.COMMON_NAME, common_name)]
    if serial_number is not None:
        attributes.append((NameOID.SERIAL_NUMBER, serial_number))
    return _name(*attributes)
