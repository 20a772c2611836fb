"""The stradario a citizen of Livorno would search: real street names, invented positions."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sportello.core.models import Municipality
from sportello.places.models import CivicNumber

from .factories import CivicNumberFactory, LivornoFactory, StreetFactory


@pytest.fixture
def livorno(db) -> Municipality:
    return LivornoFactory()


@dataclass
class Stradario:
    garibaldi_12: CivicNumber
    garibaldi_12a: CivicNumber
    garibaldi_12bis: CivicNumber
    garibaldi_1: CivicNumber
    garibaldi_10: CivicNumber
    italia_3a: CivicNumber
    italia_3: CivicNumber
    saragat_1: CivicNumber
    machiavelli_21: CivicNumber
    roma_1: CivicNumber
    roma_vecchia_1: CivicNumber
    indipendenza_4b: CivicNumber


@pytest.fixture
def stradario(livorno) -> Stradario:
    garibaldi = StreetFactory(street_type="Via", name="Giuseppe Garibaldi", postal_code="57122")
    italia = StreetFactory(street_type="Viale", name="Italia")
    saragat = StreetFactory(street_type="Piazza", name="Giuseppe Saragat")
    machiavelli = StreetFactory(street_type="Via", name="Niccolò Machiavelli")
    roma = StreetFactory(street_type="Via", name="Roma")
    roma_vecchia = StreetFactory(street_type="Via", name="Roma Vecchia")
    indipendenza = StreetFactory(street_type="Via", name="dell'Indipendenza")
    return Stradario(
        garibaldi_12=CivicNumberFactory(street=garibaldi, number=12),
        garibaldi_12a=CivicNumberFactory(street=garibaldi, number=12, exponent="A"),
        garibaldi_12bis=CivicNumberFactory(street=garibaldi, number=12, exponent="bis"),
        garibaldi_1=CivicNumberFactory(street=garibaldi, number=1),
        garibaldi_10=CivicNumberFactory(street=garibaldi, number=10),
        italia_3a=CivicNumberFactory(street=italia, number=3, exponent="A", zone="Ardenza"),
        italia_3=CivicNumberFactory(street=italia, number=3, zone="Ardenza"),
        saragat_1=CivicNumberFactory(street=saragat, number=1, zone="Area Nord"),
        machiavelli_21=CivicNumberFactory(street=machiavelli, number=21, zone="Area Sud"),
        roma_1=CivicNumberFactory(street=roma, number=1),
        roma_vecchia_1=CivicNumberFactory(street=roma_vecchia, number=1),
        indipendenza_4b=CivicNumberFactory(street=indipendenza, number=4, exponent="B"),
    )
