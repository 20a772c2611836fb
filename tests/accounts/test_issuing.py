"""Credentials from the counter: who may issue them, the letter, what is kept, reissue, expiry of
the temporary password, and switching local citizen credentials off (DL 76/2020)."""

from __future__ import annotations

import datetime

import pytest
from django.core import serializers
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import formats, timezone, translation

from sportello.accounts.backends import local_citizen_passwords_accepted
from sportello.accounts.models import CredentialIssue, User
from sportello.core.models import AuditEvent
from tests.accounts.conftest import (
    CITIZEN_PASSWORD,
    OPERATOR_PASSWORD,
    document,
    log_in,
    page_text,
)

pytestmark = pytest.mark.django_db

INVALID_LOGIN = "Nome utente o password non corretti"
NOT_ISSUING = "Il Comune non rilascia più nuove credenziali locali"


def person_url(person) -> str:
    return reverse("accounts:operator_person", args=[person.pk])


def test_a_citizen_cannot_open_the_issuing_screens(citizen_client, resident) -> None:
    assert citizen_client.get(reverse("accounts:operator_search")).status_code == 403
    assert citizen_client.get(person_url(resident)).status_code == 403
    assert citizen_client.post(person_url(resident), document()).status_code == 403
    assert not CredentialIssue.objects.exists()


def test_the_operator_finds_the_person_and_prints_a_letter_that_says_how_to_log_in(
    operator_client, issue_credentials, resident
) -> None:
    found = operator_client.get(reverse("accounts:operator_search"), {"q": "ferretti giulia"})
    assert resident.codice_fiscale in page_text(found)

    letter = issue_credentials(resident)

    account = User.objects.get(person=resident)
    assert "no-store" in letter.response["Cache-Control"]
    assert "Credenziali rilasciate" in page_text(letter.response)
    assert "Comune di Valdoria" in letter.text
    assert "Giulia Ferretti" in letter.text
    assert resident.codice_fiscale == account.username
    assert account.username in letter.text
    assert letter.password in letter.text
    with translation.override("it"):
        expiry = formats.date_format(
            timezone.localtime(account.password_expires_at), "SHORT_DATE_FORMAT"
        )
    assert expiry in letter.text
    assert "http://testserver/accedi/" in letter.text
    assert "primo accesso" in letter.text.lower()
    assert "sistemi@valdoria.example.it" in letter.text  # where to report a loss
    # The printed password is the one that works.
    assert log_in(Client(), account.username, letter.password).status_code == 302


def test_the_temporary_password_is_kept_only_as_a_hash(
    issue_credentials, operator_client, resident, counter_operator
) -> None:
    letter = issue_credentials(resident)

    account = User.objects.get(person=resident)
    assert account.check_password(letter.password)
    stored = serializers.serialize(
        "json",
        [
            *User.objects.all(),
            *CredentialIssue.objects.all(),
            *AuditEvent.objects.all(),
        ],
    )
    assert letter.password not in stored
    assert letter.password.replace("-", "") not in stored
    issued = AuditEvent.objects.get(action="credentials_issued")
    assert (issued.actor, issued.ip_address, issued.channel) == (
        counter_operator,
        "127.0.0.1",
        "counter",
    )
    assert issued.target_id == str(resident.pk)
    # Coming back to the person's page later does not show it again.
    assert letter.password not in page_text(operator_client.get(person_url(resident)))


def test_an_expired_identity_document_is_refused_and_nothing_is_issued(
    operator_client, resident
) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    response = operator_client.post(
        person_url(resident), document(**{"issue-document_expiry": yesterday.isoformat()})
    )

    assert response.status_code == 200
    assert "Il documento è scaduto: serve un documento valido." in page_text(response)
    assert not User.objects.filter(person=resident).exists()
    assert not CredentialIssue.objects.exists()


