"""Smart-card login end to end: real TLS to a real nginx configured as deploy/nginx says, in front
of the live Django server. The card is a client certificate presented with `ssl`.

What nginx does with a certificate it cannot verify, under `ssl_verify_client optional`: the TLS
handshake completes, then nginx answers with its own "400 The SSL certificate error" (code 495),
whatever the path. smartcard.conf sends that to Django's refusal page with
X-SSL-Client-Verify = "FAILED:unable to verify the first certificate" (unknown CA) or
"FAILED:certificate has expired"; these tests pin that behaviour down.
"""

from __future__ import annotations

import datetime
import json
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings as django_settings
from django.http import HttpRequest, JsonResponse
from django.urls import path

from sportello.config import urls as project_urls
from sportello.registry.models import Person, Sex

from ..registry.factories import PersonFactory
from . import certs
from .nginx import Response, SmartcardNginx, plain_request, smartcard_nginx_fixture  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

LOGIN = "/accedi/carta/"
ACCOUNT = "/area-personale/"
HEADERS_ECHO = "/__smartcard_headers__/"


def headers_echo(request: HttpRequest) -> JsonResponse:
    """What reached Django of the smart-card headers (test URLconf only)."""
    return JsonResponse(
        {
            "verify": request.META.get("HTTP_X_SSL_CLIENT_VERIFY"),
            "cert": request.META.get("HTTP_X_SSL_CLIENT_CERT"),
        }
    )


# This module is also a URLconf: the project's URLs plus the echo above (@pytest.mark.urls).
urlpatterns = [path(HEADERS_ECHO.strip("/") + "/", headers_echo), *project_urls.urlpatterns]


@pytest.fixture(autouse=True)
def nginx_is_the_trusted_proxy(settings) -> None:
    # The live server runs in this process: nginx connects to it from 127.0.0.1.
    settings.SPORTELLO_SMARTCARD_TRUSTED_PROXIES = ["127.0.0.1"]


def citizen(**fields: object) -> Person:
    return PersonFactory(**fields)


def card_for(nginx: SmartcardNginx, subject) -> certs.Issued:
    return certs.client_certificate(ca=nginx.card_ca, subject=subject)


def session_cookie(response: Response) -> str | None:
    return response.cookies().get(django_settings.SESSION_COOKIE_NAME) or None


def assert_logged_in(
    nginx: SmartcardNginx, response: Response, person: Person, next_path: str
) -> None:
    assert response.status == 302, response.body[:500]
    assert urlsplit(response.location).path == next_path
    session = session_cookie(response)
    assert session
    account = nginx.request(ACCOUNT, cookies={django_settings.SESSION_COOKIE_NAME: session})
    assert account.status == 200, account.body[:500]
    assert person.full_name in account.body


def assert_refused(response: Response, message: str) -> None:
    assert response.status == 403, (response.status, response.body[:500])
    assert message in response.body
    assert session_cookie(response) is None


# --- cards that log in -----------------------------------------------------------------------


def test_cns_card_of_a_registry_person_logs_in(smartcard_nginx) -> None:
    person = citizen(first_name="Renzo", last_name="Tramaglino")
    card = card_for(
        smartcard_nginx,
        certs.cns_subject(
            codice_fiscale=person.codice_fiscale, first_name="Renzo", last_name="Tramaglino"
        ),
    )
    response = smartcard_nginx.request(LOGIN, card=card)
    assert_logged_in(smartcard_nginx, response, person, ACCOUNT)


def test_cie_card_of_a_registry_person_logs_in_and_goes_to_next(smartcard_nginx) -> None:
    person = citizen(first_name="Lucia", last_name="Mondella", sex=Sex.FEMALE)
    card = card_for(
        smartcard_nginx,
        certs.cie_subject(
            codice_fiscale=person.codice_fiscale, first_name="Lucia", last_name="Mondella"
        ),
    )
    response = smartcard_nginx.request(f"{LOGIN}?next={quote(ACCOUNT)}", card=card)
    assert_logged_in(smartcard_nginx, response, person, ACCOUNT)


def test_lower_case_code_in_a_provider_card_logs_in(smartcard_nginx) -> None:
    person = citizen(first_name="Fermo", last_name="Spaccalegna")
    subject = certs.plain_subject(
        common_name="FERMO SPACCALEGNA", serial_number=f"IT:{person.codice_fiscale.lower()}"
    )
    response = smartcard_nginx.request(LOGIN, card=card_for(smartcard_nginx, subject))
    assert_logged_in(smartcard_nginx, response, person, ACCOUNT)


# --- cards that are refused ------------------------------------------------------------------


