"""Logging in: certified pages, the first access with the temporary password, the password
rules, the lockout after repeated failures (django-axes), and what the audit log keeps."""

from __future__ import annotations

import re

import pytest
from django.core import serializers
from django.test import Client
from django.urls import reverse

from sportello.core.models import AuditEvent
from tests.accounts.conftest import CITIZEN_PASSWORD, OPERATOR_PASSWORD, log_in, page_text

pytestmark = pytest.mark.django_db

ACCOUNT = "/area-personale/"
MY_DATA = "/i-miei-dati/"
PASSWORD_CHANGE = "/area-personale/password/"
INVALID_LOGIN = (
    "Nome utente o password non corretti. Controlla maiuscole e minuscole. Dopo 5 tentativi "
    "sbagliati l'accesso viene bloccato per 15 minuti."
)
WRONG = "Una-password-sbagliata-9"  # noqa: S105


def alerts(response) -> list[str]:
    """The error messages the page shows next to the form."""
    text = page_text(response)
    return [
        re.sub(r"<[^>]+>|\s+", " ", block).strip()
        for block in re.findall(
            r'<div class="[^"]*(?:alert|invalid-feedback)[^"]*"[^>]*>(.*?)</div>', text, flags=re.S
        )
    ]


def change_password(client: Client, old: str, new: str, **extra: str):
    return client.post(
        PASSWORD_CHANGE,
        {"old_password": old, "new_password1": new, "new_password2": new, **extra},
    )


# --- certified pages --------------------------------------------------------------------


def test_an_anonymous_visitor_logs_in_and_comes_back_to_the_page_wanted(
    citizen, municipality
) -> None:
    home = Client().get(reverse("core:home"))
    assert f'href="{MY_DATA}"' in page_text(home)  # "I miei dati anagrafici", a padlock
    client = Client()

    sent = client.get(MY_DATA)

    assert sent.status_code == 302
    assert sent["Location"] == f"/accedi/?next={MY_DATA}"
    login_page = client.get(sent["Location"])
    assert f'name="next" value="{MY_DATA}"' in page_text(login_page)
    back = log_in(client, citizen.username, CITIZEN_PASSWORD, next=MY_DATA)
    assert back["Location"] == MY_DATA
    page = client.get(MY_DATA)
    assert page.status_code == 200
    assert citizen.person.codice_fiscale in page_text(page)


def test_a_login_page_does_not_send_people_to_other_sites(citizen) -> None:
    client = Client()
    response = client.post(
        "/accedi/",
        {
            "username": citizen.username,
            "password": CITIZEN_PASSWORD,
            "next": "https://evil.example",
        },
    )
    assert response["Location"] == ACCOUNT


def test_a_certified_service_tells_an_operator_it_is_for_certified_citizens(
    operator_client, counter_operator
) -> None:
    # Revocation is, so far, the only view marked `certified_required`.
    anonymous = Client().post(reverse("accounts:revoke_own"))
    assert anonymous.status_code == 302
    assert anonymous["Location"] == "/accedi/?next=/area-personale/revoca/"

    response = operator_client.post(reverse("accounts:revoke_own"))

    assert response.status_code == 403
    assert "Questo servizio è riservato ai cittadini certificati" in page_text(response)
    counter_operator.refresh_from_db()
    assert counter_operator.revoked_at is None
    assert log_in(Client(), "sportello", OPERATOR_PASSWORD).status_code == 302


# --- first access -----------------------------------------------------------------------


def test_with_the_temporary_password_every_page_leads_to_the_password_change(
    issue_credentials, resident
) -> None:
    letter = issue_credentials(resident)
    client = Client()
    assert log_in(client, resident.codice_fiscale, letter.password).status_code == 302

    for page in ["/", ACCOUNT, "/credenziali/", "/operatori/", "/backoffice/"]:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(f"{PASSWORD_CHANGE}?next="), page

    form = client.get(f"{PASSWORD_CHANGE}?next=/credenziali/")
    assert "È il tuo primo accesso" in page_text(form)
    wrong_old = change_password(client, "non-è-quella-della-lettera", "Girasoli-a-Settembre-24")
    assert "La password attuale non è corretta" in page_text(wrong_old)

    done = change_password(client, letter.password, "Girasoli-a-Settembre-24", next="/credenziali/")

    assert done["Location"] == "/credenziali/"
    page = client.get("/credenziali/")
    assert page.status_code == 200
    assert "Password cambiata" in page_text(page)
    assert client.get(ACCOUNT).status_code == 200
    assert log_in(Client(), resident.codice_fiscale, letter.password).status_code == 200


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("Breve-1a", "La password è troppo corta: deve avere almeno 12 caratteri."),
        ("qwerty123456", "Questa password è troppo comune."),
        ("ferretti1960", "La password è troppo simile a cognome."),
        ("{cf}!", "La password è troppo simile a nome utente."),
        ("839201746512", "Questa password è interamente numerica."),
    ],
    ids=["short", "common", "like-the-surname", "like-the-codice-fiscale", "numeric"],
)
def test_a_weak_new_password_is_refused(citizen_client, citizen, new_password, message) -> None:
    new_password = new_password.format(cf=citizen.username.lower())

    response = change_password(citizen_client, CITIZEN_PASSWORD, new_password)

    assert response.status_code == 200
    assert any(message in alert for alert in alerts(response)), alerts(response)
    citizen.refresh_from_db()
    assert citizen.check_password(CITIZEN_PASSWORD)


