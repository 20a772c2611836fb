"""The JSON autocomplete endpoint that address fields use."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_endpoint_is_under_stradario():
    assert reverse("places:address-search") == "/stradario/cerca/"


def test_autocomplete_returns_civic_numbers_with_their_position(client, stradario):
    response = client.get("/stradario/cerca/", {"q": "via g. garibaldi 12"})

    assert response.status_code == 200
    first = response.json()[0]
    civic = stradario.garibaldi_12
    assert first == {
        "id": civic.pk,
        "kind": "civic_number",
        "street_id": civic.street_id,
        "label": "Via Giuseppe Garibaldi 12",
        "street": "Via Giuseppe Garibaldi",
        "number": "12",
        "latitude": civic.latitude,
        "longitude": civic.longitude,
    }


def test_autocomplete_honours_the_limit(client, stradario):
    response = client.get("/stradario/cerca/", {"q": "via garibaldi 1", "limit": "2"})

    assert len(response.json()) == 2


def test_autocomplete_returns_an_empty_list_when_nothing_matches(client, stradario):
    response = client.get("/stradario/cerca/", {"q": "via inesistente"})

    assert (response.status_code, response.json()) == (200, [])


@pytest.mark.parametrize("params", [{"q": "v"}, {"q": "  a  "}, {}])
def test_a_query_shorter_than_two_characters_is_refused_in_italian(client, params):
    response = client.get("/stradario/cerca/", params)

    assert response.status_code == 400
    assert response.json() == {"error": "Scrivi almeno 2 caratteri dell'indirizzo."}


def test_a_bad_limit_is_refused(client):
    response = client.get("/stradario/cerca/", {"q": "via roma", "limit": "500"})

    assert response.status_code == 400
    assert "al massimo 50 risultati" in response.json()["error"]


def test_only_get_is_allowed(client):
    assert client.post("/stradario/cerca/", {"q": "via roma"}).status_code == 405