def test_card_from_an_unknown_ca_is_refused_with_a_clear_message(smartcard_nginx) -> None:
    person = citizen()
    rogue_ca = certs.ca_create(common_name="CA sconosciuta")
    card = certs.client_certificate(
        ca=rogue_ca, subject=certs.cns_subject(codice_fiscale=person.codice_fiscale)
    )
    response = smartcard_nginx.request(LOGIN, card=card)
    assert_refused(response, "Il certificato della carta non è stato riconosciuto")
    # Not nginx's own "400 The SSL certificate error" page.
    assert "The SSL certificate error" not in response.body


def test_unknown_ca_on_any_path_gets_the_same_refusal(smartcard_nginx) -> None:
    rogue_ca = certs.ca_create(common_name="CA sconosciuta")
    card = certs.client_certificate(
        ca=rogue_ca, subject=certs.cns_subject(codice_fiscale=citizen().codice_fiscale)
    )
    response = smartcard_nginx.request(ACCOUNT, card=card)
    assert_refused(response, "Il certificato della carta non è stato riconosciuto")


def test_expired_card_is_refused(smartcard_nginx) -> None:
    person = citizen()
    now = datetime.datetime.now(datetime.UTC)
    card = certs.client_certificate(
        ca=smartcard_nginx.card_ca,
        subject=certs.cns_subject(codice_fiscale=person.codice_fiscale),
        not_before=now - datetime.timedelta(days=400),
        not_after=now - datetime.timedelta(days=1),
    )
    response = smartcard_nginx.request(LOGIN, card=card)
    assert_refused(response, "Il certificato della carta non è stato riconosciuto")


def test_no_card_gets_a_clear_message(smartcard_nginx) -> None:
    response = smartcard_nginx.request(LOGIN)
    assert_refused(response, "Nessun certificato: inserisci la carta nel lettore e riprova.")


def test_card_without_a_valid_codice_fiscale_is_refused(smartcard_nginx) -> None:
    subject = certs.plain_subject(common_name="MARIO ROSSI", serial_number="TINIT-RSSMRA85T10A562X")
    response = smartcard_nginx.request(LOGIN, card=card_for(smartcard_nginx, subject))
    assert_refused(response, "Il certificato non contiene un codice fiscale valido.")


def test_card_of_somebody_not_in_the_registry_is_refused(smartcard_nginx) -> None:
    stranger = PersonFactory.build(first_name="Gertrude", last_name="Monza", sex=Sex.FEMALE)
    card = card_for(smartcard_nginx, certs.cie_subject(codice_fiscale=stranger.codice_fiscale))
    response = smartcard_nginx.request(LOGIN, card=card)
    assert_refused(response, "Nessun cittadino")


# --- headers a client makes up ---------------------------------------------------------------


def forged_headers(nginx: SmartcardNginx, person: Person) -> dict[str, str]:
    """What an attacker would send: a real certificate of the person, without the card."""
    card = card_for(nginx, certs.cns_subject(codice_fiscale=person.codice_fiscale))
    return {
        "X-SSL-Client-Verify": "SUCCESS",
        "X-SSL-Client-Cert": quote(card.cert_pem.decode("ascii"), safe=""),
    }


def test_forged_headers_on_the_login_url_are_replaced_by_nginx(smartcard_nginx) -> None:
    headers = forged_headers(smartcard_nginx, citizen())
    response = smartcard_nginx.request(LOGIN, headers=headers)
    assert_refused(response, "Nessun certificato: inserisci la carta nel lettore e riprova.")


@pytest.mark.urls(__name__)
def test_forged_headers_on_other_paths_do_not_reach_django(smartcard_nginx) -> None:
    headers = forged_headers(smartcard_nginx, citizen())
    response = smartcard_nginx.request(HEADERS_ECHO, headers=headers)
    assert response.status == 200, response.body[:500]
    assert json.loads(response.body) == {"verify": None, "cert": None}


@pytest.mark.urls(__name__)
def test_a_real_card_is_passed_on_only_to_the_login_url(smartcard_nginx) -> None:
    card = card_for(smartcard_nginx, certs.cns_subject(codice_fiscale=citizen().codice_fiscale))
    response = smartcard_nginx.request(HEADERS_ECHO, card=card)
    assert json.loads(response.body) == {"verify": None, "cert": None}


def test_headers_from_an_address_that_is_not_the_proxy_are_refused(live_server, settings) -> None:
    # Straight to Django, not through nginx: REMOTE_ADDR is 127.0.0.1, which is not the proxy.
    settings.SPORTELLO_SMARTCARD_TRUSTED_PROXIES = ["192.0.2.1"]
    person = citizen()
    ca = certs.ca_create(common_name="CA carte di test")
    card = certs.client_certificate(
        ca=ca, subject=certs.cns_subject(codice_fiscale=person.codice_fiscale)
    )
    headers = {
        "X-SSL-Client-Verify": "SUCCESS",
        "X-SSL-Client-Cert": quote(card.cert_pem.decode("ascii"), safe=""),
    }
    response = plain_request(live_server.url, LOGIN, headers=headers)
    assert_refused(response, "non è attivo a questo indirizzo")
