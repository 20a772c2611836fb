"""Operators' second factor (TOTP): without a device an operator can only enrol one; with it,
the login asks for the 6-digit code of the authenticator app after the password."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from sportello.core.models import AuditEvent
from tests.accounts.conftest import OPERATOR_PASSWORD, log_in, page_text

pytestmark = pytest.mark.django_db

SETUP = "/area-personale/due-fattori/"
VERIFY = "/accedi/codice/"


@pytest.fixture(autouse=True)
def second_factor_required(settings) -> None:
    settings.SPORTELLO_OPERATOR_2FA_REQUIRED = True


def code(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    """What the app on the operator's phone shows (`steps_ahead` periods of 30 s later)."""
    return f"{totp(device.bin_key, drift=steps_ahead):06d}"


def wrong(device: TOTPDevice) -> str:
    return f"{(int(code(device)) + 1) % 1_000_000:06d}"


def moments_later(device: TOTPDevice) -> None:
    """The operator takes a few seconds to read the code again: past django-otp's throttle."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=device.throttling_failure_timestamp
        - datetime.timedelta(seconds=10)
    )


def test_an_operator_without_a_device_can_only_enrol_one_then_logs_in_with_codes(
    counter_operator,
) -> None:
    client = Client()
    assert log_in(client, "sportello", OPERATOR_PASSWORD).status_code == 302
    for page in ["/operatori/", "/backoffice/", "/area-personale/", "/operatori/richieste/"]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(f"{SETUP}?next="), page

    setup = client.get(f"{SETUP}?next=/backoffice/")
    assert "Inquadra il codice QR" in page_text(setup)
    assert "<svg" in page_text(setup)
    device = TOTPDevice.objects.get(user=counter_operator, confirmed=False)
    refused = client.post(SETUP, {"token": wrong(device), "next": "/backoffice/"})
    assert "Codice non valido" in page_text(refused)
    device.refresh_from_db()
    moments_later(device)

    enabled = client.post(SETUP, {"token": code(device), "next": "/backoffice/"})

    assert enabled["Location"] == "/backoffice/"
    assert client.get("/backoffice/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="otp_enabled", actor=counter_operator).exists()

    # Next time, the password alone is not enough.
    client.post("/esci/")
    later = Client(REMOTE_ADDR="192.0.2.80")
    asked = log_in(later, "sportello", OPERATOR_PASSWORD, next="/backoffice/")
    assert asked["Location"] == VERIFY
    assert "Codice di verifica" in page_text(later.get(VERIFY))
    not_yet = later.get("/backoffice/")
    assert not_yet.status_code == 302
    assert not_yet["Location"] == "/backoffice/login/?next=/backoffice/"  # -> /accedi/

    refused = later.post(VERIFY, {"token": wrong(device)})
    assert "Codice non valido" in page_text(refused)
    assert later.get("/backoffice/").status_code == 302
    failure = AuditEvent.objects.get(action="otp_failed")
    assert (failure.actor, failure.ip_address) == (counter_operator, "192.0.2.80")
    device.refresh_from_db()
    moments_later(device)

    # The code of the next 30 seconds: the one used to enrol cannot be used twice.
    accepted = later.post(VERIFY, {"token": code(device, steps_ahead=1)})

    assert accepted["Location"] == "/backoffice/"
    backoffice = later.get("/backoffice/")
    assert backoffice.status_code == 200
    assert "back-office" in page_text(backoffice)


def test_a_code_already_used_is_refused(counter_operator) -> None:
    device = TOTPDevice.objects.create(user=counter_operator, name="app", confirmed=True)
    first = Client()
    log_in(first, "sportello", OPERATOR_PASSWORD)
    token = code(device)
    assert first.post(VERIFY, {"token": token})["Location"] == "/operatori/"

    second = Client()
    assert log_in(second, "sportello", OPERATOR_PASSWORD)["Location"] == VERIFY
    replayed = second.post(VERIFY, {"token": token})

    assert "Codice non valido" in page_text(replayed)
    assert second.get("/operatori/").status_code == 302


def test_the_code_page_without_a_password_first_goes_back_to_login(counter_operator) -> None:
    TOTPDevice.objects.create(user=counter_operator, name="app", confirmed=True)

    response = Client().get(VERIFY)

    assert response["Location"] == "/accedi/"
