"""The coverage map in Chromium, without tiles: the civic numbers are drawn, grouped in small pies
when seen from afar and one by one when close, and the page says which it shows."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Page, expect

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.alerts.console import coverage
from sportello.places.models import CivicNumber

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def town(live_server, settings):
    settings.SPORTELLO_MAP_TILES = ""
    call_command("demo", "--citizens", "20", "--seed", "3", stdout=io.StringIO())
    cache.clear()
    return CivicNumber.objects.order_by("pk").first()


@pytest.fixture
def operator(town) -> User:
    user = User.objects.create_user("protezione", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.CIVIL_PROTECTION))
    return user


def test_the_coverage_map_groups_far_and_shows_each_civic_number_close(
    page: Page, live_server, operator, monkeypatch
) -> None:
    monkeypatch.setattr(coverage, "MAX_POINTS", 100)  # the demo town is small: group beyond 100
    page.set_default_timeout(10_000)
    client = Client()
    client.force_login(operator)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    page.goto("/allerta/operatori/allerte/copertura/")
    status = page.locator("#coverage-map-status")
    expect(status).to_contain_text("ogni cerchio ne raggruppa alcuni")
    assert page.locator(".sportello-coverage-cell").count() > 1

    town = CivicNumber.objects.order_by("pk").first()
    page.evaluate(
        "([lat, lon]) => document.getElementById('coverage-map')"
        ".leafletMap.setView([lat, lon], 18)",
        [town.latitude, town.longitude],
    )
    expect(status).to_contain_text("Ogni punto è un numero civico.")
    assert page.failed_requests == []
