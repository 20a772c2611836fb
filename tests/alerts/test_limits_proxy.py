"""Limits count people, not the proxy: through a real nginx configured as deploy/nginx says,
clients on different addresses have their own quotas, and a forged X-Forwarded-For buys none."""

from __future__ import annotations

import re

import pytest

from sportello.accounts.models import User
from sportello.alerts.services.verification import CALLS_PER_ADDRESS_PER_DAY
from sportello.channels.models import Delivery
from tests.core.nginx_proxy import proxy_nginx_fixture  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

SUBSCRIBE = "/api/v1/allerta/iscrizioni/nuova/"
TOO_MANY = "Troppe chiamate di verifica richieste da questa connessione"
PASSWORD = "Banco-URP-lungo-2026"  # noqa: S105


@pytest.fixture(autouse=True)
def nginx_is_the_trusted_proxy(settings) -> None:
    # The live server runs in this process; nginx connects to it from 127.0.0.1.
    settings.SPORTELLO_TRUSTED_PROXIES = ["127.0.0.1"]


def subscription(town, n: int) -> dict:
    return {
        "first_name": "Maria",
        "last_name": f"Bianchi {n}",
        "mobile": f"333 100 {n:04d}",
        "email": f"maria{n}@example.it",
        "address": f"{town.street.name} {town.number}",
        "privacy": True,
    }


def test_each_client_behind_nginx_has_its_own_verification_quota(proxy_nginx, town) -> None:
    for n in range(CALLS_PER_ADDRESS_PER_DAY):
        answer = proxy_nginx.post_json(SUBSCRIBE, subscription(town, n), source="127.0.0.2")
        assert answer.status == 202, answer.body
    refused = proxy_nginx.post_json(SUBSCRIBE, subscription(town, 50), source="127.0.0.2")
    # A forged header does not make the same client someone else.
    forged = proxy_nginx.post_json(
        SUBSCRIBE,
        subscription(town, 51),
        source="127.0.0.2",
        headers={"X-Forwarded-For": "198.51.100.23"},
    )

    neighbour = proxy_nginx.post_json(SUBSCRIBE, subscription(town, 60), source="127.0.0.3")

    assert TOO_MANY in refused.body and TOO_MANY in forged.body
    assert neighbour.status == 202, neighbour.body
    calls = Delivery.objects.filter(purpose="verification")
    assert calls.count() == CALLS_PER_ADDRESS_PER_DAY + 1


def _log_in(proxy_nginx, *, source: str, password: str):
    form = proxy_nginx.request("GET", "/accedi/", source=source)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.body).group(1)
    cookie = form.cookies()["csrftoken"]
    body = f"csrfmiddlewaretoken={token}&username=pc-operatore&password={password}"
    return proxy_nginx.request(
        "POST",
        "/accedi/",
        source=source,
        body=body.encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            "Referer": f"http://127.0.0.1:{proxy_nginx.port}/accedi/",
        },
    )


def test_wrong_passwords_from_one_client_do_not_lock_the_operator_out_elsewhere(
    proxy_nginx, town
) -> None:
    User.objects.create_user("pc-operatore", password=PASSWORD, is_staff=True)
    answers = [_log_in(proxy_nginx, source="127.0.0.4", password="sbagliata") for _ in range(5)]
    assert answers[-1].status == 429

    from_the_office = _log_in(proxy_nginx, source="127.0.0.5", password=PASSWORD)

    assert from_the_office.status == 302, from_the_office.body[:300]
