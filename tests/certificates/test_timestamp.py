"""With a time-stamping service configured, the seal carries a trusted time (PAdES-B-T)."""

from __future__ import annotations

import asyncio
import datetime
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.test import Client
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from sportello.certificates.models import Certificate

from .conftest import Household, ask, demo_root, download, seal_status


def _tsa(seal_dir: Path) -> DummyTimeStamper:
    """A time-stamping authority certified by the demo root (as a real TSA's CA would be)."""
    ca_key = serialization.load_pem_private_key((seal_dir / "ca-key.pem").read_bytes(), None)
    ca = x509.load_pem_x509_certificate((seal_dir / "ca.pem").read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TSA di prova")]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
    )


@pytest.fixture
def tsa_url(demo_seal_dir: Path) -> Iterator[str]:
    """An RFC 3161 service over HTTP on this machine."""
    stamper = _tsa(demo_seal_dir)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
            answer = asyncio.run(stamper.async_request_tsa_response(request)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def test_the_seal_carries_a_trusted_time(
    settings, tsa_url: str, giulia_client: Client, household: Household, demo_seal_dir: Path
) -> None:
    settings.SPORTELLO_SEAL = {**settings.SPORTELLO_SEAL, "tsa_url": tsa_url}

    ask(giulia_client, household.giulia, "residenza", exemption="pensione")
    data = download(giulia_client, Certificate.objects.get()).content

    status = seal_status(data, demo_root(demo_seal_dir))
    assert status.bottom_line
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.trusted
