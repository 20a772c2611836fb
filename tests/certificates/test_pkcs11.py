"""The seal's key on a PKCS#11 token, as on the comune's HSM or smart card: here a throw-away
SoftHSM2 token. Certificates are sealed by the key on the token and verify against its CA; a
PIN the token refuses issues nothing, says why in the log, and is not tried again (a real token
locks after a few wrong PINs) until the seal is reloaded.

Needs softhsm2 (Debian package) and python-pkcs11 (pyHanko[pkcs11]): skipped with the reason
when they are missing, failed under CI=true."""

from __future__ import annotations

import importlib.util
import logging
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pyhanko.keys import load_cert_from_pemder
from pyhanko.sign.validation import SignatureCoverageLevel

from sportello.certificates.demo_seal import demo_seal_ensure
from sportello.certificates.models import Certificate, CertificateStatus
from sportello.certificates.seal import seal_reset
from tests.conftest import ON_CI

from .conftest import Household, ask, demo_root, download, page_text, seal_status

SOFTHSM_MODULES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
)
TOKEN_LABEL = "Sigillo Valdoria"
KEY_LABEL = "sigillo-chiave"
CERT_LABEL = "sigillo-certificato"
PIN = "246810"
SO_PIN = "13579111"
UNAVAILABLE = "il sigillo elettronico del Comune non è disponibile"


@dataclass(frozen=True)
class SoftToken:
    module: str
    label: str
    certificate_der: bytes  # the seal certificate stored on the token
    root: asn1_x509.Certificate  # the CA that issued it
    chain_file: Path  # that CA, as PEM


def _softhsm_module() -> str | None:
    return next((path for path in SOFTHSM_MODULES if Path(path).is_file()), None)


def _missing() -> str | None:
    if shutil.which("softhsm2-util") is None:
        return "softhsm2-util is not installed (apt-get install softhsm2)"
    if _softhsm_module() is None:
        return "the SoftHSM2 PKCS#11 module is not installed (apt-get install softhsm2)"
    if importlib.util.find_spec("pkcs11") is None:
        return "python-pkcs11 is not installed (pip install 'pyHanko[pkcs11]')"
    return None


def _softhsm(*args: str) -> None:
    subprocess.run(["softhsm2-util", *args], check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def soft_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftToken]:
    """A SoftHSM2 token of its own (its own configuration and token folder) holding the seal's
    key and certificate, issued by a CA made like the demo one."""
    missing = _missing()
    if missing:
        if ON_CI:
            pytest.fail(f"{missing}, and CI=true requires it", pytrace=False)
        pytest.skip(missing)
    import pkcs11
    from pkcs11 import Attribute
    from pkcs11.util.x509 import decode_x509_certificate

    module = _softhsm_module()
    assert module
    base = tmp_path_factory.mktemp("softhsm")
    (base / "tokens").mkdir()
    config = base / "softhsm2.conf"
    config.write_text(
        f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\n"
        "log.level = ERROR\nslots.removable = false\n"
    )
    ca = base / "ca"
    demo_seal_ensure(directory=ca, organisation="Comune di Valdoria")
    bundle = (ca / "seal.p12").read_bytes()
    key, certificate, _chain = pkcs12.load_key_and_certificates(bundle, None)
    assert key is not None and certificate is not None
    key_file = base / "seal-key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    certificate_der = certificate.public_bytes(serialization.Encoding.DER)

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(config))
        # SoftHSM reads its configuration when the module is initialised: start afresh.
        seal_reset()
        pkcs11.unload(module)
        _softhsm("--init-token", "--free", "--label", TOKEN_LABEL, "--pin", PIN, "--so-pin", SO_PIN)
        _softhsm(
            "--import", str(key_file), "--token", TOKEN_LABEL, "--label", KEY_LABEL,
            "--id", "01", "--pin", PIN,
        )  # fmt: skip
        key_file.unlink()
        token = pkcs11.lib(module).get_token(token_label=TOKEN_LABEL)
        with token.open(rw=True, user_pin=PIN) as session:
            session.create_object(
                {
                    **decode_x509_certificate(certificate_der),
                    Attribute.TOKEN: True,
                    Attribute.LABEL: CERT_LABEL,
                    Attribute.ID: b"\x01",
                }
            )
        yield SoftToken(
            module=module,
            label=TOKEN_LABEL,
            certificate_der=certificate_der,
            root=load_cert_from_pemder(str(ca / "ca.pem")),
            chain_file=ca / "ca.pem",
        )
        seal_reset()
        pkcs11.unload(module)


