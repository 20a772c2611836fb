"""CAP 1.2 out: every alert that went out is published as a CAP message that validates against
the OASIS schema — city-wide, drawn zones, streets, drills, English texts, cancellations — and
readers can fetch it, follow the Atom feed of current alerts and browse the index of all."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from lxml import etree
from shapely.geometry import Point, Polygon

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.alerts.cap.build import alert_cap_xml
from sportello.alerts.cap.validation import CAP_NAMESPACE, cap_validate
from sportello.alerts.models import Alert, AlertKind, AlertStatus
from sportello.alerts.sending import alert_stop
from sportello.places.areas.selection import area_civic_numbers
from sportello.places.areas.validation import area_clean
from sportello.places.models import CivicNumber, Street

NS = {"cap": CAP_NAMESPACE}
ATOM = {"a": "http://www.w3.org/2005/Atom"}
CAP_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
# A zone over the centre of the demo town (longitude, latitude), and a circle of 500 m.
ZONE = [[10.31, 43.50], [10.35, 43.50], [10.35, 43.53], [10.31, 43.53], [10.31, 43.50]]
CENTRE = (10.33, 43.515)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def operator(town) -> User:
    user = User.objects.create_user("paola", first_name="Paola", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.CIVIL_PROTECTION))
    return user


def zone_area() -> dict[str, Any]:
    return area_clean(
        {
            "features": {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Polygon", "coordinates": [ZONE]},
                        "properties": {},
                    },
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": list(CENTRE)},
                        "properties": {"radius": 500},
                    },
                ],
            }
        }
    )


def sent_alert(operator: User, **fields: Any) -> Alert:
    now = timezone.now()
    values: dict[str, Any] = {
        "event": "Pioggia intensa",
        "headline": "Allerta meteo arancione",
        "description": "Piogge forti da stanotte, possibili allagamenti.",
        "instruction": "Non scendere nei sottopassi.",
        "category": "Met",
        "urgency": "Expected",
        "severity": "Severe",
        "certainty": "Likely",
        "area": {"city": True},
        "area_description": "Tutto il Comune",
        "status": AlertStatus.SENT,
        "sent_at": now - datetime.timedelta(minutes=10),
        "onset": now,
        "expires": now + datetime.timedelta(hours=12),
        "created_by": operator,
    }
    values.update(fields)
    return Alert.objects.create(**values)


def read(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def texts(root: etree._Element, path: str) -> list[str]:
    return [element.text for element in root.findall(path, NS)]


def ring(text: str) -> Polygon:
    pairs = [tuple(float(v) for v in pair.split(",")) for pair in text.split()]
    assert pairs[0] == pairs[-1] and len(pairs) >= 4, "CAP polygons are closed, 4 pairs or more"
    return Polygon([(lon, lat) for lat, lon in pairs])


def test_a_city_wide_alert_is_a_valid_cap_message_with_the_outline_and_istat_code(operator):
    alert = sent_alert(operator)

    xml = alert_cap_xml(alert)

    assert cap_validate(xml) == []
    root = read(xml)
    assert texts(root, "cap:identifier") == [f"urn:uuid:{alert.identifier}"]
    assert texts(root, "cap:sender") == ["protezionecivile@comune.livorno.it"]
    assert CAP_DATE.match(root.findtext("cap:sent", namespaces=NS))
    assert texts(root, "cap:status") == ["Actual"]
    assert texts(root, "cap:msgType") == ["Alert"]
    assert texts(root, "cap:scope") == ["Public"]
    assert texts(root, "cap:info/cap:language") == ["it-IT"]  # no English texts: one block
    info = root.find("cap:info", NS)
    assert texts(info, "cap:category") == ["Met"]
    assert texts(info, "cap:severity") == ["Severe"]
    assert texts(info, "cap:headline") == ["Allerta meteo arancione"]
    assert texts(info, "cap:instruction") == ["Non scendere nei sottopassi."]
    assert CAP_DATE.match(info.findtext("cap:expires", namespaces=NS))
    assert texts(info, "cap:area/cap:geocode/cap:valueName") == ["ISTAT"]
    assert texts(info, "cap:area/cap:geocode/cap:value") == ["049009"]
    (outline,) = texts(info, "cap:area/cap:polygon")
    shape = ring(outline)
    civics = CivicNumber.objects.values_list("longitude", "latitude")
    assert all(shape.contains(Point(lon, lat)) for lon, lat in civics)


def test_zones_become_polygons_and_circles_and_english_texts_a_second_info(operator):
    alert = sent_alert(
        operator,
        area=zone_area(),
        area_description="1 poligono, 1 cerchio di 500 m",
        headline_en="Orange weather warning",
        description_en="Heavy rain from tonight.",
        instruction_en="Keep out of underpasses.",
    )

    xml = alert_cap_xml(alert)

    assert cap_validate(xml) == []
    root = read(xml)
    assert texts(root, "cap:info/cap:language") == ["it-IT", "en-GB"]
    english = root.findall("cap:info", NS)[1]
    assert texts(english, "cap:headline") == ["Orange weather warning"]
    assert texts(english, "cap:instruction") == ["Keep out of underpasses."]
    for info in root.findall("cap:info", NS):
        assert texts(info, "cap:area/cap:polygon") == [
            "43.5,10.31 43.5,10.35 43.53,10.35 43.53,10.31 43.5,10.31"
        ]
        assert texts(info, "cap:area/cap:circle") == ["43.515,10.33 0.5"]
        assert texts(info, "cap:area/cap:geocode") == []  # a part of the comune, not all of it
        assert texts(info, "cap:area/cap:areaDesc") == ["1 poligono, 1 cerchio di 500 m"]


def test_a_polygon_with_a_hole_is_published_whole_and_a_multipolygon_part_by_part(operator):
    hole = [[10.32, 43.51], [10.33, 43.51], [10.33, 43.52], [10.32, 43.52], [10.32, 43.51]]
    east = [[10.38, 43.50], [10.40, 43.50], [10.40, 43.52], [10.38, 43.52], [10.38, 43.50]]
    area = area_clean(
        {
            "features": {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "MultiPolygon", "coordinates": [[ZONE, hole], [east]]},
                        "properties": {},
                    }
                ],
            }
        }
    )
    alert = sent_alert(operator, area=area)

    xml = alert_cap_xml(alert)

    assert cap_validate(xml) == []
    polygons = texts(read(xml), "cap:info/cap:area/cap:polygon")
    assert len(polygons) == 2
    assert ring(polygons[0]).equals(Polygon(ZONE))  # the hole is not in CAP: more people warned


def test_an_alert_to_streets_is_published_as_corridors_around_their_civic_numbers(operator):
    street = Street.objects.filter(civic_numbers__isnull=False).order_by("pk").first()
    area = area_clean({"streets": [{"street": street.pk, "from": None, "to": None}]})
    alert = sent_alert(operator, area=area, area_description=street.full_name)

    xml = alert_cap_xml(alert)

    assert cap_validate(xml) == []
    info = read(xml).find("cap:info", NS)
    assert texts(info, "cap:area/cap:areaDesc") == [street.full_name]
    shapes = [ring(text) for text in texts(info, "cap:area/cap:polygon")]
    assert shapes
    inside = CivicNumber.objects.filter(pk__in=area_civic_numbers(area))
    for civic in inside:
        assert any(shape.contains(Point(civic.longitude, civic.latitude)) for shape in shapes)


def test_a_drill_says_exercise(operator):
    alert = sent_alert(operator, exercise=True)

    xml = alert_cap_xml(alert)

    assert cap_validate(xml) == []
    root = read(xml)
    assert texts(root, "cap:status") == ["Exercise"]
    assert "ESERCITAZIONE" in root.findtext("cap:note", namespaces=NS)


def test_a_stopped_alert_is_published_as_a_cancel_referring_to_the_original(operator):
    alert = sent_alert(operator, status=AlertStatus.SENDING, exercise=True, headline_en="Drill")
    original = read(alert_cap_xml(alert))

    alert_stop(alert=alert, by=operator)
    alert.refresh_from_db()
    xml = alert_cap_xml(alert)

    assert cap_validate(xml) == []
    cancel = read(xml)
    assert texts(cancel, "cap:msgType") == ["Cancel"]
    assert texts(cancel, "cap:status") == ["Exercise"]
    identifier = cancel.findtext("cap:identifier", namespaces=NS)
    assert identifier != original.findtext("cap:identifier", namespaces=NS)
    assert identifier == read(alert_cap_xml(alert)).findtext("cap:identifier", namespaces=NS)
    sender, sent = (original.findtext(f"cap:{name}", namespaces=NS) for name in ("sender", "sent"))
    assert texts(cancel, "cap:references") == [
        f"{sender},{original.findtext('cap:identifier', namespaces=NS)},{sent}"
    ]
    assert texts(cancel, "cap:info/cap:language") == ["it-IT", "en-GB"]


@pytest.mark.skipif(
    not any(field.name == "supersedes" for field in Alert._meta.get_fields()),
    reason="Alert.supersedes (the alert an update replaces) is not in the model yet",
)
def test_an_update_refers_to_the_alert_it_supersedes(operator):  # pragma: no cover - pending
    earlier = sent_alert(operator)
    later = sent_alert(operator, supersedes=earlier)

    root = read(alert_cap_xml(later))

    assert texts(root, "cap:msgType") == ["Update"]
    assert f"urn:uuid:{earlier.identifier}" in root.findtext("cap:references", namespaces=NS)


def test_the_message_links_the_alerts_public_page_when_there_is_one(operator):
    alert = sent_alert(operator)
    try:
        page = reverse("alerts:public_alert", args=[alert.identifier])
    except NoReverseMatch:
        page = None

    web = texts(read(alert_cap_xml(alert)), "cap:info/cap:web")

    assert web == ([f"http://127.0.0.1:8000{page}"] if page else [])


# --- The pages -------------------------------------------------------------------------------


def test_the_cap_message_is_served_with_its_content_type_and_caching_headers(operator):
    alert = sent_alert(operator)
    url = reverse("alerts:cap_alert", args=[alert.identifier])

    response = Client().get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/cap+xml; charset=utf-8"
    assert "max-age=60" in response["Cache-Control"]
    assert cap_validate(response.content) == []
    again = Client().get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_drafts_and_alerts_stopped_before_going_out_have_no_cap_message(operator):
    draft = sent_alert(operator, status=AlertStatus.DRAFT, sent_at=None)
    never_sent = sent_alert(operator, status=AlertStatus.SCHEDULED, sent_at=None)
    alert_stop(alert=never_sent, by=operator)

    for alert in (draft, never_sent):
        response = Client().get(reverse("alerts:cap_alert", args=[alert.identifier]))
        assert response.status_code == 404


def feed_entries(response) -> list[etree._Element]:
    return etree.fromstring(response.content).findall("a:entry", ATOM)


def test_the_atom_feed_lists_the_current_alerts_with_their_cap_messages(operator):
    now = timezone.now()
    current = sent_alert(operator, headline="Vento forte")
    drill = sent_alert(operator, headline="Prova di evacuazione", exercise=True)
    sent_alert(operator, headline="Scaduta", expires=now - datetime.timedelta(minutes=1))
    sent_alert(operator, headline="Bozza", status=AlertStatus.DRAFT, sent_at=None)
    sent_alert(operator, headline="Riconferma", kind=AlertKind.RECONFIRM)

    response = Client().get(reverse("alerts:cap_feed"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert "max-age=60" in response["Cache-Control"]
    entries = feed_entries(response)
    titles = sorted(entry.findtext("a:title", namespaces=ATOM) for entry in entries)
    assert titles == ["Vento forte", "[ESERCITAZIONE] Prova di evacuazione"]
    client = Client()
    for entry, alert in zip(
        sorted(entries, key=lambda e: e.findtext("a:title", namespaces=ATOM)),
        [current, drill],
        strict=True,
    ):
        assert entry.findtext("a:id", namespaces=ATOM) == f"urn:uuid:{alert.identifier}"
        (cap_link,) = entry.findall("a:link[@type='application/cap+xml']", ATOM)
        path = cap_link.get("href").removeprefix("http://127.0.0.1:8000")
        assert cap_validate(client.get(path).content) == []


def test_a_stopped_alert_stays_in_the_feed_as_cancelled_until_it_would_have_expired(operator):
    alert = sent_alert(operator, status=AlertStatus.SENDING, headline="Frana")
    alert_stop(alert=alert, by=operator)

    entries = feed_entries(Client().get(reverse("alerts:cap_feed")))

    assert [entry.findtext("a:title", namespaces=ATOM) for entry in entries] == [
        "[ANNULLATA] Frana"
    ]
    (cap_link,) = entries[0].findall("a:link[@type='application/cap+xml']", ATOM)
    cancel = Client().get(cap_link.get("href").removeprefix("http://127.0.0.1:8000"))
    assert read(cancel.content).findtext("cap:msgType", namespaces=NS) == "Cancel"


def test_the_feed_answers_not_modified_until_an_alert_comes_or_goes(operator):
    alert = sent_alert(operator)
    url = reverse("alerts:cap_feed")
    first = Client().get(url)

    assert Client().get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert Client().get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304

    Alert.objects.filter(pk=alert.pk).update(expires=timezone.now() - datetime.timedelta(seconds=1))
    after_expiry = Client().get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after_expiry.status_code == 200
    assert feed_entries(after_expiry) == []


def test_the_index_lists_every_alert_that_went_out_with_its_cap_link(operator):
    old = sent_alert(
        operator,
        headline="Acqua non potabile",
        expires=timezone.now() - datetime.timedelta(days=2),
    )
    sent_alert(operator, headline="Bozza mai inviata", status=AlertStatus.DRAFT, sent_at=None)

    response = Client().get(reverse("alerts:cap_index"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Acqua non potabile" in page
    assert "Bozza mai inviata" not in page
    assert reverse("alerts:cap_alert", args=[old.identifier]) in page
    assert reverse("alerts:cap_feed") in page


def test_the_index_is_paginated(operator):
    for number in range(51):
        sent_alert(operator, headline=f"Allerta numero {number}")

    first = Client().get(reverse("alerts:cap_index")).content.decode()
    second = Client().get(reverse("alerts:cap_index") + "?pagina=2").content.decode()

    assert "Pagina 1 di 2" in first
    assert first.count("CAP 1.2 (XML)") == 50
    assert second.count("CAP 1.2 (XML)") == 1
