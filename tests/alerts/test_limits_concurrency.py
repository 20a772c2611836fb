"""The verification-call limits hold when twenty requests arrive at once: on PostgreSQL, each in
its own connection, as twenty gunicorn threads would send them (runs in the PostgreSQL pass)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections
from django.test import Client

from sportello.alerts.services.verification import (
    CALLS_PER_ADDRESS_PER_DAY,
    CALLS_PER_NUMBER_PER_HOUR,
)
from sportello.channels.models import Delivery

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SUBSCRIBE = "/api/v1/allerta/iscrizioni/nuova/"
PARALLEL = 20


@pytest.fixture(autouse=True)
def on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("twenty connections at once: PostgreSQL pass")


def at_once(request: Callable[[int], int]) -> list[int]:
    """Run `request(i)` for i in 0..19 in twenty threads released together."""
    barrier = threading.Barrier(PARALLEL)
    statuses: list[int] = [0] * PARALLEL

    def run(i: int) -> None:
        try:
            barrier.wait()
            statuses[i] = request(i)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def subscription(town, *, mobile: str, n: int) -> dict:
    return {
        "first_name": "Maria",
        "last_name": f"Bianchi {n}",
        "mobile": mobile,
        "email": f"maria{n}@example.it",
        "address": f"{town.street.name} {town.number}",
        "privacy": True,
    }


def test_twenty_starts_for_one_number_place_three_calls(town) -> None:
    def start(i: int) -> int:
        client = Client(REMOTE_ADDR=f"198.51.100.{i + 1}")
        data = subscription(town, mobile="333 123 4567", n=i)
        return client.post(SUBSCRIBE, data, content_type="application/json").status_code

    statuses = at_once(start)

    assert statuses.count(202) == CALLS_PER_NUMBER_PER_HOUR
    assert Delivery.objects.filter(purpose="verification").count() == CALLS_PER_NUMBER_PER_HOUR


def test_twenty_numbers_from_one_address_place_ten_calls(town) -> None:
    def start(i: int) -> int:
        client = Client(REMOTE_ADDR="198.51.100.7")
        data = subscription(town, mobile=f"333 200 {i:04d}", n=i)
        return client.post(SUBSCRIBE, data, content_type="application/json").status_code

    statuses = at_once(start)

    assert statuses.count(202) == CALLS_PER_ADDRESS_PER_DAY
    assert Delivery.objects.filter(purpose="verification").count() == CALLS_PER_ADDRESS_PER_DAY