def token_settings(soft_token: SoftToken, **changes: str) -> dict:
    return {
        "pkcs11_module": soft_token.module,
        "pkcs11_token_label": soft_token.label,
        "pkcs11_key_label": KEY_LABEL,
        "pkcs11_cert_label": CERT_LABEL,
        "pkcs11_pin": PIN,
        **changes,
    }


@pytest.fixture
def on_token(settings, soft_token: SoftToken) -> SoftToken:
    """The seal configured as in production with SPORTELLO_SEAL_BACKEND=pkcs11 (changing the
    setting reloads the seal). The CA comes from SPORTELLO_SEAL_CHAIN_FILE, and uploaded PDFs are
    checked against it, as the token holds only the seal's certificate."""
    settings.SPORTELLO_SEAL = {
        **settings.SPORTELLO_SEAL,
        "backend": "pkcs11",
        **token_settings(soft_token),
        "chain_file": str(soft_token.chain_file),
        "trust_roots_file": None,
    }
    return soft_token


def upload(data: bytes) -> str:
    response = Client().post(
        "/certificati/verifica/documento/",
        {"document": SimpleUploadedFile("certificato.pdf", data, content_type="application/pdf")},
    )
    return page_text(response)


def test_a_certificate_is_sealed_by_the_key_on_the_token(
    giulia_client: Client, household: Household, on_token: SoftToken, demo_seal_dir
) -> None:
    response = ask(giulia_client, household.giulia, "residenza", exemption="scuola")

    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.status == CertificateStatus.ISSUED
    data = download(giulia_client, certificate).content

    status = seal_status(data, on_token.root)
    assert status.bottom_line
    assert status.trusted and status.intact and status.valid
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.dump() == on_token.certificate_der
    assert not seal_status(data, demo_root(demo_seal_dir)).trusted  # not the demo seal
    assert "Certificato autentico e valido" in upload(data)


def test_the_token_is_opened_again_when_the_seal_is_reloaded(
    giulia_client: Client, household: Household, on_token: SoftToken
) -> None:
    ask(giulia_client, household.giulia, "residenza", exemption="scuola")
    seal_reset()  # as after a failed signature or a rotation
    ask(giulia_client, household.luca, "residenza", exemption="scuola")

    certificates = list(Certificate.objects.order_by("pk"))
    assert [c.status for c in certificates] == [CertificateStatus.ISSUED] * 2
    for certificate in certificates:
        data = download(giulia_client, certificate).content
        assert seal_status(data, on_token.root).bottom_line


def test_a_pin_the_token_refuses_issues_nothing_and_is_not_tried_again(
    settings,
    giulia_client: Client,
    household: Household,
    on_token: SoftToken,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import pkcs11

    settings.SPORTELLO_SEAL = {**settings.SPORTELLO_SEAL, "pkcs11_pin": "999999"}

    with caplog.at_level(logging.ERROR, logger="sportello.certificates"):
        refused = ask(giulia_client, household.giulia, "residenza", exemption="scuola")

    assert refused.status_code != 302
    assert UNAVAILABLE in page_text(refused)
    assert "riprova più tardi" in page_text(refused)
    assert not Certificate.objects.exists()
    assert f"token '{TOKEN_LABEL}' refused the PIN in SPORTELLO_SEAL_PKCS11_PIN" in caplog.text
    assert "999999" not in caplog.text  # the PIN itself never reaches the log

    # The token's owner changes the PIN to the configured one: Sportello does not notice until
    # the seal is reloaded (a restart), because it does not spend the token's tries again.
    token = pkcs11.lib(on_token.module).get_token(token_label=on_token.label)
    with token.open(rw=True, user_pin=PIN) as session:
        session.set_pin(PIN, "999999")
    try:
        again = ask(giulia_client, household.giulia, "residenza", exemption="scuola")
        assert UNAVAILABLE in page_text(again)
        assert not Certificate.objects.exists()

        seal_reset()
        issued = ask(giulia_client, household.giulia, "residenza", exemption="scuola")
        assert issued.status_code == 302
        assert Certificate.objects.get().status == CertificateStatus.ISSUED
    finally:
        seal_reset()
        with token.open(rw=True, user_pin="999999") as session:
            session.set_pin("999999", PIN)


def test_a_key_label_not_on_the_token_issues_nothing_and_says_which(
    settings,
    giulia_client: Client,
    household: Household,
    on_token: SoftToken,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings.SPORTELLO_SEAL = {**settings.SPORTELLO_SEAL, "pkcs11_key_label": "sigillo-vecchio"}

    with caplog.at_level(logging.ERROR, logger="sportello.certificates"):
        response = ask(giulia_client, household.giulia, "residenza", exemption="scuola")

    assert UNAVAILABLE in page_text(response)
    assert not Certificate.objects.exists()
    assert "label 'sigillo-vecchio'" in caplog.text