@pytest.mark.parametrize(
    "pattern",
    ["{First}{Last}{yyyy}", "{last}.{dd}.{mm}.{yy}!", "{Last}-{First}-{dd}{mm}", "{yyyy}{First}!!"],
)
def test_a_password_made_of_name_and_birth_date_is_refused(
    citizen_client, citizen, pattern
) -> None:
    person = citizen.person
    birth = person.birth_date
    new_password = pattern.format(
        First=person.first_name,
        Last=person.last_name,
        last=person.last_name.lower(),
        yyyy=f"{birth.year}",
        yy=f"{birth.year % 100:02d}",
        dd=f"{birth.day:02d}",
        mm=f"{birth.month:02d}",
    )

    response = change_password(citizen_client, CITIZEN_PASSWORD, new_password)

    assert any("dei tuoi dati personali" in alert for alert in alerts(response)), (
        new_password,
        alerts(response),
    )
    citizen.refresh_from_db()
    assert citizen.check_password(CITIZEN_PASSWORD)


def test_a_password_that_only_contains_the_name_is_accepted(citizen_client, citizen) -> None:
    new_password = f"{citizen.person.first_name}-ama-il-gelsomino-sul-balcone"
    response = change_password(citizen_client, CITIZEN_PASSWORD, new_password)
    assert response.status_code == 302, alerts(response)


def test_none_of_the_last_five_passwords_comes_back(citizen_client, citizen) -> None:
    current = CITIZEN_PASSWORD
    for word in ("zucche", "basilico", "carote", "fave", "ceci"):
        new = f"Orto-{word}-di-primavera"
        assert change_password(citizen_client, current, new).status_code == 302
        current = new

    # Five changes later the first password is still one of the last five used before.
    reused = change_password(citizen_client, current, CITIZEN_PASSWORD)
    assert "Scegli una password diversa dalle ultime 5 che hai usato." in page_text(reused)
    assert change_password(citizen_client, current, "Orto-piselli-di-maggio").status_code == 302
    # One more change, and it may come back.
    again = change_password(citizen_client, "Orto-piselli-di-maggio", CITIZEN_PASSWORD)
    assert again.status_code == 302


# --- lockout ----------------------------------------------------------------------------


def five_failures_then_the_right_password(username: str, password: str) -> list:
    client = Client()
    return [log_in(client, username, WRONG) for _ in range(5)] + [
        log_in(client, username, password)
    ]


def test_five_wrong_passwords_lock_the_username_from_that_address(citizen, municipality) -> None:
    responses = five_failures_then_the_right_password(citizen.username, CITIZEN_PASSWORD)

    for response in responses[:4]:
        assert response.status_code == 200
        assert INVALID_LOGIN in page_text(response)
    for response in responses[4:]:  # the fifth failure locks; the right password cannot open
        assert response.status_code == 429
        assert response["Retry-After"] == "900"
        text = page_text(response)
        assert "Accesso temporaneamente bloccato" in text
        assert "Riprova tra 15 minuti." in text
        assert "rivolgiti a uno sportello del Comune" in text
        assert "servizionline@valdoria.example.it" in text
    # The pair is locked, not the person: from another connection the password works.
    other_connection = Client(REMOTE_ADDR="192.0.2.44")
    assert log_in(other_connection, citizen.username, CITIZEN_PASSWORD).status_code == 302


def test_an_unknown_username_is_answered_exactly_like_a_known_one(citizen, municipality) -> None:
    known = five_failures_then_the_right_password(citizen.username, CITIZEN_PASSWORD)
    unknown = five_failures_then_the_right_password("NSSNNN80A01E625X", CITIZEN_PASSWORD)

    def seen(response) -> tuple[int, str]:
        text = page_text(response)
        main = text[text.index("<main") : text.index("</main>")]
        main = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", main)
        return response.status_code, main

    for known_response, unknown_response in zip(known, unknown, strict=True):
        status, known_page = seen(known_response)
        assert (status, known_page.replace(citizen.username, "NSSNNN80A01E625X")) == seen(
            unknown_response
        )


# --- audit ------------------------------------------------------------------------------


def test_logins_failures_lockouts_and_password_changes_are_audited_without_passwords(
    citizen, municipality
) -> None:
    five_failures_then_the_right_password(citizen.username, CITIZEN_PASSWORD)
    client = Client(REMOTE_ADDR="198.51.100.7")
    assert log_in(client, citizen.username, CITIZEN_PASSWORD).status_code == 302
    assert change_password(client, CITIZEN_PASSWORD, "Tramonto-sul-porto-88").status_code == 302

    failures = AuditEvent.objects.filter(action="login_failed")
    assert failures.count() == 6
    assert {(e.actor_label, e.ip_address, e.channel) for e in failures} == {
        (citizen.username, "127.0.0.1", "password")
    }
    lockout = AuditEvent.objects.filter(action="lockout").first()
    assert (lockout.actor_label, lockout.ip_address, lockout.channel) == (
        citizen.username,
        "127.0.0.1",
        "password",
    )
    login = AuditEvent.objects.get(action="login")
    assert (login.actor, login.ip_address, login.channel) == (citizen, "198.51.100.7", "password")
    change = AuditEvent.objects.get(action="password_changed")
    assert (change.actor, change.ip_address, change.channel) == (
        citizen,
        "198.51.100.7",
        "password",
    )
    everything = serializers.serialize("json", AuditEvent.objects.all())
    for secret in (CITIZEN_PASSWORD, WRONG, "Tramonto-sul-porto-88"):
        assert secret not in everything
