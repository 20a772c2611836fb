"""Factories for registry tests: persons with consistent codici fiscali, families, and the
streets and civic numbers they live at (made with the places models directly)."""

from __future__ import annotations

import datetime

import factory

from sportello.places.models import CivicNumber, Street
from sportello.registry.codice_fiscale import codice_fiscale_compute
from sportello.registry.models import CivilStatus, Family, Person, Relationship, Sex
from sportello.registry.services.families import family_add_member, family_create

LIVORNO = "E625"


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street

    street_type = "Via"
    name = factory.Sequence(lambda n: f"dei Test {n}")
    search_name = factory.LazyAttribute(
        lambda street: f"{street.street_type} {street.name}".lower()
    )


class CivicNumberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CivicNumber

    street = factory.SubFactory(StreetFactory)
    number = factory.Sequence(lambda n: n + 1)
    exponent = ""
    latitude = 43.55
    longitude = 10.31


class PersonFactory(factory.django.DjangoModelFactory):
    """A resident born in Livorno; the birth date varies so that every code is different."""

    class Meta:
        model = Person

    last_name = "Rossi"
    first_name = "Mario"
    sex = Sex.MALE
    birth_date = factory.Sequence(lambda n: datetime.date(1960, 1, 1) + datetime.timedelta(days=n))
    birth_place = "Livorno"
    birth_place_code = LIVORNO
    citizenship = "IT"
    civil_status = CivilStatus.UNMARRIED
    residence = factory.SubFactory(CivicNumberFactory)
    codice_fiscale = factory.LazyAttribute(
        lambda person: codice_fiscale_compute(
            last_name=person.last_name,
            first_name=person.first_name,
            sex=person.sex,
            birth_date=person.birth_date,
            birth_place_code=person.birth_place_code,
        )
    )


class FamilyFactory(factory.django.DjangoModelFactory):
    """A bare family row; use `family_with_head` for one that keeps the rules."""

    class Meta:
        model = Family

    code = factory.Sequence(lambda n: f"F{n:05d}")


def family_with_head(*, code: str | None = None, **head_fields: object) -> tuple[Family, Person]:
    """A family opened through the services, with a fresh head."""
    head = PersonFactory(**head_fields)
    family = family_create(code=code or FamilyFactory.build().code, head=head)
    head.refresh_from_db()
    return family, head


def member_of(family: Family, relationship: str = Relationship.CHILD, **fields: object) -> Person:
    """A fresh person added to `family` through the services."""
    person = PersonFactory(residence=None, **fields)
    return family_add_member(family=family, person=person, relationship=relationship)
