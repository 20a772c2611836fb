"""The demo seal: a certification authority and a seal certificate made on this machine, so that
a local installation issues certificates that verify like real ones (against the demo root).

Files, in settings.SPORTELLO_SEAL["demo_dir"] (var/seal/), readable by the owner only:
  ca.pem, ca-key.pem  the demo root (10 years) and its key, kept to issue the next seal;
  seal.p12            the seal's key and certificate (3 years) with the root, no passphrase.
Production refuses this seal (settings/production.py).
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from sportello.certificates.seal import DEMO_P12, DEMO_ROOT

CA_KEY = "ca-key.pem"
CA_YEARS = 10
SEAL_YEARS = 3
# A seal certificate closer than this to its end is replaced.
RENEW_BEFORE = datetime.timedelta(days=60)


@dataclass(frozen=True)
class DemoSeal:
    directory: Path
    created_root: bool
    created_seal: bool
    seal_not_after: datetime.datetime


def _name(organisation: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )


def _key_usage(*, seal: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=seal,
        content_commitment=seal,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not seal,
        crl_sign=not seal,
        encipher_only=False,
        decipher_only=False,
    )


def _write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)


def _root(directory: Path, organisation: str, now: datetime.datetime):
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = _name(organisation, f"{organisation} - CA di prova (non valida)")
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(seal=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(
        directory / CA_KEY,
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    _write(directory / DEMO_ROOT, certificate.public_bytes(serialization.Encoding.PEM))
    return key, certificate


def _seal_not_after(directory: Path) -> datetime.datetime | None:
    path = directory / DEMO_P12
    if not path.exists():
        return None
    _key, certificate, _others = pkcs12.load_key_and_certificates(path.read_bytes(), None)
    return certificate.not_valid_after_utc if certificate is not None else None


def demo_seal_ensure(*, directory: Path, organisation: str, renew: bool = False) -> DemoSeal:
    """Create what is missing (idempotent); a new seal certificate when `renew` or near its end.
    The root stays, so that certificates sealed before keep verifying."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    now = datetime.datetime.now(datetime.UTC)
    created_root = False
    if (directory / DEMO_ROOT).exists() and (directory / CA_KEY).exists():
        ca_key = serialization.load_pem_private_key((directory / CA_KEY).read_bytes(), None)
        ca_certificate = x509.load_pem_x509_certificate((directory / DEMO_ROOT).read_bytes())
    else:
        ca_key, ca_certificate = _root(directory, organisation, now)
        created_root = True
        renew = True  # a seal issued by a former root would no longer verify
    not_after = _seal_not_after(directory)
    if not renew and not_after is not None and not_after - now > RENEW_BEFORE:
        return DemoSeal(directory, created_root, False, not_after)

    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    not_after = min(
        now + datetime.timedelta(days=365 * SEAL_YEARS), ca_certificate.not_valid_after_utc
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(organisation, f"{organisation} - sigillo elettronico di prova"))
        .issuer_name(ca_certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(seal=True), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    bundle = pkcs12.serialize_key_and_certificates(
        b"sigillo", key, certificate, [ca_certificate], serialization.NoEncryption()
    )
    # Written next to the old one and renamed: a running server never reads half a file.
    temporary = directory / f"{DEMO_P12}.new"
    _write(temporary, bundle)
    temporary.replace(directory / DEMO_P12)
    return DemoSeal(directory, created_root, True, not_after)
