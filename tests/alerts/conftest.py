"""A demo town (streets, civic numbers, the municipality's lines) for the alert tests."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from sportello.alerts.demo import demo_alert_people_delete
from sportello.channels.models import Delivery
from sportello.places.models import CivicNumber
from tests.alerts.helpers import MOBILE, answer_call, form, spoken_code


@pytest.fixture
def town(db) -> CivicNumber:
    call_command("demo", "--citizens", "20", "--seed", "3", stdout=io.StringIO())
    demo_alert_people_delete()  # each test brings its own subscribers
    # ...and starts with no message queued: the demo's canteen and permits confirm by e-mail.
    Delivery.objects.all().delete()
    return CivicNumber.objects.select_related("street").order_by("pk").first()


@pytest.fixture(autouse=True)
def demo_simulator(settings) -> None:
    """As in the demo: the phone simulator is open to whoever tries the system."""
    settings.SPORTELLO_PHONE_SIMULATOR_PUBLIC = True


@pytest.fixture
def subscribed(town, django_capture_on_commit_callbacks) -> Client:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/allerta/iscrizione/", form(town))
    assert response.status_code == 302 and response["Location"] == "/allerta/iscrizione/verifica/"
    call = Delivery.objects.get(to=MOBILE, purpose="verification")
    code = spoken_code(answer_call(client, call))
    response = client.post("/allerta/iscrizione/verifica/", {"code": code})
    assert response["Location"] == "/allerta/iscrizione/completata/"
    return client
