"""SPID / CIE ID login against the demo identity provider (a real pysaml2 IdP, signing with its
own key): who gets which account, what is refused and how, the level a service needs, and the
identity providers' metadata fetched from a local HTTP server."""

from __future__ import annotations

import base64
import datetime
import http.server
import re
import threading
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import Client

from sportello.accounts.models import DigitalIdentity, User
from sportello.accounts.spid import config
from sportello.accounts.spid.demo_idp import DemoIdentity, demo_idp_metadata, demo_response
from sportello.accounts.spid.federation import idp_metadata_refresh
from sportello.core.models import AuditEvent
from tests.accounts.conftest import CITIZEN_PASSWORD, log_in

pytestmark = pytest.mark.django_db

DEMO_IDP = "http://testserver/spid-demo/spid/"
FORM = re.compile(
    r'<form method="post" action="([^"]+)">\s*<input type="hidden" name="SAMLResponse" '
    r'value="([^"]+)">\s*<input type="hidden" name="RelayState" value="([^"]*)">\s*'
    r"<button[^>]*>([^<]+)<"
)


@pytest.fixture(autouse=True)
def sp(settings, municipality) -> Iterator[None]:
    if config.xmlsec_binary() is None:
        pytest.skip("xmlsec1 is not installed (apt-get install xmlsec1)")
    settings.SPORTELLO_SPID = {**settings.SPORTELLO_SPID, "ipa_code": "c_e625"}
    config.config_reset()
    yield
    config.config_reset()


def start_login(client: Client, *, protocol: str = "spid", next_url: str = "") -> dict:
    """Click «Entra con SPID» → the demo IdP's page: its forms, by the button's label."""
    query = f"?idp=http://testserver/spid-demo/{protocol}/" + (
        f"&next={next_url}" if next_url else ""
    )
    response = client.get(f"/{protocol}/login/{query}")
    assert response.status_code == 302, response.content[:500]
    page = client.get(response["Location"])
    assert page.status_code == 200
    return {
        label.strip(): {"action": action, "SAMLResponse": unescape(saml), "RelayState": relay}
        for action, saml, relay, label in FORM.findall(page.content.decode())
    }


def post(client: Client, form: dict, *, saml: str | None = None):
    return client.post(
        form["action"].replace("http://testserver", ""),
        {"SAMLResponse": saml or form["SAMLResponse"], "RelayState": form["RelayState"]},
    )


def identity_for(person, **changes) -> DemoIdentity:
    values = {
        "codice_fiscale": person.codice_fiscale,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": person.birth_date,
        "email": "giulia@example.it",
        "mobile_phone": "+393331112223",
        "note": "",
        **changes,
    }
    return DemoIdentity(**values)


def signed_response_for(client: Client, identity: DemoIdentity, *, level: int = 2) -> dict:
    """Start a login, then have the demo IdP sign a response for `identity`."""
    from sportello.accounts.models import SamlRequest
    from sportello.accounts.spid.demo_server import demo_idp_server

    forms = start_login(client)
    form = next(iter(forms.values()))
    saml_request = SamlRequest.objects.latest("issued_at")
    request = client.get("/").wsgi_request
    server = demo_idp_server(protocol="spid", request=request)
    info = {
        "id": saml_request.request_id,
        "acs": "http://testserver/spid/acs/",
        "sp": "http://testserver/spid/metadata/",
        "level": level,
        "protocol": "spid",
    }
    return {
        **form,
        "SAMLResponse": demo_response(server=server, request_info=info, identity=identity),
    }


# --- accounts -------------------------------------------------------------------------------


def test_a_resident_logs_into_their_registry_account(client: Client, resident) -> None:
    form = signed_response_for(client, identity_for(resident))

    response = post(client, form)

    assert response.status_code == 302
    assert response["Location"] == "/i-miei-dati/"
    user = User.objects.get(person=resident)
    assert user.email == "giulia@example.it"  # no form asks what SPID already said
    assert client.session["_sportello_level"] == 2
    assert client.get("/i-miei-dati/").status_code == 200


def test_a_counter_credential_is_linked_never_doubled(client: Client, citizen, resident) -> None:
    post(client, signed_response_for(client, identity_for(resident)))

    assert User.objects.filter(person=resident).count() == 1
    assert DigitalIdentity.objects.get(codice_fiscale=resident.codice_fiscale).user == citizen
    # The password still works, and opens the same account.
    other = Client()
    log_in(other, citizen.username, CITIZEN_PASSWORD)
    assert other.session["_auth_user_id"] == str(citizen.pk)


def test_a_non_resident_sees_only_what_concerns_them(client: Client) -> None:
    outsider = DemoIdentity(
        codice_fiscale="SPSCHR90E52F839H",
        first_name="Chiara",
        last_name="Esposito",
        birth_date=datetime.date(1990, 5, 12),
        email="chiara@example.it",
        mobile_phone="+393330000009",
        note="",
    )

    response = post(client, signed_response_for(client, outsider))

    assert response["Location"] == "/area-personale/"
    user = User.objects.get(username="SPSCHR90E52F839H")
    assert user.person is None and not user.has_usable_password()
    refused = client.get("/i-miei-dati/")
    assert refused.status_code == 403
    assert "riservato ai residenti" in refused.content.decode()


# --- refusals -------------------------------------------------------------------------------


def refused(response, message: str) -> None:
    assert response.status_code in (400, 403), response.status_code
    text = unescape(response.content.decode())
    assert message in text, text[:2000]


