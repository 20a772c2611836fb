"""The coverage map of the civil-protection office: every civic number by how an alert would
reach it — a verified subscriber, only public-directory numbers, nobody — with totals per
street and per zone, a CSV of the streets, and a map that groups civic numbers when many are in
view. Counts and addresses only: no subscriber's name or number."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.alerts.console import coverage
from sportello.alerts.models import Contact, Subscription, SubscriptionStatus
from sportello.places.models import CivicNumber, Street

PAGE = "/allerta/operatori/allerte/copertura/"
POINTS = "/allerta/operatori/allerte/copertura/punti.geojson"
CSV = "/allerta/operatori/allerte/copertura/strade.csv"
MOBILE, PENDING_MOBILE, DIRECTORY = "+393401234567", "+393407654321", "+390586123456"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()  # the tables are shared for a minute


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _subscription(civic: CivicNumber, mobile: str, status: str) -> Subscription:
    return Subscription.objects.create(
        status=status,
        first_name="Marta",
        last_name="Ferri",
        mobile=mobile,
        email="marta.ferri@example.it",
        civic_number=civic,
        privacy_accepted_at=timezone.now(),
    )


@pytest.fixture
def street(town) -> dict:
    """A street of the demo town with four civic numbers: one with a verified subscriber (and a
    directory number too), one with a directory number only, one with a subscription still
    waiting for its verification call, one with nobody."""
    target = Street.objects.get(pk=CivicNumber.objects.order_by("pk").first().street_id)
    civics = list(target.civic_numbers.order_by("pk"))
    while len(civics) < 4:
        last = civics[-1]
        civics.append(
            CivicNumber.objects.create(
                street=target,
                number=900 + len(civics),
                latitude=last.latitude + 0.0001 * len(civics),
                longitude=last.longitude,
                zone=last.zone,
            )
        )
    verified, directory, pending, empty = civics[:4]
    _subscription(verified, MOBILE, SubscriptionStatus.ACTIVE)
    Contact.objects.create(
        name="Ferri Marta", number="+390586111000", address_text="x", civic_number=verified
    )
    Contact.objects.create(
        name="Gino Lari", number=DIRECTORY, address_text="x", civic_number=directory
    )
    _subscription(pending, PENDING_MOBILE, SubscriptionStatus.PENDING)
    Contact.objects.create(name="Senza indirizzo", number="+390586999000", address_text="?")
    return {
        "street": target,
        "civics": civics,
        "verified": verified,
        "directory": directory,
        "pending": pending,
        "empty": empty,
    }


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return unescape(response.content.decode())


def _street_row(html: str, street: Street) -> list[str]:
    row = re.search(rf'<tr data-street="{street.pk}">(.*?)</tr>', html, re.S)
    assert row, f"no row for {street.full_name}"
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(1), re.S)
    ]


def test_civic_numbers_are_counted_by_how_they_can_be_reached(operator, street) -> None:
    html = _text(login(operator).get(PAGE + "?ordina=nome&pagina=1"))
    total = CivicNumber.objects.count()
    name = street["street"].full_name
    page_number = 1
    while f'data-street="{street["street"].pk}"' not in html:  # alphabetical pages of 50
        page_number += 1
        html = _text(login(operator).get(PAGE + f"?ordina=nome&pagina={page_number}"))

    cells = _street_row(html, street["street"])
    count = len(street["civics"])

    assert cells[0] == name
    # civic numbers, verified, directory only, none, share without contact
    assert cells[2:6] == [str(count), "1", "1", str(count - 2)]
    assert cells[6].startswith(f"{(count - 2) * 100 // count}%")
    summary = _text(login(operator).get(PAGE))
    assert f"{total - 2} civici" in summary  # nobody: the pending subscription does not count
    assert "1 numero degli elenchi pubblici ha un indirizzo non trovato" in summary


def test_zones_have_their_totals(operator, street) -> None:
    zone = street["verified"].zone
    in_zone = CivicNumber.objects.filter(zone=zone).count()

    tables = coverage.coverage_tables()

    [row] = [row for row in tables["zones"] if row["name"] == zone]
    directory_in_zone = 1 if street["directory"].zone == zone else 0
    assert row["total"] == in_zone
    assert row["verified"] == 1
    assert row["directory"] == directory_in_zone
    assert row["none"] == in_zone - 1 - directory_in_zone
    assert tables["totals"]["verified"] == 1 and tables["totals"]["directory"] == 1


def test_streets_are_sorted_by_the_share_without_contact(operator, street) -> None:
    html = _text(login(operator).get(PAGE))

    streets_part = html[html.index('id="coverage-streets"') :]
    street_shares = [
        int(share) for share in re.findall(r"<td class=\"text-end\">(\d+)%<span", streets_part)
    ]
    assert street_shares == sorted(street_shares, reverse=True)
    assert len(street_shares) == coverage.PAGE_SIZE
    assert "Pagina 1 di" in streets_part


def test_the_map_shows_each_civic_number_with_its_state(operator, street) -> None:
    civics = street["civics"]
    lats = [c.latitude for c in civics]
    lons = [c.longitude for c in civics]
    bbox = f"{min(lons) - 0.0001},{min(lats) - 0.0001},{max(lons) + 0.0001},{max(lats) + 0.0001}"

    response = login(operator).get(POINTS, {"bbox": bbox, "zoom": 18})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = response.json()
    assert data["mode"] == "points"
    states = {
        tuple(feature["geometry"]["coordinates"]): feature["properties"]["state"]
        for feature in data["features"]
    }

    def state(civic: CivicNumber) -> str:
        return states[(round(civic.longitude, 6), round(civic.latitude, 6))]

    assert state(street["verified"]) == "verified"
    assert state(street["directory"]) == "directory"
    assert state(street["pending"]) == "none"
    assert state(street["empty"]) == "none"
    body = response.content.decode()
    for personal in ("Marta", "Ferri", "Gino", MOBILE, DIRECTORY, "example.it"):
        assert personal not in body


def test_many_civic_numbers_in_view_are_grouped(operator, street, monkeypatch) -> None:
    # The demo town has 600 civic numbers; a real city has 150,000. Grouping starts beyond
    # MAX_POINTS in view: lowered here so that the small town shows it.
    monkeypatch.setattr(coverage, "MAX_POINTS", 50)
    total = CivicNumber.objects.count()

    response = login(operator).get(POINTS, {"bbox": "9,42,12,45", "zoom": 11})

    data = response.json()
    assert data["mode"] == "cells" and data["total"] == total
    # One group per occupied cell of 40 screen pixels at zoom 11 (degrees per pixel: 360/256/2^z;
    # a cell is shorter in latitude by the cosine of the town's middle latitude).
    civics = list(CivicNumber.objects.values_list("latitude", "longitude"))
    latitudes = [lat for lat, _lon in civics]
    size_lon = coverage.CELL_PIXELS * 360.0 / (256 * 2**11)
    size_lat = size_lon * math.cos(math.radians((min(latitudes) + max(latitudes)) / 2))
    cells = {
        (math.floor((lat + 90.0) / size_lat), math.floor((lon + 180.0) / size_lon))
        for lat, lon in civics
    }
    assert 1 < len(cells) < total  # the town really spans several cells, each holding several
    assert len(data["features"]) == len(cells)
    assert sum(f["properties"]["count"] for f in data["features"]) == total
    assert sum(f["properties"]["verified"] for f in data["features"]) == 1
    assert sum(f["properties"]["directory"] for f in data["features"]) == 1
    for feature in data["features"]:
        properties = feature["properties"]
        assert properties["count"] == (
            properties["verified"] + properties["directory"] + properties["none"]
        )


def test_a_bad_map_request_is_explained(operator, town) -> None:
    client = login(operator)

    for query in ({}, {"bbox": "a,b,c,d", "zoom": 12}, {"bbox": "10,43,9,44", "zoom": 12}):
        response = client.get(POINTS, query)
        assert response.status_code == 400
        assert "bbox=ovest,sud,est,nord" in response.json()["error"]
    assert client.get(POINTS, {"bbox": "9,42,12,45", "zoom": 99}).status_code == 400


def test_the_csv_of_the_streets(operator, street) -> None:
    response = login(operator).get(CSV)

    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Strada", "Zona", "Numeri civici"]
    assert len(rows) == 1 + Street.objects.filter(civic_numbers__isnull=False).distinct().count()
    [mine] = [row for row in rows if row[0] == street["street"].full_name]
    count = len(street["civics"])
    assert mine[2:6] == [str(count), "1", "1", str(count - 2)]
    for personal in ("Marta", "Gino", MOBILE, DIRECTORY):
        assert personal not in body


def test_only_operators_who_may_see_alerts_open_it(town, viewer) -> None:
    clerk = User.objects.create_user("urp_copertura", is_staff=True)
    clerk.groups.add(Group.objects.get(name=Role.COUNTER_OPERATOR))

    anonymous = Client().get(PAGE)

    assert anonymous.status_code == 302 and "next=" in anonymous["Location"]  # to the login
    assert login(clerk).get(PAGE).status_code == 403
    assert login(clerk).get(POINTS, {"bbox": "9,42,12,45", "zoom": 11}).status_code == 403
    assert login(clerk).get(CSV).status_code == 403
    assert login(viewer).get(PAGE).status_code == 200


def test_the_page_draws_the_map_with_our_leaflet(operator, town) -> None:
    html = _text(login(operator).get(PAGE))
    config = json.loads(
        re.search(
            r'<script id="coverage-config" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )

    assert "leaflet/leaflet.js" in html and "alerts/coverage.js" in html
    assert config["pointsUrl"] == POINTS
    assert config["bounds"]
    assert set(config["texts"]["states"]) == {"verified", "directory", "none"}
