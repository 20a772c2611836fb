"""Revocation after a loss or theft: by the citizen with one button, or by an operator on a
report that arrived by fax, e-mail or in person. Revoked credentials never log in again."""

from __future__ import annotations

import pytest
from django.core import mail, serializers
from django.test import Client
from django.urls import reverse

from sportello.accounts.models import Revocation, RevocationChannel, UserSession
from sportello.core.models import AuditEvent
from tests.accounts.conftest import CITIZEN_PASSWORD, log_in, page_text

pytestmark = pytest.mark.django_db

ACCOUNT = "/area-personale/"
INVALID_LOGIN = "Nome utente o password non corretti"


def logged_out(client: Client) -> bool:
    response = client.get(ACCOUNT)
    return response.status_code == 302 and response["Location"].startswith("/accedi/")


def test_a_citizen_revokes_with_one_button_and_the_comune_is_told(
    citizen_client, citizen, django_capture_on_commit_callbacks
) -> None:
    stolen_phone = Client(REMOTE_ADDR="203.0.113.50")
    assert log_in(stolen_phone, citizen.username, CITIZEN_PASSWORD).status_code == 302
    assert "Revoca le mie credenziali" in page_text(citizen_client.get(ACCOUNT))

    with django_capture_on_commit_callbacks(execute=True):
        response = citizen_client.post(
            reverse("accounts:revoke_own"), {"confirm": "1"}, follow=True
        )

    text = page_text(response)
    assert "Credenziali revocate" in text
    assert "Il Comune è stato avvisato" in text
    assert "URP - Ufficio Relazioni con il Pubblico" in text  # where to get new ones
    assert logged_out(citizen_client)
    assert logged_out(stolen_phone)
    assert not UserSession.objects.filter(user=citizen).exists()
    refused = log_in(Client(), citizen.username, CITIZEN_PASSWORD)
    assert refused.status_code == 200
    assert INVALID_LOGIN in page_text(refused)

    [notice] = mail.outbox
    assert notice.to == ["sistemi@valdoria.example.it"]
    assert citizen.username in notice.subject
    assert "Dal cittadino, online" in notice.body
    revocation = Revocation.objects.get(user=citizen)
    assert revocation.channel == RevocationChannel.ONLINE
    event = AuditEvent.objects.get(action="credentials_revoked")
    assert (event.actor, event.ip_address, event.channel) == (citizen, "127.0.0.1", "online")
    assert event.target_id == str(citizen.person.pk)


def test_revocation_first_says_what_happens_and_asks_to_confirm(citizen_client, citizen) -> None:
    account = page_text(citizen_client.get(ACCOUNT))
    assert (
        f'href="{reverse("accounts:revoke_own")}"' in citizen_client.get(ACCOUNT).content.decode()
    )
    assert "Revoca le mie credenziali" in account
    for response in (
        citizen_client.get(reverse("accounts:revoke_own")),
        citizen_client.post(reverse("accounts:revoke_own")),  # an old form, or a forged one
    ):
        text = page_text(response)
        assert response.status_code == 200
        assert "smettono di funzionare per sempre" in text
        assert "esci subito da tutti i dispositivi" in text
        assert "Sì, revoca le mie credenziali" in text
        assert "Annulla" in text
    citizen.refresh_from_db()
    assert citizen.revoked_at is None
    assert not Revocation.objects.exists()


def test_revoked_credentials_stay_revoked_even_with_a_password_set_later(
    citizen_client, citizen
) -> None:
    citizen_client.post(reverse("accounts:revoke_own"), {"confirm": "1"})
    citizen.refresh_from_db()
    # Even if a password were set again by hand (e.g. in the admin), revoked means refused.
    citizen.set_password(CITIZEN_PASSWORD)
    citizen.save()

    assert log_in(Client(), citizen.username, CITIZEN_PASSWORD).status_code == 200


def test_an_operator_revocation_needs_the_channel_and_the_report(
    operator_client, citizen, counter_operator, django_capture_on_commit_callbacks
) -> None:
    phone = Client()
    assert log_in(phone, citizen.username, CITIZEN_PASSWORD).status_code == 302
    url = reverse("accounts:operator_revoke", args=[citizen.person.pk])
    person_page = page_text(
        operator_client.get(f"/operatori/credenziali/persona/{citizen.person.pk}/")
    )
    assert "Revoca per smarrimento o furto" in person_page

    incomplete = operator_client.post(url, {"revoke-channel": "", "revoke-report": ""})

    assert incomplete.status_code == 400
    # Each under its field, and both in the summary at the top.
    assert page_text(incomplete).count("Campo obbligatorio.") == 4
    assert not Revocation.objects.exists()
    assert not logged_out(phone)

    report = "Fax prot. 1234/2026: la signora segnala il furto della borsa con la lettera."
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(
            url, {"revoke-channel": RevocationChannel.FAX, "revoke-report": report}, follow=True
        )

    text = page_text(response)
    assert "Credenziali di Giulia Ferretti revocate" in text
    assert "revocate il" in text
    revocation = Revocation.objects.get(user=citizen)
    assert (revocation.channel, revocation.report, revocation.recorded_by) == (
        RevocationChannel.FAX,
        report,
        counter_operator,
    )
    assert logged_out(phone)
    assert log_in(Client(), citizen.username, CITIZEN_PASSWORD).status_code == 200
    [notice] = mail.outbox
    assert "Segnalazione via fax" in notice.body
    assert report in notice.body
    assert "Paola" in notice.body  # who recorded it
    event = AuditEvent.objects.get(action="credentials_revoked")
    assert (event.actor, event.ip_address, event.channel) == (counter_operator, "127.0.0.1", "fax")
    assert CITIZEN_PASSWORD not in serializers.serialize("json", AuditEvent.objects.all())


def test_the_operator_offers_only_channels_of_reports(operator_client, citizen) -> None:
    url = reverse("accounts:operator_revoke", args=[citizen.person.pk])

    response = operator_client.post(
        url, {"revoke-channel": RevocationChannel.ONLINE, "revoke-report": "Telefonata"}
    )

    assert response.status_code == 400
    assert not Revocation.objects.exists()


def test_a_citizen_cannot_use_the_operators_revocation(citizen_client, citizen) -> None:
    url = reverse("accounts:operator_revoke", args=[citizen.person.pk])

    response = citizen_client.post(
        url, {"revoke-channel": RevocationChannel.FAX, "revoke-report": "Non sono io"}
    )

    assert response.status_code == 403
    assert not Revocation.objects.exists()