def test_a_forged_response_is_refused_and_nothing_is_created(client: Client, resident) -> None:
    form = signed_response_for(client, identity_for(resident))
    xml = base64.b64decode(form["SAMLResponse"]).decode()
    forged = xml.replace(resident.first_name, "Mallory", 1)
    assert forged != xml

    response = post(client, form, saml=base64.b64encode(forged.encode()).decode())

    refused(response, "la risposta del gestore dell'identità non è valida")
    assert not User.objects.filter(person=resident).exists()
    assert not DigitalIdentity.objects.exists()
    event = AuditEvent.objects.get(action="spid_refused")
    assert event.detail["reason"]
    assert AccessAttempt.objects.get(username="spid").failures_since_start == 1


def test_a_replayed_response_is_refused(client: Client, resident) -> None:
    form = signed_response_for(client, identity_for(resident))
    assert post(client, form).status_code == 302
    client.logout()

    response = post(client, form)

    refused(response, "Accesso non riuscito")
    assert AuditEvent.objects.filter(action="spid_refused").count() == 1


def test_a_response_to_another_browser_is_refused(client: Client, resident) -> None:
    form = signed_response_for(client, identity_for(resident))

    response = post(Client(), form)  # no pending request in this browser

    refused(response, "Accesso non riuscito")
    assert not DigitalIdentity.objects.exists()


def test_an_invalid_codice_fiscale_is_refused(client: Client, resident) -> None:
    wrong = resident.codice_fiscale[:-1] + ("A" if resident.codice_fiscale[-1] != "A" else "B")
    response = post(
        client, signed_response_for(client, identity_for(resident, codice_fiscale=wrong))
    )

    refused(response, "Il codice fiscale ricevuto dal gestore dell'identità non è valido.")
    assert not DigitalIdentity.objects.exists()


def test_a_missing_attribute_is_refused(client: Client, resident) -> None:
    response = post(client, signed_response_for(client, identity_for(resident, last_name="")))

    refused(response, "non ha inviato tutti i dati necessari")
    assert not User.objects.filter(person=resident).exists()


def test_a_level_below_the_one_asked_is_refused(client: Client, resident) -> None:
    response = post(client, signed_response_for(client, identity_for(resident), level=1))

    refused(response, "richiede un accesso con SPID o CIE di livello 2")


def test_an_unknown_identity_provider_is_refused(client: Client) -> None:
    response = client.get("/spid/login/?idp=https://idp.example.org/")

    refused(response, "non è tra quelli riconosciuti")
    assert AuditEvent.objects.get(action="spid_refused").detail["identity_provider"]


def test_the_lockout_stops_a_flood_of_refused_responses(client: Client, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    for _attempt in range(2):
        client.get("/spid/login/?idp=https://idp.example.org/")

    response = client.get(f"/spid/login/?idp={DEMO_IDP}")

    assert response.status_code == 429


# --- levels ---------------------------------------------------------------------------------


def test_a_service_needing_level_2_refuses_a_password_session(settings, citizen) -> None:
    settings.SPORTELLO_SERVICE_LEVELS = {"registry": 2}
    client = Client()
    log_in(client, citizen.username, CITIZEN_PASSWORD)

    response = client.get("/i-miei-dati/")

    assert response.status_code == 403
    text = unescape(response.content.decode())
    assert "richiede un accesso di livello 2" in text
    assert "/spid/login/?idp=" in text and "next=%2Fi-miei-dati%2F" in text


def test_a_service_needing_level_2_accepts_spid_level_2(settings, client: Client, resident) -> None:
    settings.SPORTELLO_SERVICE_LEVELS = {"registry": 2}
    post(client, signed_response_for(client, identity_for(resident)))

    assert client.get("/i-miei-dati/").status_code == 200


def test_the_level_asked_follows_the_service(settings, client: Client) -> None:
    from sportello.accounts.models import SamlRequest

    settings.SPORTELLO_SERVICE_LEVELS = {"registry": 3}
    start_login(client, next_url="/i-miei-dati/")

    assert SamlRequest.objects.get().level == 3


# --- metadata -------------------------------------------------------------------------------


def test_metadata_is_signed_and_names_the_comune(client: Client) -> None:
    response = client.get("/spid/metadata/")

    text = response.content.decode()
    assert response.status_code == 200
    assert "<ns1:SignatureValue>" in text or "SignatureValue" in text
    assert "c_e625" in text and 'AuthnRequestsSigned="true"' in text


@pytest.fixture
def metadata_server(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "good.xml").write_text(
        demo_idp_metadata(protocol="spid", base="https://idp.example.org"), encoding="utf-8"
    )
    (tmp_path / "broken.xml").write_text("<html>maintenance</html>", encoding="utf-8")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def log_message(self, *args):  # keep the test output quiet
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_identity_providers_metadata_is_refreshed_and_a_bad_download_kept_out(
    settings, tmp_path: Path, metadata_server: str, client: Client
) -> None:
    folder = tmp_path / "federation"
    settings.SPORTELLO_SPID = {
        **settings.SPORTELLO_SPID,
        "metadata_dir": folder,
        "spid_metadata_urls": [f"{metadata_server}/good.xml", f"{metadata_server}/broken.xml"],
    }

    report = idp_metadata_refresh()

    assert report == {"updated": 1, "failed": 1}
    assert len(list((folder / "spid").glob("*.xml"))) == 1
    page = client.get("/accedi/").content.decode()
    assert "https%3A%2F%2Fidp.example.org%2Fspid-demo%2Fspid%2F" in page
