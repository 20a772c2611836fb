"""The monitor followed live in Chromium: the figures change on the page as the deliveries move,
the map is drawn, and when the sending ends the page says so (also to screen readers) and stops
asking."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.alerts.models import Alert, AlertStatus
from sportello.channels.base import DeliveryStatus as S
from sportello.channels.models import Delivery, Dispatch, DispatchStatus
from tests.alerts.console.test_monitor import CARLO_LANDLINE, _alert, _in_flight, people

pytestmark = pytest.mark.django_db(transaction=True)
__all__ = ["people"]  # a fixture used here, defined elsewhere


@pytest.fixture
def town(live_server, settings):
    call_command("demo", "--citizens", "20", "--seed", "3", stdout=io.StringIO())
    from sportello.places.models import CivicNumber

    return CivicNumber.objects.order_by("pk").first()


@pytest.fixture
def operator(town) -> User:
    user = User.objects.create_user("protezione", first_name="Paola", last_name="Neri")
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=Role.CIVIL_PROTECTION))
    return user


def _logged_in(page: Page, user: User, url: str) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}]
    )


def test_the_monitor_follows_the_sending_live_and_stops_at_the_end(
    page: Page, live_server, operator, people
) -> None:
    page.set_default_timeout(10_000)
    alert = _in_flight(_alert(operator, exercise=True), people)
    _logged_in(page, operator, live_server.url)

    page.goto(f"/allerta/operatori/allerte/{alert.pk}/andamento/")
    expect(page.get_by_text("si aggiorna da sola ogni 2 secondi")).to_be_visible()
    completed = page.locator('[data-text="voice.completed"]')
    expect(completed).to_have_text("0")
    expect(page.locator("#monitor-map")).to_be_visible()
    expect(page.locator('[data-addresses="unreached"]')).to_have_text("1")

    # Carlo's second call is answered and ends: the page shows it without a reload.
    Delivery.objects.filter(to=CARLO_LANDLINE, attempt=2).update(status=S.COMPLETED)
    expect(completed).to_have_text("1")
    expect(page.locator('[data-text="voice.queued"]')).to_have_text("0")

    # Everything is over.
    Delivery.objects.filter(dispatch=alert.dispatch, status=S.RINGING).update(status=S.NO_ANSWER)
    Dispatch.objects.filter(pk=alert.dispatch_id).update(status=DispatchStatus.DONE)
    Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.SENT)
    expect(page.locator('[data-text="state_text"]')).to_contain_text("Invio concluso")
    expect(page.locator("#monitor-announcer")).to_contain_text("Invio concluso")
    expect(page.get_by_text("si aggiorna da sola ogni 2 secondi")).to_be_hidden()
    # The map's legend too: Bruno did not answer and his SMS failed; Carlo heard the call.
    expect(page.locator('[data-addresses="unreached"]')).to_have_text("2")
    expect(page.locator('[data-addresses="progress"]')).to_have_text("0")
    assert page.failed_requests == []  # type: ignore[attr-defined]


def test_a_scheduled_alert_shows_its_figures_as_soon_as_it_starts(
    page: Page, live_server, operator, people
) -> None:
    page.set_default_timeout(10_000)
    alert = _alert(
        operator,
        status=AlertStatus.SCHEDULED,
        scheduled_for=timezone.now() + timedelta(minutes=30),
    )
    _logged_in(page, operator, live_server.url)

    page.goto(f"/allerta/operatori/allerte/{alert.pk}/andamento/")
    expect(page.get_by_text("L'invio è programmato per il")).to_be_visible()
    expect(page.get_by_role("heading", name="Chiamate vocali")).to_be_hidden()

    _in_flight(alert, people)  # its time came: the rows are written and the sending starts
    expect(page.get_by_role("heading", name="Chiamate vocali")).to_be_visible()
    expect(page.locator('[data-text="voice.confirmed"]')).to_have_text("1")
    expect(page.locator("#monitor-map")).to_be_visible()
    expect(page.locator('[data-addresses="unreached"]')).to_have_text("1", timeout=30_000)
