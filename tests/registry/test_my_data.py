"""The certified service "I miei dati anagrafici": one's own data and family, nobody else's."""

from __future__ import annotations

import pytest
from django.test import Client

from sportello.accounts.models import User
from tests.registry.factories import family_with_head, member_of

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_goes_to_login_and_comes_back(client: Client) -> None:
    response = client.get("/i-miei-dati/")

    assert response.status_code == 302
    assert response["Location"] == "/accedi/?next=/i-miei-dati/"


def test_citizen_sees_own_data_and_family() -> None:
    family, head = family_with_head(code="F-MY-1")
    child = member_of(family)
    other_family, stranger = family_with_head(code="F-MY-2")
    user = User.objects.create_user(head.codice_fiscale, person=head)
    client = Client()
    client.force_login(user)

    page = client.get("/i-miei-dati/").content.decode()

    assert head.codice_fiscale in page
    assert f"{child.last_name} {child.first_name}" in page
    assert stranger.codice_fiscale not in page


def test_operator_without_a_person_is_told_the_service_is_for_citizens() -> None:
    operator = User.objects.create_user("operatore", is_staff=True)
    client = Client()
    client.force_login(operator)

    response = client.get("/i-miei-dati/")

    assert response.status_code == 403
    assert "cittadini certificati" in response.content.decode()
