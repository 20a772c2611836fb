"""The public API a municipality's app polls: the active alerts as JSON and GeoJSON and one
alert by its identifier, with caching headers so that polling costs a 304 while nothing
changed. No login; documented in the OpenAPI schema."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from sportello.accounts.models import User
from sportello.alerts.models import AlertStatus
from sportello.places.models import CivicNumber
from tests.alerts.test_public import make_alert

ACTIVE = "/api/v1/allerta/avvisi/attivi/"
GEOJSON = "/api/v1/allerta/avvisi/attivi.geojson"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def author(town) -> User:
    return User.objects.create_user("protezione_civile", is_staff=True)


def test_the_active_alerts_as_json(author) -> None:
    active = make_alert(
        author,
        exercise=True,
        headline_en="Storm surge on the southern coast",
        description_en="Waves up to 4 metres.",
    )
    make_alert(author, headline="Ferma", status=AlertStatus.STOPPED)
    make_alert(author, headline="Bozza", status=AlertStatus.DRAFT, sent_hours_ago=None)

    response = Client().get(ACTIVE)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    [item] = response.json()
    assert item["identifier"] == str(active.identifier)
    assert item["state"] == "active" and item["exercise"] is True
    assert item["severity"] == "Severe" and item["urgency"] == "Expected"
    assert item["headline"] == "Mareggiata sulla costa sud"
    assert item["headline_en"] == "Storm surge on the southern coast"
    assert item["instruction"] == "Stai lontano dal lungomare e dagli scogli."
    assert item["area_description"] == "Tutto il Comune"
    assert item["url"] == f"http://testserver/allerta/avvisi/{active.identifier}/"
    assert item["sent"] and item["expires"] and item["ends"] == item["expires"]
    assert "created_by" not in item


def test_the_answer_is_cacheable_and_a_poll_without_changes_gets_304(author) -> None:
    make_alert(author)
    client = Client()

    first = client.get(ACTIVE)
    again = client.get(ACTIVE, headers={"If-None-Match": first["ETag"]})
    since = client.get(ACTIVE, headers={"If-Modified-Since": first["Last-Modified"]})

    assert "public" in first["Cache-Control"] and "max-age=60" in first["Cache-Control"]
    assert first["ETag"].startswith('"') and first["Last-Modified"]
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"] and "max-age=60" in again["Cache-Control"]
    assert since.status_code == 304


def test_a_new_alert_changes_the_etag_and_the_poll_gets_it(author) -> None:
    make_alert(author)
    client = Client()
    first = client.get(ACTIVE)
    make_alert(author, headline="Seconda allerta", severity="Extreme")
    cache.clear()  # the list is shared for up to 30 s: here that time has passed

    poll = client.get(ACTIVE, headers={"If-None-Match": first["ETag"]})

    assert poll.status_code == 200
    assert poll["ETag"] != first["ETag"]
    assert [a["headline"] for a in poll.json()] == [
        "Seconda allerta",
        "Mareggiata sulla costa sud",
    ]


def test_an_alert_that_ends_moves_last_modified_forward(author) -> None:
    alert = make_alert(author)
    first = Client().get(ACTIVE)
    alert.expires = timezone.now()
    alert.save()
    cache.clear()

    later = Client().get(ACTIVE, headers={"If-Modified-Since": first["Last-Modified"]})

    assert later.status_code == 200 and later.json() == []


def test_the_same_bytes_whatever_the_client_accepts_or_speaks(author) -> None:
    make_alert(author)

    plain = Client().get(ACTIVE)
    browser = Client().get(ACTIVE, headers={"Accept": "text/html", "Accept-Language": "en"})

    assert browser.status_code == 200
    assert browser.content == plain.content and browser["ETag"] == plain["ETag"]


def test_the_active_alerts_as_geojson(author, town) -> None:
    civic = CivicNumber.objects.order_by("pk").first()
    circle = {
        "features": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [civic.longitude, civic.latitude],
                    },
                    "properties": {"radius": 500},
                }
            ],
        }
    }
    alert = make_alert(author, area=circle, area_description="1 cerchio di 500 m")
    client = Client()

    response = client.get(GEOJSON)
    again = client.get(GEOJSON, headers={"If-None-Match": response["ETag"]})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "Polygon"  # GeoJSON has no circles
    ring = feature["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) > 16
    lons = [point[0] for point in ring]
    lats = [point[1] for point in ring]
    assert min(lons) < civic.longitude < max(lons) and min(lats) < civic.latitude < max(lats)
    assert feature["properties"]["identifier"] == str(alert.identifier)
    assert feature["properties"]["severity"] == "Severe"
    assert again.status_code == 304


def test_one_alert_by_its_identifier_with_its_area(author, town) -> None:
    alert = make_alert(author, status=AlertStatus.STOPPED, stopped_at=timezone.now())
    draft = make_alert(author, status=AlertStatus.DRAFT, sent_hours_ago=None)

    response = Client().get(f"/api/v1/allerta/avvisi/{alert.identifier}/")

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "stopped"
    assert body["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert "max-age=60" in response["Cache-Control"] and response["ETag"]
    assert Client().get(f"/api/v1/allerta/avvisi/{draft.identifier}/").status_code == 404
    assert Client().get(f"/api/v1/allerta/avvisi/{uuid.uuid4()}/").status_code == 404


def test_no_login_and_no_cookie_needed(author) -> None:
    make_alert(author)

    response = Client().get(ACTIVE)

    assert response.status_code == 200
    assert not response.cookies  # nothing to keep between polls
    assert "Accept" not in [v.strip() for v in response.get("Vary", "").split(",")]


def test_the_public_api_is_in_the_openapi_schema(db) -> None:
    paths = Client().get("/api/schema/?format=json").json()["paths"]

    assert "get" in paths["/api/v1/allerta/avvisi/attivi/"]
    assert "get" in paths["/api/v1/allerta/avvisi/attivi.geojson"]
    assert "get" in paths["/api/v1/allerta/avvisi/{identifier}/"]
    geojson = paths["/api/v1/allerta/avvisi/attivi.geojson"]["get"]["responses"]["200"]
    assert "application/geo+json" in geojson["content"]
