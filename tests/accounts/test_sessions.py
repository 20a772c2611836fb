"""Sessions: they end after inactivity and after a maximum lifetime ("Sessione scaduta"), a form
posted too late comes back after login, and a citizen can end every session at once."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.test import Client

from sportello.accounts.models import UserSession
from sportello.accounts.sessions import SESSION_AUTH_AT, SESSION_SEEN_AT
from sportello.core.models import AuditEvent
from tests.accounts.conftest import CITIZEN_PASSWORD, log_in, page_text

pytestmark = pytest.mark.django_db

ACCOUNT = "/area-personale/"


def backdate(client: Client, key: str, seconds: float) -> None:
    """As if the stamp `key` of the client's session had been written `seconds` ago."""
    session = client.session
    session[key] = time.time() - seconds
    session.save()


def logged_out(client: Client) -> bool:
    response = client.get(ACCOUNT)
    return response.status_code == 302 and response["Location"].startswith("/accedi/")


def test_a_session_idle_too_long_ends_with_sessione_scaduta(citizen_client) -> None:
    backdate(citizen_client, SESSION_SEEN_AT, settings.SPORTELLO_SESSION_IDLE_MINUTES * 60 - 30)
    assert citizen_client.get(ACCOUNT).status_code == 200  # still within the limit

    backdate(citizen_client, SESSION_SEEN_AT, settings.SPORTELLO_SESSION_IDLE_MINUTES * 60 + 1)
    response = citizen_client.get(f"{ACCOUNT}?scheda=recapiti")

    assert response.status_code == 303
    assert (
        response["Location"] == "/sessione-scaduta/?next=%2Farea-personale%2F%3Fscheda%3Drecapiti"
    )
    page = citizen_client.get(response["Location"])
    text = page_text(page)
    assert "Sessione scaduta" in text
    assert "15 minuti senza attività" in text
    assert 'href="/accedi/?next=/area-personale/%3Fscheda%3Drecapiti"' in text
    assert logged_out(citizen_client)
    assert AuditEvent.objects.filter(action="session_expired", detail__reason="idle").exists()


def test_a_session_ends_after_its_maximum_lifetime_even_when_active(citizen_client) -> None:
    backdate(citizen_client, SESSION_AUTH_AT, settings.SPORTELLO_SESSION_MAX_HOURS * 3600 + 1)

    response = citizen_client.get(ACCOUNT)

    assert response.status_code == 303
    assert response["Location"] == "/sessione-scaduta/?next=%2Farea-personale%2F"
    assert "8 ore dall'accesso" in page_text(citizen_client.get(response["Location"]))
    assert logged_out(citizen_client)
    assert AuditEvent.objects.filter(action="session_expired", detail__reason="lifetime").exists()


def test_a_form_posted_after_expiry_is_not_saved_and_comes_back_after_login(
    citizen_client, citizen
) -> None:
    backdate(citizen_client, SESSION_SEEN_AT, settings.SPORTELLO_SESSION_IDLE_MINUTES * 60 + 1)

    response = citizen_client.post(
        ACCOUNT, {"email": "giulia.ferretti@example.it", "phone": "+39 333 1234567"}
    )

    assert response.status_code == 303
    assert response["Location"] == "/sessione-scaduta/?next=%2Farea-personale%2F&modulo=1"
    expired = page_text(citizen_client.get(response["Location"]))
    assert "Il modulo che avevi inviato non è stato registrato" in expired
    assert "lo ritroverai compilato" in expired
    citizen.refresh_from_db()
    assert citizen.email == ""

    back = log_in(citizen_client, citizen.username, CITIZEN_PASSWORD, next=ACCOUNT)
    assert back["Location"] == ACCOUNT
    page = page_text(citizen_client.get(ACCOUNT))
    assert "La sessione era scaduta e i dati che avevi inviato non sono stati salvati" in page
    assert 'value="giulia.ferretti@example.it"' in page
    assert 'value="+39 333 1234567"' in page
    citizen.refresh_from_db()
    assert citizen.email == ""  # still only offered, until «Salva»
    # Shown once: the next visit shows the saved contacts again.
    assert "giulia.ferretti@example.it" not in page_text(citizen_client.get(ACCOUNT))


def test_a_password_posted_after_expiry_is_not_kept(citizen_client) -> None:
    backdate(citizen_client, SESSION_SEEN_AT, settings.SPORTELLO_SESSION_IDLE_MINUTES * 60 + 1)

    citizen_client.post(
        "/area-personale/password/",
        {
            "old_password": CITIZEN_PASSWORD,
            "new_password1": "Nuova-segreta-lunga-1",
            "new_password2": "Nuova-segreta-lunga-1",
        },
    )

    kept = str(dict(citizen_client.session.items()))
    assert CITIZEN_PASSWORD not in kept
    assert "Nuova-segreta-lunga-1" not in kept


def test_the_account_page_lists_where_you_are_logged_in(citizen_client, citizen) -> None:
    phone = Client(HTTP_USER_AGENT="Safari on the phone", REMOTE_ADDR="203.0.113.9")
    assert log_in(phone, citizen.username, CITIZEN_PASSWORD).status_code == 302

    page = page_text(citizen_client.get(ACCOUNT))

    assert "Firefox on the kitchen laptop" in page
    assert "Safari on the phone — 203.0.113.9" in page
    assert UserSession.objects.filter(user=citizen).count() == 2


def test_esci_da_tutti_i_dispositivi_ends_the_sessions_of_other_devices(
    citizen_client, citizen
) -> None:
    phone = Client()
    assert log_in(phone, citizen.username, CITIZEN_PASSWORD).status_code == 302

    response = citizen_client.post("/area-personale/esci-ovunque/", follow=True)

    assert "Sei uscito da tutti i dispositivi" in page_text(response)
    assert logged_out(citizen_client)
    assert logged_out(phone)
    assert not UserSession.objects.filter(user=citizen).exists()


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(
    citizen_client, citizen
) -> None:
    phone = Client()
    assert log_in(phone, citizen.username, CITIZEN_PASSWORD).status_code == 302

    response = citizen_client.post(
        "/area-personale/password/",
        {
            "old_password": CITIZEN_PASSWORD,
            "new_password1": "Nuova-segreta-lunga-1",
            "new_password2": "Nuova-segreta-lunga-1",
        },
    )

    assert response.status_code == 302
    page = citizen_client.get(ACCOUNT)
    assert page.status_code == 200
    assert logged_out(phone)
    # This device stays in the list of sessions, marked as the current one.
    assert "Firefox on the kitchen laptop" in page_text(page)
    assert "(questa)" in page_text(page)
    assert UserSession.objects.filter(user=citizen).count() == 1
