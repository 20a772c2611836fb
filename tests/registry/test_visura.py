"""The visura («I miei dati anagrafici»): a certified citizen reads their personal data,
citizenship, civil status, residence or registration abroad, identity documents and family."""

from __future__ import annotations

import datetime
import html

import pytest
from django.test import Client

from sportello.accounts.models import User
from sportello.registry.models import CivilStatus, FamilyKind, IdentityDocumentKind, Relationship
from sportello.registry.services.documents import identity_document_record
from sportello.registry.services.families import family_create
from sportello.registry.services.persons import person_update

from .factories import PersonFactory, family_with_head, member_of

pytestmark = pytest.mark.django_db


def visura(person) -> str:
    client = Client()
    client.force_login(User.objects.create_user(person.codice_fiscale, person=person))
    response = client.get("/i-miei-dati/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_visura_shows_data_documents_and_family() -> None:
    family, head = family_with_head(code="F-V-1", first_name="Paolo")
    spouse = member_of(family, Relationship.SPOUSE, first_name="Anna", sex="F", last_name="Neri")
    child = member_of(family, first_name="Luca", birth_date=datetime.date(2016, 3, 1))
    wedding = {
        "civil_status": CivilStatus.MARRIED,
        "civil_status_date": datetime.date(2012, 6, 9),
        "civil_status_place": "Pisa (PI)",
    }
    person_update(person=head, data=wedding)
    identity_document_record(
        person=head,
        kind=IdentityDocumentKind.CIE,
        number="ca 12345 ab",
        issued_on=datetime.date(2022, 5, 10),
        expires_on=datetime.date(2032, 1, 1),
        issued_by="Comune di Livorno",
    )

    page = visura(head)

    assert 'Cittadinanza</dt><dd class="col-sm-8">Italia</dd>' in page
    assert "coniugato/a, dal 09/06/2012, a Pisa (PI)" in page
    documents = page.split('id="documenti-identita"', 1)[1].split("</section>", 1)[0]
    assert "Carta d'identità elettronica</h3>" in documents
    assert "CA12345AB" in documents and "il 10/05/2022 da Comune di Livorno" in documents
    assert "01/01/2032" in documents and "scaduto" not in documents
    assert "Scheda di famiglia n. F-V-1" in page
    family_table = page.split('id="famiglia"', 1)[1]
    for member, relationship in [
        (head, "intestatario scheda"),
        (spouse, "marito/moglie"),
        (child, "figlio/a"),
    ]:
        row = family_table.split(f"{member.last_name} {member.first_name}", 1)[1]
        row = row.split("</tr>", 1)[0]
        assert relationship in row


def test_an_expired_document_is_marked_as_such() -> None:
    person = PersonFactory()
    identity_document_record(
        person=person,
        kind=IdentityDocumentKind.PASSPORT,
        number="YA1234567",
        issued_on=datetime.date(2010, 1, 1),
        expires_on=datetime.date(2020, 1, 1),
        issued_by="Questura di Livorno",
    )

    assert "01/01/2020 <strong>(scaduto)</strong>" in visura(person)


def test_a_citizen_living_abroad_sees_the_country_instead_of_a_residence() -> None:
    person = PersonFactory(residence=None)
    person_update(person=person, data={"aire": True, "aire_country": "de"})

    page = visura(person)

    assert "Risiedi all'estero, in Germania" in page
    assert "AIRE" in page


def test_a_member_of_a_convivenza_is_told_so() -> None:
    superior = PersonFactory(first_name="Maria", sex="F", last_name="Bruni")
    family_create(code="C-1", head=superior, kind=FamilyKind.COHABITATION)

    assert "convivenza anagrafica (scheda n. C-1)" in visura(superior)


def test_a_foreign_citizenship_is_shown_by_its_name() -> None:
    person = PersonFactory(citizenship="MA")

    assert "Marocco" in visura(person)


def test_the_visura_shows_nobody_elses_data() -> None:
    _family, head = family_with_head(code="F-V-2")
    other_family, stranger = family_with_head(code="F-V-3", first_name="Ugo", last_name="Bassi")
    identity_document_record(
        person=stranger,
        kind=IdentityDocumentKind.CIE,
        number="CB99999ZZ",
        issued_on=datetime.date(2022, 5, 10),
        expires_on=datetime.date(2032, 1, 1),
        issued_by="Comune di Livorno",
    )

    page = visura(head)

    assert stranger.codice_fiscale not in page
    assert "CB99999ZZ" not in page and "Bassi" not in page and other_family.code not in page
