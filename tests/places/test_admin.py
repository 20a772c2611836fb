"""Back-office screens of the stradario."""

from __future__ import annotations

import pytest

from sportello.places.models import Street

pytestmark = pytest.mark.django_db


def test_an_operator_finds_civic_numbers_by_street_name(admin_client, stradario):
    response = admin_client.get("/backoffice/places/civicnumber/", {"q": "Garibaldi"})

    assert response.status_code == 200
    assert "Via Giuseppe Garibaldi 12/A" in response.content.decode()
    assert "Viale Italia" not in response.content.decode()


def test_civic_numbers_can_be_filtered_by_zone(admin_client, stradario):
    response = admin_client.get("/backoffice/places/civicnumber/", {"zone": "Area Nord"})

    assert response.status_code == 200
    assert "Piazza Giuseppe Saragat 1" in response.content.decode()
    assert "Via Niccolò Machiavelli 21" not in response.content.decode()


def test_a_street_saved_in_the_back_office_gets_its_search_key(admin_client, livorno):
    response = admin_client.post(
        "/backoffice/places/street/add/",
        {"street_type": "P.zza", "name": "della Repubblica", "code": "", "postal_code": ""},
    )

    assert response.status_code == 302
    assert Street.objects.get().search_name == "piazza repubblica"


def test_a_bad_postal_code_is_refused_in_the_back_office(admin_client, livorno):
    response = admin_client.post(
        "/backoffice/places/street/add/",
        {"street_type": "Via", "name": "Roma", "code": "", "postal_code": "57A"},
    )

    assert response.status_code == 200
    assert "CAP «57A» non valido" in response.content.decode()
    assert not Street.objects.exists()


def test_the_street_list_speaks_italian(admin_client, stradario):
    response = admin_client.get("/backoffice/places/street/", {"q": "garibaldi"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Via Giuseppe Garibaldi" in content
    assert "Numeri civici" in content
    assert "Full name" not in content
