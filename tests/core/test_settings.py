"""Start-up configuration: bad values are named, production refuses insecure settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GOOD_PRODUCTION = {
    "SPORTELLO_ENV": "production",
    "SECRET_KEY": "k3y-" + "a1b2c3d4e5f6g7h8i9j0" * 3,
    "ALLOWED_HOSTS": "sportello.comune.example.it",
    "DATABASE_URL": "postgres://sportello@127.0.0.1:5432/sportello",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CACHE_URL": "redis://127.0.0.1:6379/2",
    "SPORTELLO_SEAL_BACKEND": "pkcs12",  # the municipality's seal (a file made per test below)
    "SPORTELLO_PAYMENTS_PROVIDER": "sportello.payments.providers.pagopa.PagoPA",
    "SPORTELLO_PAGOPA_GPD_KEY": "gpd-subscription-key",
    "SPORTELLO_PAGOPA_CHECKOUT_KEY": "checkout-subscription-key",
    "SPORTELLO_PAGOPA_IBAN": "IT17J0100513900000000012345",
    "SPORTELLO_PUBLIC_URL": "https://sportello.comune.example.it",
}


def sportello(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SPORTELLO_"))}
    clean.pop("DATABASE_URL", None)
    clean.pop("CELERY_BROKER_URL", None)
    clean.pop("CACHE_URL", None)
    clean.update({"SPORTELLO_HOME": str(tmp_path), "SPORTELLO_VAR_DIR": str(tmp_path / "var")})
    if env.get("SPORTELLO_SEAL_BACKEND") == "pkcs12":
        seal = tmp_path / "seal.p12"
        seal.write_bytes(b"not read by check")
        clean["SPORTELLO_SEAL_PKCS12_FILE"] = str(seal)
    if env.get("SPORTELLO_ENV") == "production":  # the SP's SPID key and certificate
        for name in ("KEY", "CERT"):
            path = tmp_path / f"spid.{name.lower()}"
            path.write_bytes(b"not read by check")
            clean[f"SPORTELLO_SPID_{name}_FILE"] = str(path)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "sportello", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_local_start_generates_a_secret_key_once(tmp_path: Path) -> None:
    first = sportello(["check"], {}, tmp_path)
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "var" / "secret_key").read_text()
    assert len(key) >= 50
    sportello(["check"], {}, tmp_path)
    assert (tmp_path / "var" / "secret_key").read_text() == key
    assert oct((tmp_path / "var" / "secret_key").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("DATABASE_CONN_MAX_AGE", "forever"),
        ("DATABASE_URL", "nosuchdb://x"),
        ("EMAIL_URL", "pigeon://x"),
    ],
)
def test_a_broken_value_stops_start_up_and_names_the_variable(
    tmp_path: Path, name: str, value: str
) -> None:
    result = sportello(["check"], {name: value}, tmp_path)
    assert result.returncode != 0
    assert name in result.stderr
    assert "Traceback" not in result.stderr.splitlines()[-1]


def test_broken_value_in_dotenv_file_is_named_too(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DEBUG=perhaps\n")
    result = sportello(["check"], {}, tmp_path)
    assert result.returncode != 0
    assert "DEBUG='perhaps'" in result.stderr


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY is required"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 50"),
        ({"DEBUG": "true"}, "DEBUG must be false"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": "sqlite:////tmp/x.sqlite3"}, "PostgreSQL"),
        ({"CELERY_BROKER_URL": "filesystem://"}, "CELERY_BROKER_URL"),
        ({"CACHE_URL": "filecache:///tmp/cache"}, "CACHE_URL"),
        ({"SPORTELLO_PHONE_SIMULATOR_PUBLIC": "true"}, "SPORTELLO_PHONE_SIMULATOR_PUBLIC"),
        # Caps counted per process would be multiplied by the workers.
        ({"SPORTELLO_SMS_RATE": "100"}, "SPORTELLO_RATE_LIMIT_URL"),
        # The payments simulator would let anyone declare a notice paid.
        (
            {"SPORTELLO_PAYMENTS_PROVIDER": "sportello.payments.providers.simulator.Simulator"},
            "SPORTELLO_PAYMENTS_PROVIDER",
        ),
        ({"SPORTELLO_PAGOPA_CHECKOUT_KEY": ""}, "SPORTELLO_PAGOPA_CHECKOUT_KEY is unset"),
        ({"SPORTELLO_PAGOPA_IBAN": "IT00X0000000000000000000000"}, "not a valid IBAN"),
        # The demo identity provider logs anyone in; the SP's entityID must be an HTTPS URL.
        ({"SPORTELLO_SPID_DEMO_IDP": "true"}, "SPORTELLO_SPID_DEMO_IDP"),
        # The demo's simulated smart card logs anyone in too.
        ({"SPORTELLO_SMARTCARD_SIMULATOR": "true"}, "SPORTELLO_SMARTCARD_SIMULATOR"),
        ({"SPORTELLO_PUBLIC_URL": "http://sportello.example.it"}, "https:// URL"),
    ],
)
def test_production_refuses_insecure_settings(
    tmp_path: Path, override: dict[str, str], complaint: str
) -> None:
    result = sportello(["check"], {**GOOD_PRODUCTION, **override}, tmp_path)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    result = sportello(["check", "--deploy", "--fail-level", "WARNING"], GOOD_PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_secret_can_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text(GOOD_PRODUCTION["SECRET_KEY"] + "\n")
    env = {**GOOD_PRODUCTION, "SECRET_KEY": "", "SECRET_KEY_FILE": str(secret)}
    result = sportello(["check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stderr


def test_production_turns_the_phone_simulator_off_unless_asked(tmp_path: Path) -> None:
    script = "from django.conf import settings; print(settings.SPORTELLO_PHONE_SIMULATOR_ENABLED)"
    plain = sportello(["shell", "-c", script], GOOD_PRODUCTION, tmp_path)
    drill = sportello(
        ["shell", "-c", script],
        {**GOOD_PRODUCTION, "SPORTELLO_PHONE_SIMULATOR_ENABLED": "true"},
        tmp_path,
    )

    assert plain.stdout.strip().splitlines()[-1] == "False", plain.stderr
    assert drill.stdout.strip().splitlines()[-1] == "True", drill.stderr
