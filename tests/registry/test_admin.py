"""The back-office screens of the anagrafe, used by a registry clerk."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Group

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.registry.models import Family, Person, Relationship

from .factories import CivicNumberFactory, PersonFactory, family_with_head, member_of

pytestmark = pytest.mark.django_db

PERSONS = "/backoffice/registry/person/"
FAMILIES = "/backoffice/registry/family/"


@pytest.fixture
def clerk(client):
    user = User.objects.create_user("anagrafe", password="a-long-clerk-password", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.REGISTRY_CLERK))
    client.force_login(user)
    return user


def person_form(**overrides: object) -> dict[str, object]:
    return {
        "codice_fiscale": "rssmra85t10a562s",
        "last_name": "Rossi",
        "first_name": "Mario",
        "sex": "M",
        "birth_date": "10/12/1985",
        "birth_place": "San Giuliano Terme",
        "birth_place_code": "",
        "citizenship": "IT",
        "civil_status": "married",
        "date_of_death": "",
        "family": "",
        "relationship": "",
        "residence": "",
        "residence_detail": "",
        "aire_country": "",
        "civil_status_date": "",
        "civil_status_place": "",
        "cohabitation_contract_date": "",
        # The identity documents inline of the change page, as the browser sends it when empty.
        "identity_documents-TOTAL_FORMS": "0",
        "identity_documents-INITIAL_FORMS": "0",
        **overrides,
    }


def test_a_clerk_registers_a_person_and_the_change_is_logged(client, clerk) -> None:
    home = CivicNumberFactory()
    response = client.post(f"{PERSONS}add/", person_form(residence=home.pk))
    assert response.status_code == 302, response.context["adminform"].form.errors
    person = Person.objects.get()
    assert (person.codice_fiscale, person.birth_place_code) == ("RSSMRA85T10A562S", "A562")
    entry = LogEntry.objects.get()
    assert (entry.user, entry.action_flag, entry.object_id) == (clerk, ADDITION, str(person.pk))


def test_the_form_refuses_a_codice_fiscale_that_does_not_match(client, clerk) -> None:
    response = client.post(f"{PERSONS}add/", person_form(birth_date="11/12/1985"))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["codice_fiscale"] == ["il codice fiscale non corrisponde alla data di nascita"]
    assert not Person.objects.exists()


def test_the_form_keeps_one_head_per_family(client, clerk) -> None:
    family, _head = family_with_head()
    response = client.post(
        f"{PERSONS}add/", person_form(family=family.pk, relationship=Relationship.HEAD)
    )
    assert response.status_code == 200
    assert "ha già un intestatario" in str(response.context["adminform"].form.errors)


def test_moving_the_head_in_the_back_office_moves_the_family(client, clerk) -> None:
    family, head = family_with_head()
    child = member_of(family)
    new_home = CivicNumberFactory()
    data = person_form(
        codice_fiscale=head.codice_fiscale,
        last_name=head.last_name,
        first_name=head.first_name,
        birth_date=head.birth_date.strftime("%d/%m/%Y"),
        birth_place="Livorno",
        family=family.pk,
        relationship=Relationship.HEAD,
        residence=new_home.pk,
    )
    response = client.post(f"{PERSONS}{head.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    child.refresh_from_db()
    assert child.residence == new_home
    assert LogEntry.objects.get().action_flag == CHANGE


def test_persons_are_searched_by_codice_fiscale_and_surname(client, clerk) -> None:
    PersonFactory(last_name="Bianchi", first_name="Laura", sex="F")
    mario = PersonFactory()
    assert mario.last_name in client.get(PERSONS, {"q": mario.codice_fiscale}).content.decode()
    page = client.get(PERSONS, {"q": "bianchi"}).content.decode()
    assert "Bianchi" in page and mario.codice_fiscale not in page


def test_a_family_is_opened_with_the_codice_fiscale_of_its_head(client, clerk) -> None:
    head = PersonFactory()
    response = client.post(
        f"{FAMILIES}add/",
        {"code": "500", "kind": "family", "head_codice_fiscale": head.codice_fiscale.lower()},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    head.refresh_from_db()
    assert (head.family, head.relationship) == (Family.objects.get(code="500"), "head")


def test_a_family_needs_a_head_who_lives_somewhere(client, clerk) -> None:
    homeless = PersonFactory(residence=None)
    response = client.post(
        f"{FAMILIES}add/",
        {"code": "500", "kind": "family", "head_codice_fiscale": homeless.codice_fiscale},
    )
    assert response.status_code == 200
    assert "deve risiedere a un numero civico" in str(response.context["adminform"].form.errors)
    assert not Family.objects.exists()


def test_the_family_page_lists_its_members(client, clerk) -> None:
    family, head = family_with_head()
    child = member_of(family, first_name="Luca")
    page = client.get(f"{FAMILIES}{family.pk}/change/").content.decode()
    assert head.codice_fiscale in page and child.codice_fiscale in page
    listing = client.get(FAMILIES).content.decode()
    assert str(head) in listing
