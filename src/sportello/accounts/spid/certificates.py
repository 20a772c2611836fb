"""The service provider's key and certificate, shaped as AgID's «Avviso SPID n. 29 v3» asks.

A public-sector SP signs its metadata and its AuthnRequests with a self-signed certificate whose
subject names the body (organizationName, commonName, the entityID as `uri`, the IPA code as
organizationIdentifier «PA:IT-<code>», country IT, locality) and whose extensions are fixed:
basicConstraints CA:false, keyUsage digitalSignature + nonRepudiation (critical), the policies
agIDcert (1.3.76.16.6) and cert_SP_Pub (1.3.76.16.4.2.1) under AgIDroot (1.3.76.16).

AgID's own generator (the `spid-compliant-certificates` package) makes the same certificate but
looks the IPA code up online and pins old versions of its dependencies, so it cannot be a
dependency of ours: this module follows its profile, and the test suite checks the result with
that package's validator (tests/accounts/test_spid_conformance.py). A comune may equally
generate its certificate with AgID's tool and point SPORTELLO_SPID_KEY_FILE/CERT_FILE at it.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

URI_OID = x509.ObjectIdentifier("2.5.4.83")
ORGANIZATION_IDENTIFIER_OID = x509.ObjectIdentifier("2.5.4.97")
KEY_SIZE = 3072  # the size the Avviso recommends (2048 is the minimum)


@dataclass(frozen=True)
class SpSubject:
    organization_name: str  # «Comune di Livorno»
    common_name: str  # a short name of the service
    entity_id: str  # the SP's entityID, a URL
    ipa_code: str  # «c_e625»
    locality: str  # «Livorno»


def _policies() -> x509.CertificatePolicies:
    return x509.CertificatePolicies(
        [
            x509.PolicyInformation(
                x509.ObjectIdentifier("1.3.76.16"), [x509.UserNotice(None, "AgIDroot")]
            ),
            x509.PolicyInformation(
                x509.ObjectIdentifier("1.3.76.16.6"), [x509.UserNotice(None, "agIDcert")]
            ),
            x509.PolicyInformation(
                x509.ObjectIdentifier("1.3.76.16.4.2.1"), [x509.UserNotice(None, "cert_SP_Pub")]
            ),
        ]
    )


def sp_certificate_build(
    *, key: rsa.RSAPrivateKey, subject: SpSubject, days: int = 730
) -> x509.Certificate:
    """A self-signed certificate for `key` with the Avviso 29 v3 public-sector profile."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, subject.organization_name),
            x509.NameAttribute(NameOID.COMMON_NAME, subject.common_name),
            x509.NameAttribute(URI_OID, subject.entity_id),
            x509.NameAttribute(ORGANIZATION_IDENTIFIER_OID, f"PA:IT-{subject.ipa_code}"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
            x509.NameAttribute(NameOID.LOCALITY_NAME, subject.locality),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    serial = x509.random_serial_number()
    public_key = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
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
        .add_extension(_policies(), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    return builder.sign(key, hashes.SHA256())


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def key_and_certificate_ensure(
    *, key_file: Path, cert_file: Path, subject: SpSubject, renew: bool = False
) -> bool:
    """Create the key (once) and its certificate (when missing, or for another entityID).
    Returns whether anything was written."""
    if key_file.exists():
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        wrote_key = False
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
        _write_private(
            key_file,
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            ),
        )
        wrote_key = True
    if cert_file.exists() and not wrote_key and not renew:
        current = x509.load_pem_x509_certificate(cert_file.read_bytes())
        uris = current.subject.get_attributes_for_oid(URI_OID)
        fresh = current.not_valid_after_utc > datetime.datetime.now(datetime.UTC)
        if fresh and uris and uris[0].value == subject.entity_id:
            return False
    certificate = sp_certificate_build(key=key, subject=subject)
    cert_file.parent.mkdir(parents=True, exist_ok=True)
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return True
