"""The demo's simulated smart card: on a local run anyone tries «Accedi con la carta» without a
reader; the certificate made has the real cards' subject and goes through the same reading and
login. Off by default and refused in production (tests/core/test_settings.py)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from sportello.accounts.models import User
from sportello.accounts.spid.demo_idp import demo_identities
from sportello.core.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/accedi/carta/simulatore/"


@pytest.fixture
def demo_town(settings) -> None:
    settings.SPORTELLO_SMARTCARD_SIMULATOR = True
    call_command("demo", "--citizens", "20", "--seed", "1", stdout=io.StringIO())


def test_off_unless_the_setting_turns_it_on(settings) -> None:
    settings.SPORTELLO_SMARTCARD_SIMULATOR = False
    assert Client().get(URL).status_code == 404
    assert "carta simulata" not in Client().get("/accedi/").content.decode()


def test_the_login_page_leads_to_the_simulated_card(demo_town) -> None:
    page = Client().get("/accedi/?next=/certificati/").content.decode()
    assert f'href="{URL}?next=/certificati/"' in page


def test_a_resident_logs_in_with_a_simulated_card(demo_town) -> None:
    """The Tessera Sanitaria (codice fiscale in the CN) and the CIE (serialNumber TINIT-…)."""
    person = demo_identities()[1]  # a resident without counter credentials
    form = Client().get(URL).content.decode()
    assert "Simulatore di carta (solo demo)" in form and person.last_name in form
    for kind in ("cns", "cie"):
        client = Client()
        response = client.post(
            URL, {"holder": person.codice_fiscale, "kind": kind, "next": "/certificati/"}
        )
        assert response.status_code == 302 and response["Location"] == "/certificati/"
        user = User.objects.get(person__codice_fiscale=person.codice_fiscale)
        assert client.session["_auth_user_id"] == str(user.pk)
    logins = AuditEvent.objects.filter(action="smartcard_login")
    assert logins.count() == 2
    assert all("carte simulate della demo" in login.detail["issuer"] for login in logins)


def test_someone_the_registry_does_not_know_is_refused(demo_town) -> None:
    stranger = demo_identities()[-1]
    response = Client().post(URL, {"holder": stranger.codice_fiscale, "kind": "cns"})
    assert response.status_code == 403
    assert "risulta nell&#x27;anagrafe" in response.content.decode()
    assert not User.objects.filter(person__codice_fiscale=stranger.codice_fiscale).exists()
