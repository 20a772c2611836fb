"""Registry facts kept by the office: the last civil-status event, contratti di convivenza,
Italians living abroad (AIRE), convivenze anagrafiche and identity documents."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Group

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.core.exceptions import ApplicationError
from sportello.registry.models import (
    CivilStatus,
    FamilyKind,
    IdentityDocument,
    IdentityDocumentKind,
    Relationship,
)
from sportello.registry.services.documents import identity_document_record
from sportello.registry.services.families import family_add_member, family_create
from sportello.registry.services.persons import person_update

from .factories import PersonFactory, family_with_head, member_of

pytestmark = pytest.mark.django_db

D = datetime.date


def refused(message: str, **data: object) -> None:
    person = PersonFactory()
    with pytest.raises(ApplicationError, match=message):
        person_update(person=person, data=data)


def test_a_marriage_is_recorded_with_date_and_place() -> None:
    person = PersonFactory()

    person_update(
        person=person,
        data={
            "civil_status": CivilStatus.MARRIED,
            "civil_status_date": D(2010, 5, 8),
            "civil_status_place": "  Livorno   (LI) ",
        },
    )

    person.refresh_from_db()
    assert (person.civil_status_date, person.civil_status_place) == (D(2010, 5, 8), "Livorno (LI)")


def test_impossible_civil_status_events_are_refused() -> None:
    refused("tra la nascita e oggi", civil_status="married", civil_status_date=D(1950, 1, 1))
    refused(
        "unioni civili esistono dal 5 giugno 2016",
        civil_status=CivilStatus.CIVIL_UNION,
        civil_status_date=D(2015, 1, 1),
    )
    refused("celibe o nubile", civil_status_date=D(2010, 1, 1))


def test_a_new_civil_status_clears_the_old_event_and_a_wedding_ends_a_contract() -> None:
    person = PersonFactory()
    person_update(person=person, data={"cohabitation_contract_date": D(2018, 3, 1)})
    person_update(
        person=person,
        data={"civil_status": CivilStatus.MARRIED, "civil_status_date": D(2020, 9, 12)},
    )
    person.refresh_from_db()
    assert person.cohabitation_contract_date is None

    person_update(person=person, data={"civil_status": CivilStatus.DIVORCED})

    person.refresh_from_db()
    assert (person.civil_status_date, person.civil_status_place) == (None, "")


def test_a_cohabitation_contract_follows_law_76_2016() -> None:
    refused("tra il 5 giugno 2016", cohabitation_contract_date=D(2015, 12, 1))
    refused(
        "non sposate né unite civilmente",
        civil_status=CivilStatus.MARRIED,
        civil_status_date=D(2010, 1, 1),
        cohabitation_contract_date=D(2018, 1, 1),
    )


def test_an_italian_abroad_has_a_country_and_no_residence() -> None:
    person = PersonFactory()
    with pytest.raises(ApplicationError, match="togliere la residenza"):
        person_update(person=person, data={"aire": True, "aire_country": "DE"})

    person_update(
        person=person, data={"aire": True, "aire_country": "Argentina", "residence": None}
    )

    person.refresh_from_db()
    assert (person.aire, person.aire_country, person.residence) == (True, "AR", None)
    refused("indicare il paese", aire=True, residence=None)
    refused("non può essere l'Italia", aire=True, aire_country="IT", residence=None)
    refused("solo per chi è iscritto all'AIRE", aire_country="DE")


def test_only_italian_citizens_are_registered_abroad() -> None:
    person = PersonFactory(citizenship="FR", residence=None)

    with pytest.raises(ApplicationError, match="solo i cittadini italiani"):
        person_update(person=person, data={"aire": True, "aire_country": "FR"})


def test_a_family_abroad_moves_together_and_mixes_with_no_resident() -> None:
    family, head = family_with_head(code="F-AIRE")
    child = member_of(family)

    person_update(person=head, data={"aire": True, "aire_country": "CH", "residence": None})

    child.refresh_from_db()
    assert (child.aire, child.aire_country, child.residence) == (True, "CH", None)
    newborn = family_add_member(
        family=family, person=PersonFactory(first_name="Ugo"), relationship=Relationship.CHILD
    )
    assert (newborn.aire, newborn.aire_country, newborn.residence) == (True, "CH", None)
    resident = PersonFactory(first_name="Eva", sex="F")
    with pytest.raises(ApplicationError, match="è iscritta all'AIRE"):
        person_update(person=resident, data={"family": family, "relationship": "sibling"})
    home_family, _home_head = family_with_head(code="F-HOME")
    with pytest.raises(ApplicationError, match="risiede nel Comune"):
        person_update(person=child, data={"family": home_family, "relationship": "child"})


def test_a_convivenza_anagrafica_is_a_kind_of_family() -> None:
    superior = PersonFactory(first_name="Maria", sex="F")

    family = family_create(code="C-1", head=superior, kind=FamilyKind.COHABITATION)

    assert family.kind == FamilyKind.COHABITATION
    with pytest.raises(ApplicationError, match="tipo di famiglia sconosciuto"):
        family_create(code="C-2", head=PersonFactory(first_name="Ada", sex="F"), kind="hotel")


def test_identity_documents_are_checked_and_normalized() -> None:
    person = PersonFactory(birth_date=D(1980, 1, 1))

    document = identity_document_record(
        person=person,
        kind=IdentityDocumentKind.CIE,
        number=" ca 12345 ab",
        issued_on=D(2021, 3, 1),
        expires_on=D(2031, 1, 1),
        issued_by=" Comune di  Livorno ",
    )

    assert (document.number, document.issued_by) == ("CA12345AB", "Comune di Livorno")
    for field, value, message in [
        ("expires_on", D(2020, 1, 1), "successiva a quella di rilascio"),
        ("issued_on", D(1979, 1, 1), "tra la nascita della persona e oggi"),
        ("number", "CA-1", "numero del documento non valido"),
        ("kind", "tessera", "tipo di documento sconosciuto"),
    ]:
        data = {
            "kind": IdentityDocumentKind.PASSPORT,
            "number": "YA1234567",
            "issued_on": D(2021, 3, 1),
            "expires_on": D(2031, 3, 1),
            "issued_by": "Questura di Livorno",
            field: value,
        }
        with pytest.raises(ApplicationError, match=message):
            identity_document_record(person=person, **data)
    assert list(person.identity_documents.all()) == [document]


def test_a_clerk_records_facts_and_an_identity_document_in_the_back_office(client) -> None:
    clerk = User.objects.create_user("anagrafe", is_staff=True)
    clerk.groups.add(Group.objects.get(name=Role.REGISTRY_CLERK))
    client.force_login(clerk)
    person = PersonFactory(birth_date=D(1980, 1, 1))
    form = {
        "codice_fiscale": person.codice_fiscale,
        "last_name": person.last_name,
        "first_name": person.first_name,
        "sex": person.sex,
        "birth_date": "01/01/1980",
        "birth_place": "Livorno",
        "birth_place_code": "",
        "citizenship": "IT",
        "civil_status": "married",
        "civil_status_date": "12/05/2012",
        "civil_status_place": "Livorno (LI)",
        "cohabitation_contract_date": "",
        "date_of_death": "",
        "family": "",
        "relationship": "",
        "residence": person.residence_id,
        "residence_detail": "",
        "aire_country": "",
        "identity_documents-TOTAL_FORMS": "1",
        "identity_documents-INITIAL_FORMS": "0",
        "identity_documents-0-kind": "cie",
        "identity_documents-0-number": "CA00001AA",
        "identity_documents-0-issued_on": "10/03/2022",
        "identity_documents-0-expires_on": "01/01/2021",
        "identity_documents-0-issued_by": "Comune di Livorno",
    }
    url = f"/backoffice/registry/person/{person.pk}/change/"

    response = client.post(url, form)
    assert response.status_code == 200
    assert not IdentityDocument.objects.exists()
    assert "successiva a quella di rilascio" in response.content.decode()

    response = client.post(url, {**form, "identity_documents-0-expires_on": "01/01/2032"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.civil_status_date, person.civil_status_place) == (D(2012, 5, 12), "Livorno (LI)")
    assert person.identity_documents.get().number == "CA00001AA"
