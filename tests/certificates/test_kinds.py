"""Which certificates are offered for whom: the registry's facts decide (AIRE, convivenza,
civil status, cohabitation contract, death)."""

from __future__ import annotations

import datetime

from django.test import Client

from sportello.registry.models import CivilStatus, FamilyKind, Relationship
from tests.registry.factories import PersonFactory, family_with_head, member_of

from .conftest import Household, citizen_of, page_text

ALL_TITLES = {
    "Certificato di nascita",
    "Certificato di matrimonio",
    "Certificato di cittadinanza",
    "Certificato di esistenza in vita",
    "Certificato di residenza",
    "Certificato di residenza AIRE",
    "Certificato di stato civile",
    "Certificato di stato di famiglia",
    "Certificato di stato di famiglia e di stato civile",
    "Certificato di residenza in convivenza",
    "Certificato di stato di famiglia AIRE",
    "Certificato di stato di famiglia con rapporti di parentela",
    "Certificato di stato libero",
    "Certificato di unione civile",
    "Certificato di contratto di convivenza",
}


def offered(person) -> set[str]:
    client = Client()
    client.force_login(citizen_of(person))
    page = page_text(client.get(f"/certificati/richiedi/{person.pk}/"))
    # Longest titles first, so that «stato di famiglia» does not also match its longer kin.
    found = set()
    for title in sorted(ALL_TITLES, key=len, reverse=True):
        if f">{title}<" in page or f">{title} <" in page:
            found.add(title)
    return found


def test_a_married_resident_in_a_family(household: Household) -> None:
    assert offered(household.giulia) == {
        "Certificato di nascita",
        "Certificato di matrimonio",
        "Certificato di cittadinanza",
        "Certificato di esistenza in vita",
        "Certificato di residenza",
        "Certificato di stato civile",
        "Certificato di stato di famiglia",
        "Certificato di stato di famiglia e di stato civile",
        "Certificato di stato di famiglia con rapporti di parentela",
    }


def test_an_italian_living_abroad_gets_the_aire_certificates(municipality) -> None:
    family, emigrant = family_with_head(
        code="F-AIRE", first_name="Sara", aire=True, aire_country="DE", residence=None
    )

    titles = offered(emigrant)

    assert "Certificato di residenza AIRE" in titles
    assert "Certificato di stato di famiglia AIRE" in titles
    assert "Certificato di residenza" not in titles
    assert "Certificato di stato di famiglia" not in titles


def test_a_member_of_a_convivenza_gets_the_residence_in_convivenza(municipality) -> None:
    community, head = family_with_head(code="F-CONV", first_name="Agnese")
    community.kind = FamilyKind.COHABITATION
    community.save()
    sister = member_of(community, Relationship.COHABITANT, first_name="Chiara")

    titles = offered(sister)

    assert "Certificato di residenza in convivenza" in titles
    assert "Certificato di stato di famiglia" not in titles


def test_civil_union_and_cohabitation_contract(municipality) -> None:
    united = PersonFactory(
        first_name="Andrea", civil_status=CivilStatus.CIVIL_UNION, civil_status_place="Valdoria"
    )
    partner = PersonFactory(
        first_name="Paolo", cohabitation_contract_date=datetime.date(2020, 2, 2)
    )

    assert "Certificato di unione civile" in offered(united)
    assert "Certificato di stato libero" not in offered(united)
    assert "Certificato di contratto di convivenza" in offered(partner)
    assert "Certificato di stato libero" in offered(partner)
    assert "Certificato di contratto di convivenza" not in offered(united)


def test_for_a_deceased_person_only_the_birth_certificate(household: Household) -> None:
    luca = household.luca
    luca.date_of_death = datetime.date(2025, 12, 1)
    luca.save()
    client = Client()
    client.force_login(citizen_of(household.giulia))

    page = page_text(client.get(f"/certificati/richiedi/{luca.pk}/"))

    assert ">Certificato di nascita" in page
    assert "Certificato di esistenza in vita" not in page
    assert "Certificato di residenza" not in page
