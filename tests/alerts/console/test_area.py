"""The area page of the alert console (map, pasted coordinates, GeoJSON file, streets), its live
count, and the preview of who the alert reaches, as an operator uses them."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from sportello.accounts.models import User
from sportello.alerts.models import (
    Alert,
    AlertStatus,
    Contact,
    Subscription,
    SubscriptionStatus,
)
from sportello.places.models import CivicNumber


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alert(operator) -> Alert:
    return Alert.objects.create(
        event="Allerta meteo",
        headline="Allerta arancione per temporali",
        description="Temporali forti dalla notte.",
        created_by=operator,
        exercise=True,
    )


@pytest.fixture
def centre(town) -> CivicNumber:
    """A civic number with many neighbours."""
    civics = list(CivicNumber.objects.select_related("street"))
    return max(
        civics,
        key=lambda c: sum(
            abs(o.longitude - c.longitude) < 0.003 and abs(o.latitude - c.latitude) < 0.002
            for o in civics
        ),
    )


def square(civic: CivicNumber, size: float = 0.002) -> dict:
    w, s = civic.longitude - size, civic.latitude - size
    e, n = civic.longitude + size, civic.latitude + size
    ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
    return {"type": "Polygon", "coordinates": [ring]}


def drawn(*geometries: dict) -> str:
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": g, "properties": {}} for g in geometries],
        }
    )


def bow_tie(civic: CivicNumber, size: float = 0.002) -> dict:
    w, s = civic.longitude - size, civic.latitude - size
    e, n = civic.longitude + size, civic.latitude + size
    return {"type": "Polygon", "coordinates": [[[w, s], [e, n], [e, s], [w, n], [w, s]]]}


def inside(civic: CivicNumber, size: float = 0.002) -> set[int]:
    return {
        c.pk
        for c in CivicNumber.objects.all()
        if abs(c.longitude - civic.longitude) <= size and abs(c.latitude - civic.latitude) <= size
    }


def subscriber(civic: CivicNumber, mobile: str, **fields) -> Subscription:
    values = {
        "status": SubscriptionStatus.ACTIVE,
        "first_name": "Lucia",
        "last_name": "Neri",
        "mobile": mobile,
        "email": f"{mobile[-4:]}@example.it",
        "civic_number": civic,
        "privacy_accepted_at": timezone.now(),
        "verified_at": timezone.now(),
    }
    values.update(fields)
    return Subscription.objects.create(**values)


def url(alert: Alert, page: str = "area/") -> str:
    return f"/allerta/operatori/allerte/{alert.pk}/{page}"


# --- who may open the pages -----------------------------------------------------------------


def test_the_area_page_asks_to_log_in_and_needs_the_send_permission(alert, viewer) -> None:
    outsider = User.objects.create_user("ufficio", is_staff=True)

    assert Client().get(url(alert)).status_code == 302
    assert login(outsider).get(url(alert)).status_code == 403
    assert login(viewer).get(url(alert)).status_code == 403
    assert login(viewer).get(url(alert, "anteprima/")).status_code == 200
    assert login(outsider).get(url(alert, "anteprima/punti.geojson")).status_code == 403


def test_the_area_page_shows_the_map_the_alternatives_and_the_exercise(alert, operator) -> None:
    page = login(operator).get(url(alert)).content.decode()

    assert 'id="area-map"' in page
    assert "ESERCITAZIONE" in page
    assert "Coordinate o GeoJSON" in page and "File GeoJSON" in page
    assert "Tutto il Comune" in page and "Aggiungi la strada" in page
    assert "leaflet/draw/leaflet.draw.js" in page and "alerts/area.js" in page


# --- saving ---------------------------------------------------------------------------------


def test_saving_a_drawn_polygon_stores_the_area_and_its_description(
    alert, operator, centre
) -> None:
    response = login(operator).post(
        url(alert), {"features": drawn(square(centre)), "action": "save"}
    )

    assert response.status_code == 302
    assert response["Location"] == url(alert, "anteprima/")
    alert.refresh_from_db()
    [feature] = alert.area["features"]["features"]
    assert feature["geometry"]["type"] == "Polygon"
    assert alert.area_description == "1 poligono"


def test_a_bow_tie_is_not_saved_and_the_page_says_why_keeping_the_drawing(
    alert, operator, centre
) -> None:
    response = login(operator).post(
        url(alert), {"features": drawn(bow_tie(centre)), "action": "save"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "il bordo si incrocia" in page
    assert "non è stata salvata" in page
    alert.refresh_from_db()
    assert alert.area == {} and alert.area_description == ""
    hidden = page.split('name="features" value="')[1].split('"')[0]
    assert str(round(centre.longitude - 0.002, 4))[:6] in hidden


def test_an_uploaded_line_is_refused_and_nothing_changes(alert, operator, centre) -> None:
    line = {"type": "LineString", "coordinates": [[10.31, 43.55], [10.32, 43.56]]}
    upload = SimpleUploadedFile("percorso.geojson", json.dumps(line).encode())

    response = login(operator).post(
        url(alert), {"features": "", "upload": upload, "action": "save"}
    )

    assert "una linea (LineString)" in response.content.decode()
    alert.refresh_from_db()
    assert alert.area == {}


def test_an_uploaded_polygon_is_added_and_saved(alert, operator, centre) -> None:
    upload = SimpleUploadedFile(
        "zona.geojson",
        json.dumps(
            {"type": "Feature", "geometry": square(centre), "properties": {"nome": "x"}}
        ).encode(),
    )

    login(operator).post(url(alert), {"upload": upload, "action": "save"})

    alert.refresh_from_db()
    assert alert.area_description == "1 poligono"


def test_pasted_coordinates_without_the_map_are_saved_as_a_polygon(alert, operator, centre) -> None:
    lines = [
        (centre.latitude - 0.002, centre.longitude - 0.002),
        (centre.latitude - 0.002, centre.longitude + 0.002),
        (centre.latitude + 0.002, centre.longitude + 0.002),
        (centre.latitude + 0.002, centre.longitude - 0.002),
    ]
    pasted = "\n".join(f"{lat}, {lon}" for lat, lon in lines)

    login(operator).post(url(alert), {"pasted": pasted, "action": "save"})

    alert.refresh_from_db()
    from sportello.places.areas.selection import area_civic_numbers

    assert set(area_civic_numbers(alert.area)) == inside(centre)


def test_a_street_is_found_by_name_added_and_saved_with_its_range(alert, operator, centre) -> None:
    client = login(operator)
    street = centre.street

    page = client.post(
        url(alert),
        {
            "street": street.full_name,
            "number_from": "2",
            "number_to": "30",
            "parity": "even",
            "action": "apply",
        },
    ).content.decode()
    streets = page.split('name="streets" value="')[1].split('"')[0].replace("&quot;", '"')
    response = client.post(url(alert), {"streets": streets, "action": "save"})

    assert f"{street.full_name}, numeri pari dal 2 al 30" in page
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.area == {"streets": [{"street": street.pk, "from": 2, "to": 30, "parity": "even"}]}
    assert alert.area_description == f"{street.full_name}, numeri pari dal 2 al 30"


def test_an_unknown_street_is_named_in_the_message(alert, operator) -> None:
    page = (
        login(operator).post(url(alert), {"street": "Via Inesistente del Nulla"}).content.decode()
    )

    assert "Nessuna strada dello stradario si chiama «Via Inesistente del Nulla»" in page


def test_a_shape_is_removed_with_its_button(alert, operator, centre) -> None:
    other = square(centre, size=0.001)
    page = (
        login(operator)
        .post(
            url(alert),
            {"features": drawn(square(centre), other), "action": "remove_feature:0"},
        )
        .content.decode()
    )

    hidden = json.loads(
        page.split('name="features" value="')[1].split('"')[0].replace("&quot;", '"')
    )
    assert [f["geometry"]["coordinates"] for f in hidden["features"]] == [other["coordinates"]]
    alert.refresh_from_db()
    assert alert.area == {}  # removing is not saving


def test_the_whole_municipality(alert, operator) -> None:
    login(operator).post(url(alert), {"city": "on", "action": "save"})

    alert.refresh_from_db()
    assert alert.area == {"city": True}
    assert alert.area_description == "Tutto il Comune"


def test_the_area_of_an_alert_already_sent_cannot_change(alert, operator, centre) -> None:
    Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.SENDING, area={"city": True})

    response = login(operator).post(
        url(alert), {"features": drawn(square(centre)), "action": "save"}
    )

    assert response.status_code == 409
    assert "non è più in bozza" in response.content.decode()
    alert.refresh_from_db()
    assert alert.area == {"city": True}


# --- while drawing --------------------------------------------------------------------------


def test_the_live_count_gives_the_civic_numbers_and_recipients_inside_or_the_problem(
    alert, operator, centre
) -> None:
    subscriber(centre, "+393331110001")
    subscriber(centre, "+393331110002", status=SubscriptionStatus.PENDING)  # not verified yet
    client = login(operator)
    count_url = url(alert, "area/conteggio.json")

    good = client.post(
        count_url, {"features": json.loads(drawn(square(centre)))}, content_type="application/json"
    )
    bad = client.post(
        count_url, {"features": json.loads(drawn(bow_tie(centre)))}, content_type="application/json"
    )

    assert good.json() == {
        "civic_numbers": len(inside(centre)),
        "recipients": 1,
        "summary": "1 poligono",
    }
    assert bad.status_code == 400
    assert "il bordo si incrocia" in bad.json()["errors"][0]


def test_the_map_gets_the_civic_numbers_in_view_as_dots(alert, operator, centre) -> None:
    size = 0.002
    bbox = ",".join(
        str(v)
        for v in (
            centre.longitude - size,
            centre.latitude - size,
            centre.longitude + size,
            centre.latitude + size,
        )
    )

    data = login(operator).get("/allerta/operatori/allerte/area/civici.json", {"bbox": bbox}).json()

    assert data["total"] == len(inside(centre)) == data["shown"]
    assert [centre.longitude, centre.latitude, str(centre)] in data["points"]


# --- the preview ----------------------------------------------------------------------------


def test_the_preview_counts_recipients_inside_and_maps_their_addresses_without_names(
    alert, operator, centre
) -> None:
    Subscription.objects.all().delete()  # only the people of this test
    Contact.objects.all().delete()
    far = CivicNumber.objects.exclude(pk__in=inside(centre)).order_by("pk").first()
    subscriber(centre, "+393471000001")
    subscriber(centre, "+393471000002", landline="+390586000002")
    subscriber(far, "+393471000003")
    subscriber(centre, "+393471000004", status=SubscriptionStatus.PENDING)
    Contact.objects.create(
        name="Rossi Mario", number="+390586123456", address_text="x", civic_number=centre
    )
    client = login(operator)
    client.post(url(alert), {"features": drawn(square(centre)), "action": "save"})

    page = client.get(url(alert, "anteprima/")).content.decode()
    points = client.get(url(alert, "anteprima/punti.geojson"))

    assert "raggiunge 3 persone e contatti." in page
    assert "ESERCITAZIONE" in page
    assert "1 indirizzo con almeno un destinatario." in page
    data = points.json()
    assert data["addresses"] == 1 and data["capped"] is False
    [point] = data["features"]
    assert point["geometry"]["coordinates"] == [centre.longitude, centre.latitude]
    assert point["properties"] == {"recipients": 3}
    body = points.content.decode()
    assert "3471000001" not in body and "Rossi" not in body and "Lucia" not in body


def test_a_campaign_preview_counts_only_the_directory_numbers_it_calls(
    alert, operator, centre
) -> None:
    from sportello.alerts.models import AlertKind

    Subscription.objects.all().delete()
    Contact.objects.all().delete()
    other = CivicNumber.objects.filter(pk__in=inside(centre)).exclude(pk=centre.pk).first()
    subscriber(centre, "+393471000001")
    subscriber(other, "+393471000002")  # subscribers are not called by a campaign
    Contact.objects.create(
        name="Rossi Mario", number="+390586123456", address_text="x", civic_number=centre
    )
    Alert.objects.filter(pk=alert.pk).update(kind=AlertKind.RECONFIRM)
    client = login(operator)
    client.post(url(alert), {"features": drawn(square(centre)), "action": "save"})

    page = client.get(url(alert, "anteprima/")).content.decode()
    points = client.get(url(alert, "anteprima/punti.geojson")).json()

    assert "1 indirizzo con almeno un destinatario." in page
    assert [feature["properties"] for feature in points["features"]] == [{"recipients": 1}]


def test_the_preview_without_an_area_says_to_choose_one(alert, viewer) -> None:
    page = login(viewer).get(url(alert, "anteprima/")).content.decode()

    assert "non è ancora stata scelta" in page
