"""Factories for the stradario; streets and civic numbers are made through the services, so the
search key and the checks are the real ones."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from sportello.core.models import Municipality
from sportello.places.models import CivicNumber, Street
from sportello.places.services.civic_numbers import civic_number_upsert
from sportello.places.services.streets import street_get_or_create

# Livorno town hall, Piazza del Municipio.
TOWN_HALL = (43.5519, 10.3086)


class LivornoFactory(DjangoModelFactory):
    """The demo comune, with a box around its territory (Gorgona island included)."""

    class Meta:
        model = Municipality

    name = "Comune di Livorno"
    short_name = "Livorno"
    istat_code = "049009"
    cadastral_code = "E625"
    province = "LI"
    min_latitude = 43.38
    max_latitude = 43.62
    min_longitude = 9.80
    max_longitude = 10.50


class StreetFactory(DjangoModelFactory):
    class Meta:
        model = Street

    street_type = "Via"
    name = factory.Sequence(lambda n: f"dei Test {n}")
    code = None
    postal_code = ""

    @classmethod
    def _create(cls, model_class: type[Street], *args, **kwargs) -> Street:
        street, _created = street_get_or_create(**kwargs)
        return street


class CivicNumberFactory(DjangoModelFactory):
    class Meta:
        model = CivicNumber

    street = factory.SubFactory(StreetFactory)
    number = factory.Sequence(lambda n: n + 1)
    exponent = ""
    latitude = TOWN_HALL[0]
    longitude = TOWN_HALL[1]
    code = None
    zone = ""
    postal_code = ""

    @classmethod
    def _create(cls, model_class: type[CivicNumber], *args, **kwargs) -> CivicNumber:
        civic, _outcome = civic_number_upsert(**kwargs)
        return civic
