"""The demo seal: made once by `sportello certificates_demo_seal`, renewed from the same root so
that certificates already issued keep verifying, and refused in production."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from sportello.certificates.models import Certificate
from sportello.certificates.seal import seal_reset
from sportello.core.access import access_of

from .conftest import Household, ask, demo_root, download, page_text, seal_status


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("certificates_demo_seal", *args, stdout=out)
    return out.getvalue()


def test_the_command_makes_the_seal_once_and_renews_it_from_the_same_root(
    settings, tmp_path: Path, giulia_client: Client, household: Household
) -> None:
    settings.SPORTELLO_SEAL = {**settings.SPORTELLO_SEAL, "demo_dir": tmp_path / "seal"}

    first = run()
    files = {path.name: path.read_bytes() for path in (tmp_path / "seal").iterdir()}
    again = run()

    assert "Creata la CA di prova" in first
    assert "c'è già" in again
    assert {path.name: path.read_bytes() for path in (tmp_path / "seal").iterdir()} == files
    assert oct((tmp_path / "seal" / "seal.p12").stat().st_mode & 0o777) == "0o600"

    ask(giulia_client, household.giulia, "residenza", exemption="pensione")
    before = download(giulia_client, Certificate.objects.get()).content
    renewed = run("--renew")
    seal_reset()

    assert "Creato il sigillo di prova" in renewed
    assert (tmp_path / "seal" / "seal.p12").read_bytes() != files["seal.p12"]
    assert (tmp_path / "seal" / "ca.pem").read_bytes() == files["ca.pem"]
    assert seal_status(before, demo_root(tmp_path / "seal")).bottom_line
    uploaded = Client().post(
        "/certificati/verifica/documento/",
        {"document": SimpleUploadedFile("certificato.pdf", before, "application/pdf")},
    )
    assert "Certificato autentico e valido" in page_text(uploaded)


def test_the_command_refuses_production(settings) -> None:
    settings.SPORTELLO_ENV = "production"

    with pytest.raises(CommandError, match="produzione"):
        run()


def test_production_settings_refuse_the_demo_seal(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SPORTELLO_"))}
    env.update(
        {
            "SPORTELLO_HOME": str(tmp_path),
            "SPORTELLO_VAR_DIR": str(tmp_path / "var"),
            "SPORTELLO_ENV": "production",
            "SECRET_KEY": "k3y-" + "a1b2c3d4e5f6g7h8i9j0" * 3,
            "ALLOWED_HOSTS": "sportello.comune.example.it",
            "DATABASE_URL": "postgres://sportello@127.0.0.1:5432/sportello",
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            "CACHE_URL": "redis://127.0.0.1:6379/2",
            "SPORTELLO_SEAL_BACKEND": "demo",
        }
    )

    result = subprocess.run(
        [sys.executable, "-m", "sportello", "check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "SPORTELLO_SEAL_BACKEND must be pkcs12 or pkcs11" in result.stderr


def test_a_pkcs12_seal_without_its_file_is_reported_at_start_up(settings) -> None:
    from sportello.certificates.checks import certificate_settings

    settings.SPORTELLO_SEAL = {
        **settings.SPORTELLO_SEAL,
        "backend": "pkcs12",
        "pkcs12_file": "/nonexistent/seal.p12",
    }

    ids = {problem.id for problem in certificate_settings(None)}

    assert "sportello.certificates.E002" in ids


def test_pages_declare_who_may_open_them() -> None:
    from django.urls import resolve

    assert access_of(resolve("/certificati/verifica/").func) == "public"
    assert access_of(resolve("/certificati/verifica/documento/").func) == "public"
    assert access_of(resolve("/certificati/verifica/ABCD-EFGH-JKMN/").func) == "public"
    for path in ("/certificati/", "/certificati/richiedi/", "/certificati/autocertificazione/"):
        assert access_of(resolve(path).func) == "certified"
    assert access_of(resolve("/certificati/richiedi/1/").func) == "certified"
    assert access_of(resolve("/certificati/1/pdf/").func) == "certified"
