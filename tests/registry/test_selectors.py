"""Reads from the anagrafe: persons by codice fiscale, schede di famiglia, residence lookup."""

from __future__ import annotations

import datetime

import pytest

from sportello.core.exceptions import ApplicationError
from sportello.registry.models import Relationship
from sportello.registry.selectors import (
    family_head,
    family_members,
    person_family,
    person_get_by_codice_fiscale,
    residence_civic_number_find,
)

from .factories import CivicNumberFactory, PersonFactory, StreetFactory, family_with_head, member_of

pytestmark = pytest.mark.django_db


def test_a_person_is_found_by_codice_fiscale_written_loosely() -> None:
    person = PersonFactory()
    code = person.codice_fiscale
    assert person_get_by_codice_fiscale(codice_fiscale=f" {code[:8].lower()} {code[8:]}") == person
    assert person_get_by_codice_fiscale(codice_fiscale="RSSMRA85T10A562S") is None


def test_the_scheda_lists_the_head_first_then_by_age() -> None:
    family, head = family_with_head(birth_date=datetime.date(1970, 1, 1))
    younger = member_of(family, birth_date=datetime.date(2005, 1, 1))
    older = member_of(family, Relationship.SPOUSE, birth_date=datetime.date(1965, 1, 1))
    assert list(family_members(family=family)) == [head, older, younger]
    assert family_head(family=family) == head
    assert list(person_family(person=younger)) == [head, older, younger]


def test_someone_without_family_is_alone_on_their_scheda() -> None:
    person = PersonFactory()
    assert list(person_family(person=person)) == [person]


@pytest.fixture
def via_grande_12a():
    street = StreetFactory(street_type="Via", name="Grande", code="ST-1")
    CivicNumberFactory(street=street, number=12)
    return CivicNumberFactory(street=street, number=12, exponent="A", code="CIV-12A")


@pytest.mark.parametrize(
    "query",
    [
        {"civic_code": "civ-12a"},
        {"street": "VIA GRANDE", "number": 12, "exponent": "a"},
        {"street": "via  grande", "number": 12, "exponent": "/A"},
        {"street": "Grande", "number": 12, "exponent": "A"},
        {"street": "st-1", "number": 12, "exponent": "A"},
        {"street": "V. Grande", "number": 12, "exponent": "a"},  # read as the geocoder reads it
    ],
)
def test_a_residence_is_found_by_code_or_street_and_number(via_grande_12a, query: dict) -> None:
    assert residence_civic_number_find(**query) == via_grande_12a


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"civic_code": "NOPE"}, "codice civico sconosciuto: «NOPE»"),
        ({"street": "Via Piccola", "number": 1}, "via sconosciuta nello stradario: «Via Piccola»"),
        ({"street": "Via Grande", "number": 99}, "numero civico 99 non presente in Via Grande"),
        (
            {"street": "Via Grande", "number": 12, "exponent": "B"},
            "numero civico 12/B non presente",
        ),
        ({"street": "", "number": 12}, "indirizzo mancante"),
    ],
)
def test_an_unknown_residence_is_explained(via_grande_12a, query: dict, message: str) -> None:
    with pytest.raises(ApplicationError) as caught:
        residence_civic_number_find(**query)
    assert message in caught.value.message
