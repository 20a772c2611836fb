"""Writes to the anagrafe: persons, families, their heads, members and residence."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from sportello.core.exceptions import ApplicationError
from sportello.registry.models import CivilStatus, Family, Person, Relationship
from sportello.registry.services.families import (
    family_add_member,
    family_change_head,
    family_create,
    family_remove_member,
)
from sportello.registry.services.persons import person_create, person_update
from sportello.registry.services.validation import citizenship_normalize

from .factories import CivicNumberFactory, PersonFactory, family_with_head, member_of

pytestmark = pytest.mark.django_db

MARIO = {
    "codice_fiscale": "rssmra85t10a562s",
    "first_name": " Mario ",
    "last_name": "Rossi",
    "sex": "M",
    "birth_date": datetime.date(1985, 12, 10),
    "birth_place": "San Giuliano Terme",
    "civil_status": CivilStatus.MARRIED,
}


def test_a_person_is_registered_with_normalized_data() -> None:
    home = CivicNumberFactory()
    person = person_create(**MARIO, residence=home, residence_detail=" scala B  int. 4 ")
    person.refresh_from_db()
    assert person.codice_fiscale == "RSSMRA85T10A562S"
    assert person.first_name == "Mario"
    assert person.birth_place_code == "A562"
    assert person.citizenship == "IT"
    assert person.residence == home
    assert person.residence_detail == "scala B int. 4"


def test_the_birth_place_may_be_given_by_code_only() -> None:
    person = person_create(**{**MARIO, "birth_place": ""}, birth_place_code="A562")
    assert person.birth_place == "San Giuliano Terme"


def test_a_code_that_does_not_fit_the_named_place_is_refused() -> None:
    with pytest.raises(ApplicationError, match="il codice catastale E625 non corrisponde"):
        person_create(**MARIO, birth_place_code="E625")


def test_a_codice_fiscale_that_does_not_match_is_refused() -> None:
    with pytest.raises(ApplicationError) as caught:
        person_create(**{**MARIO, "birth_date": datetime.date(1985, 12, 11)})
    assert caught.value.message == "il codice fiscale non corrisponde alla data di nascita"
    assert not Person.objects.exists()


def test_the_same_codice_fiscale_cannot_be_registered_twice() -> None:
    person_create(**MARIO)
    with pytest.raises(ApplicationError, match="esiste già una persona con il codice fiscale"):
        person_create(**MARIO)


def test_a_birth_date_in_the_future_is_refused() -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ApplicationError, match="è nel futuro"):
        person_create(**{**MARIO, "birth_date": tomorrow})


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("last_name", " ", "il cognome è mancante"),
        ("first_name", "", "il nome è mancante"),
        ("sex", "X", "sesso non valido"),
        ("civil_status", "single", "stato civile sconosciuto"),
        ("birth_place", "Atlantide", "luogo di nascita sconosciuto"),
    ],
)
def test_bad_personal_data_is_refused(field: str, value: str, message: str) -> None:
    with pytest.raises(ApplicationError, match=message) as caught:
        person_create(**{**MARIO, field: value})
    assert caught.value.extra["field"] == field


@pytest.mark.parametrize(
    ("value", "code"), [("", "IT"), ("it", "IT"), ("Italia", "IT"), ("France", "FR"), ("XK", "XK")]
)
def test_citizenship_is_an_iso_code(value: str, code: str) -> None:
    assert citizenship_normalize(value) == code


def test_an_unknown_citizenship_is_refused() -> None:
    with pytest.raises(ApplicationError, match="cittadinanza sconosciuta"):
        citizenship_normalize("Atlantide")


def test_a_family_is_opened_with_its_head() -> None:
    head = PersonFactory()
    family = family_create(code=" 1234 ", head=head)
    head.refresh_from_db()
    assert family.code == "1234"
    assert (head.family, head.relationship) == (family, Relationship.HEAD)


def test_a_head_must_live_at_a_civic_number() -> None:
    with pytest.raises(ApplicationError, match="deve risiedere a un numero civico"):
        family_create(code="1", head=PersonFactory(residence=None))
    assert not Family.objects.exists()


def test_a_family_code_is_unique() -> None:
    family_with_head(code="1")
    with pytest.raises(ApplicationError, match="esiste già la famiglia 1"):
        family_create(code="1", head=PersonFactory())


def test_a_member_moves_to_the_heads_address() -> None:
    family, head = family_with_head(residence_detail="interno 3")
    elsewhere = CivicNumberFactory()
    child = PersonFactory(residence=elsewhere, first_name="Luca")
    family_add_member(family=family, person=child, relationship=Relationship.CHILD)
    child.refresh_from_db()
    assert (child.family, child.relationship) == (family, Relationship.CHILD)
    assert (child.residence, child.residence_detail) == (head.residence, "interno 3")


def test_a_family_has_only_one_head() -> None:
    family, head = family_with_head()
    with pytest.raises(ApplicationError) as caught:
        family_add_member(family=family, person=PersonFactory(), relationship=Relationship.HEAD)
    assert caught.value.message == f"la famiglia {family} ha già un intestatario: {head}"


def test_a_member_needs_a_relationship() -> None:
    family, _head = family_with_head()
    with pytest.raises(ApplicationError, match="indicare il rapporto con l'intestatario"):
        family_add_member(family=family, person=PersonFactory(), relationship="")
    with pytest.raises(ApplicationError, match="indicare il rapporto con l'intestatario"):
        person_create(**MARIO, family=family)


def test_a_relationship_needs_a_family() -> None:
    with pytest.raises(ApplicationError, match="solo per chi appartiene a una famiglia"):
        person_create(**MARIO, relationship=Relationship.CHILD)


def test_a_new_member_takes_the_heads_address_or_must_give_the_same() -> None:
    family, head = family_with_head()
    person = person_create(**MARIO, family=family, relationship=Relationship.SPOUSE)
    assert person.residence == head.residence
    with pytest.raises(ApplicationError, match="risiedono all'indirizzo dell'intestatario"):
        person_create(
            **{**MARIO, "codice_fiscale": "RSSMRA85T10A56NH"},
            family=family,
            relationship=Relationship.CHILD,
            residence=CivicNumberFactory(),
        )


def test_moving_the_head_moves_the_family() -> None:
    family, head = family_with_head()
    child = member_of(family)
    new_home = CivicNumberFactory()
    person_update(person=head, data={"residence": new_home, "residence_detail": "scala A"})
    child.refresh_from_db()
    assert (child.residence, child.residence_detail) == (new_home, "scala A")


def test_a_member_cannot_move_away_alone() -> None:
    family, _head = family_with_head()
    child = member_of(family)
    with pytest.raises(ApplicationError, match="risiedono all'indirizzo dell'intestatario"):
        person_update(person=child, data={"residence": CivicNumberFactory()})


def test_a_head_cannot_leave_a_family_that_has_members() -> None:
    family, head = family_with_head()
    member_of(family)
    with pytest.raises(ApplicationError, match="cambiare prima l'intestatario"):
        family_remove_member(person=head)
    with pytest.raises(ApplicationError, match="cambiare prima l'intestatario"):
        family_create(code="other", head=head)
    with pytest.raises(ApplicationError, match="cambiare prima l'intestatario"):
        person_update(person=head, data={"relationship": Relationship.SPOUSE})


def test_a_member_leaves_and_keeps_the_address() -> None:
    family, head = family_with_head()
    child = member_of(family)
    family_remove_member(person=child)
    child.refresh_from_db()
    assert (child.family, child.relationship, child.residence) == (None, "", head.residence)


def test_a_grown_up_child_opens_a_family_of_their_own() -> None:
    family, head = family_with_head()
    child = member_of(family)
    own = family_create(code="own", head=child)
    child.refresh_from_db()
    assert (child.family, child.relationship) == (own, Relationship.HEAD)


def test_the_head_is_changed_and_the_former_one_stays() -> None:
    family, head = family_with_head()
    spouse = member_of(family, relationship=Relationship.SPOUSE, first_name="Anna", sex="F")
    family_change_head(family=family, new_head=spouse, former_head_relationship="spouse")
    head.refresh_from_db()
    spouse.refresh_from_db()
    assert (spouse.relationship, head.relationship) == (Relationship.HEAD, Relationship.SPOUSE)


def test_only_a_member_can_become_head() -> None:
    family, _head = family_with_head()
    with pytest.raises(ApplicationError, match="non appartiene alla famiglia"):
        family_change_head(
            family=family, new_head=PersonFactory(), former_head_relationship="spouse"
        )


def test_personal_data_is_updated_and_checked() -> None:
    person = person_create(**MARIO)
    person_update(person=person, data={"civil_status": CivilStatus.WIDOWED})
    person.refresh_from_db()
    assert person.civil_status == CivilStatus.WIDOWED
    with pytest.raises(ApplicationError, match="non corrisponde al nome"):
        person_update(person=person, data={"first_name": "Luigi"})
    with pytest.raises(ValueError):
        person_update(person=person, data={"created_at": timezone.now()})


def test_the_database_keeps_one_head_per_family() -> None:
    family, _head = family_with_head()
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(family=family, relationship=Relationship.HEAD)


def test_the_database_keeps_relationships_inside_families() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(relationship=Relationship.CHILD)
    family, _head = family_with_head()
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(family=family, relationship="")
