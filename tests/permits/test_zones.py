"""The mobility office writes a zone (coordinates and street ranges) and its fee table."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from sportello.permits.models import PermitType, Zone, ZoneCivicNumber
from sportello.permits.services import zone_streets_parse
from tests.permits.conftest import page_text

pytestmark = pytest.mark.django_db


def test_a_zone_from_a_street_range_and_a_polygon(household, mobility_client):
    street = household.sara.residence.street
    response = mobility_client.post(
        reverse("permits:operator_zone_new"),
        {
            "code": "zsc-nord",
            "name": "Nord",
            "kind": "ZSC",
            "hours_text": "8-20",
            "active": "on",
            "shapes": "43.549, 10.309\n43.549, 10.311\n43.551, 10.311\n43.551, 10.309",
            "streets": f"{street.full_name}, 1-50, tutti",
        },
    )
    assert response.status_code == 302, page_text(response)
    zone = Zone.objects.get(code="zsc-nord")
    assert zone.area["streets"][0] == {"street": street.pk, "from": 1, "to": 50, "parity": "all"}
    assert ZoneCivicNumber.objects.filter(zone=zone, civic_number=household.sara.residence).exists()
    page = page_text(mobility_client.get(reverse("permits:operator_zone", args=[zone.pk])))
    assert f"{street.full_name}, 1-50, tutti" in page


def test_a_street_not_in_the_stradario_is_told(db):
    from sportello.core.exceptions import ApplicationError

    with pytest.raises(ApplicationError, match="non è nello stradario"):
        zone_streets_parse("Via Inesistente, 1-9")


def test_a_bad_shape_is_told_on_the_form(household, mobility_client):
    response = mobility_client.post(
        reverse("permits:operator_zone_new"),
        {"code": "x", "name": "X", "kind": "ZTL", "shapes": "43.5, 10.3\n43.6, 10.3"},
    )
    assert response.status_code == 400
    assert "almeno 3" in page_text(response)
    assert not Zone.objects.exists()


def test_the_office_changes_the_fee_table(resident_type, mobility_client):
    prefix = f"t{resident_type.pk}"
    mobility_client.post(
        reverse("permits:operator_fees", args=[resident_type.pk]),
        {f"{prefix}-fees": "0; 70,50; 160", f"{prefix}-active": "on"},
    )
    assert PermitType.objects.get().fees == ["0.00", "70.50", "160.00"]
    page = page_text(mobility_client.get(reverse("permits:operator_zones")))
    assert "0.00; 70.50; 160.00" in page


def test_the_office_sets_the_cameras_time_windows(household, mobility_client):
    street = household.sara.residence.street
    response = mobility_client.post(
        reverse("permits:operator_zone_new"),
        {
            "code": "zsc-nord",
            "name": "Nord",
            "kind": "ZSC",
            "active": "on",
            "streets": f"{street.full_name}, 1-50, tutti",
            "windows": "1-5 8:00-20:00\n6,7 09.30-24:00",
        },
    )
    assert response.status_code == 302, page_text(response)
    zone = Zone.objects.get(code="zsc-nord")
    assert zone.windows == [
        {"days": [1, 2, 3, 4, 5], "start": "08:00", "end": "20:00"},
        {"days": [6, 7], "start": "09:30", "end": "24:00"},
    ]
    page = page_text(mobility_client.get(reverse("permits:operator_zone", args=[zone.pk])))
    assert "1-5 08:00-20:00\n6-7 09:30-24:00" in page


@pytest.mark.parametrize(
    ("windows", "message"),
    [
        ("0-5 08:00-20:00", "i giorni vanno da 1 (lunedì) a 7 (domenica)"),
        ("1-8 08:00-20:00", "i giorni vanno da 1 (lunedì) a 7 (domenica)"),
        ("lun-ven 08:00-20:00", "non si legge"),
        ("1-5 8-20", "«8» non è un orario"),
        ("1-5 08:00-25:00", "«25:00» non è un orario"),
        ("1-5 08:61-20:00", "«08:61» non è un orario"),
        ("1-5 20:00-08:00", "l'inizio viene prima della fine"),
        ("1-5 24:00-24:00", "l'inizio viene prima della fine"),
    ],
)
def test_a_bad_time_window_is_told_and_nothing_is_saved(
    household, mobility_client, windows, message
):
    street = household.sara.residence.street
    response = mobility_client.post(
        reverse("permits:operator_zone_new"),
        {
            "code": "zsc-nord",
            "name": "Nord",
            "kind": "ZSC",
            "streets": f"{street.full_name}, 1-50, tutti",
            "windows": windows,
        },
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert not Zone.objects.exists()


def test_the_zone_page_draws_on_the_alerts_map(household, mobility_client):
    page = page_text(mobility_client.get(reverse("permits:operator_zone_new")))
    assert 'id="area-map"' in page and 'role="region"' in page
    assert 'aria-label="Mappa della zona"' in page
    assert "alerts/area.js" in page and "leaflet/draw/leaflet.draw.js" in page
    assert '"polygon": "Disegna un poligono"' in page  # Leaflet.draw's own words, in Italian
    assert 'data-zoom-in="Ingrandisci"' in page  # Leaflet's zoom buttons, as on every map
    # The way without a mouse stays: coordinates in a labelled text box.
    assert "Confini senza mappa (coordinate o GeoJSON)" in page


def test_a_zone_drawn_on_the_map_plus_pasted_coordinates(household, mobility_client):
    import json

    home = household.sara.residence
    lat, lon = home.latitude, home.longitude
    drawn = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [lon - 0.001, lat - 0.001],
                            [lon + 0.001, lat - 0.001],
                            [lon + 0.001, lat + 0.001],
                            [lon - 0.001, lat + 0.001],
                            [lon - 0.001, lat - 0.001],
                        ]
                    ],
                },
            }
        ],
    }
    response = mobility_client.post(
        reverse("permits:operator_zone_new"),
        {
            "code": "ztl-disegnata",
            "name": "Disegnata",
            "kind": "ZTL",
            "active": "on",
            "features": json.dumps(drawn),
            "shapes": "43.549, 10.309\n43.549, 10.311\n43.551, 10.311",
        },
    )
    assert response.status_code == 302, page_text(response)
    zone = Zone.objects.get(code="ztl-disegnata")
    assert len(zone.area["features"]["features"]) == 2
    assert ZoneCivicNumber.objects.filter(zone=zone, civic_number=home).exists()
    page = page_text(mobility_client.get(reverse("permits:operator_zone", args=[zone.pk])))
    assert page.count('value="remove_feature:') == 2

    # Without a mouse: «Togli» takes one area away; saving keeps the other.
    data = {
        "code": "ztl-disegnata",
        "name": "Disegnata",
        "kind": "ZTL",
        "active": "on",
        "features": json.dumps(zone.area["features"]),
    }
    removed = mobility_client.post(
        reverse("permits:operator_zone", args=[zone.pk]),
        {**data, "action": "remove_feature:1"},
    )
    assert removed.status_code == 200
    assert page_text(removed).count('value="remove_feature:') == 1
    zone.refresh_from_db()
    assert len(zone.area["features"]["features"]) == 2  # nothing saved yet


def test_the_maps_count_and_dots_answer_the_office_only(household, mobility_client, sara_user):
    from tests.permits.conftest import logged_in

    street = household.sara.residence.street
    count = mobility_client.post(
        reverse("permits:operator_zone_count"),
        data={"features": {}, "streets": [{"street": street.pk, "parity": "all"}]},
        content_type="application/json",
    )
    assert count.status_code == 200 and count.json()["civic_numbers"] >= 1
    home = household.sara.residence
    west, south = home.longitude - 0.01, home.latitude - 0.01
    box = f"{west},{south},{west + 0.02},{south + 0.02}"
    dots = mobility_client.get(reverse("permits:operator_zone_civics"), {"bbox": box})
    assert dots.status_code == 200 and dots.json()["total"] >= 1
    citizen = logged_in(sara_user)
    assert citizen.get(reverse("permits:operator_zone_civics"), {"bbox": box}).status_code in (
        302,
        403,
    )


@pytest.mark.parametrize(
    ("windows", "message"),
    [
        ([{"days": [0], "start": "08:00", "end": "20:00"}], "da 1 (lunedì) a 7"),
        ([{"days": [1], "start": "20:00", "end": "08:00"}], "l'inizio viene prima della fine"),
        (["1-5 08:00-20:00"], "Le fasce orarie si scrivono come"),
    ],
)
def test_the_back_office_checks_the_windows_the_same_way(windows, message):
    from sportello.permits.admin import ZoneForm as BackOfficeZoneForm

    form = BackOfficeZoneForm(
        data={"code": "z", "name": "Z", "kind": "ZTL", "windows": json.dumps(windows), "area": "{}"}
    )
    assert not form.is_valid()
    assert message in " ".join(form.errors["windows"])