def test_reissuing_replaces_the_old_password_and_ends_its_sessions(
    issue_credentials, resident
) -> None:
    first = issue_credentials(resident)
    username = resident.codice_fiscale
    lost_phone = Client()
    assert log_in(lost_phone, username, first.password).status_code == 302

    second = issue_credentials(resident)

    assert second.password != first.password
    page = lost_phone.get(reverse("accounts:account"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:login"))
    refused = log_in(Client(), username, first.password)
    assert INVALID_LOGIN in page_text(refused)
    assert log_in(Client(), username, second.password).status_code == 302
    assert CredentialIssue.objects.filter(person=resident).count() == 2
    assert AuditEvent.objects.filter(action="credentials_reissued").count() == 1


def test_the_temporary_password_expires_after_the_configured_days(
    issue_credentials, resident, settings
) -> None:
    letter = issue_credentials(resident)
    account = User.objects.get(person=resident)
    valid_for = account.password_expires_at - timezone.now()
    assert abs(valid_for - datetime.timedelta(days=settings.SPORTELLO_TEMPORARY_PASSWORD_DAYS)) < (
        datetime.timedelta(minutes=1)
    )

    account.password_expires_at = timezone.now() - datetime.timedelta(minutes=1)
    account.save()
    client = Client()
    response = log_in(client, account.username, letter.password)

    assert response.status_code == 200
    assert "La password temporanea è scaduta il" in page_text(response)
    assert "Chiedi nuove credenziali a uno sportello" in page_text(response)
    assert client.get(reverse("accounts:account")).status_code == 302


@override_settings(SPORTELLO_LOCAL_CITIZEN_CREDENTIALS=False)
def test_with_local_credentials_off_nothing_new_is_issued(operator_client, resident) -> None:
    search = operator_client.get(reverse("accounts:operator_search"))
    assert "Il rilascio di nuove credenziali locali è disattivato" in page_text(search)
    person_page = operator_client.get(person_url(resident))
    assert "Rilascia e prepara la lettera" not in page_text(person_page)

    response = operator_client.post(person_url(resident), document())

    assert NOT_ISSUING in page_text(response)
    assert not User.objects.filter(person=resident).exists()
    assert not CredentialIssue.objects.exists()
    assert Client().get(reverse("accounts:online_request")).status_code == 404


@pytest.mark.parametrize(
    ("valid_until", "accepted"),
    [(None, False), (-1, False), (0, True), (30, True)],
    ids=["no-grace-period", "grace-period-over", "last-day", "grace-period"],
)
def test_with_local_credentials_off_citizens_passwords_work_only_in_the_grace_period(
    citizen, counter_operator, settings, valid_until, accepted
) -> None:
    settings.SPORTELLO_LOCAL_CITIZEN_CREDENTIALS = False
    settings.SPORTELLO_LOCAL_CREDENTIALS_VALID_UNTIL = (
        None
        if valid_until is None
        else (timezone.localdate() + datetime.timedelta(days=valid_until)).isoformat()
    )

    response = log_in(Client(), citizen.username, CITIZEN_PASSWORD)

    if accepted:
        assert response.status_code == 302
    else:
        assert response.status_code == 200
        assert INVALID_LOGIN in page_text(response)
        assert "accedi con la carta" in page_text(response)
    # Operators keep logging in with their password.
    assert log_in(Client(), "sportello", OPERATOR_PASSWORD).status_code == 302


def test_the_grace_period_ends_at_midnight_in_italy_not_in_utc(settings) -> None:
    settings.SPORTELLO_LOCAL_CITIZEN_CREDENTIALS = False
    settings.SPORTELLO_LOCAL_CREDENTIALS_VALID_UNTIL = "2026-06-30"
    utc = datetime.UTC

    # 30 June, 23:30 UTC is already 1 July, 01:30 in Rome.
    assert local_citizen_passwords_accepted(now=datetime.datetime(2026, 6, 30, 21, 30, tzinfo=utc))
    assert not local_citizen_passwords_accepted(
        now=datetime.datetime(2026, 6, 30, 23, 30, tzinfo=utc)
    )


def test_the_person_search_tells_the_true_count_and_pages_through(operator_client) -> None:
    from tests.registry.factories import PersonFactory

    for _n in range(30):
        PersonFactory(last_name="Bracciolini")
    url = reverse("accounts:operator_search")
    first = page_text(operator_client.get(url, {"q": "bracciolini"}))
    assert "30 persone trovate" in first
    assert first.count('href="/operatori/credenziali/persona/') == 25
    assert "pagina=2" in first and "q=bracciolini" in first
    second = page_text(operator_client.get(url, {"q": "bracciolini", "pagina": "2"}))
    assert "30 persone trovate" in second
    assert second.count('href="/operatori/credenziali/persona/') == 5
