"""The public pages in Chromium, on a phone-sized screen: the home page's alert and the alert's
page read without sideways scrolling, and the zone is drawn on the map without any tile server
(offline)."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import Page, expect

from sportello.accounts.models import User
from sportello.places.models import CivicNumber
from tests.alerts.test_public import make_alert

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def town(live_server, settings):
    settings.SPORTELLO_MAP_TILES = ""  # no tiles: the map must still show the zone
    call_command("demo", "--citizens", "20", "--seed", "3", stdout=io.StringIO())
    cache.clear()
    return CivicNumber.objects.order_by("pk").first()


@pytest.fixture
def author(town) -> User:
    return User.objects.create_user("protezione_civile", is_staff=True)


def _fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_active_alert_on_a_phone(page: Page, author, town) -> None:
    page.set_default_timeout(10_000)
    page.set_viewport_size(PHONE)
    civic = town
    area = {
        "features": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [civic.longitude, civic.latitude]},
                    "properties": {"radius": 400},
                }
            ],
        }
    }
    alert = make_alert(
        author,
        headline="Allagamenti nel quartiere: restate ai piani alti",
        area=area,
        area_description="1 cerchio di 400 m",
        exercise=True,
    )

    page.goto("/")
    panel = page.locator("#allerte-in-corso")
    expect(panel).to_contain_text("Allagamenti nel quartiere")
    expect(panel).to_contain_text("Gravità alta")
    expect(panel).to_contain_text("ESERCITAZIONE")
    assert panel.bounding_box()["y"] < PHONE["height"]  # on the first screen
    assert _fits_the_screen(page)

    panel.get_by_role("link", name="Allagamenti nel quartiere").first.click()
    expect(page).to_have_url(f"{page.url.split('/allerta')[0]}/allerta/avvisi/{alert.identifier}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Allagamenti nel quartiere")
    map_region = page.get_by_role("region", name="Mappa della zona dell'allerta")
    expect(map_region).to_be_visible()
    expect(map_region.locator("path.leaflet-interactive")).to_have_count(1)
    assert _fits_the_screen(page)
    assert page.failed_requests == []
