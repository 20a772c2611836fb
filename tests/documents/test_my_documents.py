"""«I miei documenti»: a citizen sees and downloads their own copies and those of the minors of
their family, and nobody else's; every download is in the audit log."""

from __future__ import annotations

import pytest
from django.test import Client

from sportello.core.models import AuditEvent
from sportello.documents.models import DocumentKind
from sportello.registry.models import Relationship
from tests.registry.factories import member_of

from .conftest import Family, citizen_client, keep_copy, pdf_bytes

pytestmark = pytest.mark.django_db


def download_url(copy) -> str:
    return f"/documenti/{copy.pk}/scarica/"


def test_a_parent_sees_their_own_and_their_minor_childs_copies_only(family: Family) -> None:
    own = keep_copy(family.parent)
    childs = keep_copy(family.minor, DocumentKind.BIRTH_RECORD)
    spouses = keep_copy(family.spouse, DocumentKind.MARRIAGE_RECORD)
    adult_childs = keep_copy(family.adult_child)

    page = citizen_client(family.parent).get("/documenti/").content.decode()

    assert download_url(own) in page
    assert download_url(childs) in page
    assert "Documenti di Luca" in page
    assert download_url(spouses) not in page
    assert download_url(adult_childs) not in page
    assert "Sara" not in page


def test_a_parent_downloads_their_minor_childs_copy_and_the_access_is_audited(
    family: Family,
) -> None:
    copy = keep_copy(family.minor, DocumentKind.BIRTH_RECORD)

    response = citizen_client(family.parent).get(download_url(copy))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="atto-di-nascita-rossi-luca.pdf"'
    )
    assert b"".join(response.streaming_content) == pdf_bytes()
    event = AuditEvent.objects.get(action="document_copy_download")
    assert event.actor.person == family.parent
    assert (event.target_type, event.target_id) == ("documents.documentcopy", str(copy.pk))
    assert event.detail == {"person_id": family.minor.pk, "kind": "atto_nascita", "own": False}


def test_own_downloads_are_audited_too(family: Family) -> None:
    copy = keep_copy(family.parent)

    response = citizen_client(family.parent).get(download_url(copy))

    assert response.status_code == 200
    assert AuditEvent.objects.get(action="document_copy_download").detail["own"] is True


def test_someone_elses_copy_is_not_found_as_if_it_did_not_exist(family: Family, outsider) -> None:
    strangers = keep_copy(outsider)
    client = citizen_client(family.parent)

    assert client.get(download_url(strangers)).status_code == 404
    assert client.get("/documenti/999999/scarica/").status_code == 404
    assert outsider.last_name not in client.get("/documenti/").content.decode()
    assert not AuditEvent.objects.filter(action="document_copy_download").exists()


def test_an_adult_relatives_copy_is_not_found(family: Family) -> None:
    spouses = keep_copy(family.spouse, DocumentKind.MARRIAGE_RECORD)
    adult_childs = keep_copy(family.adult_child)
    client = citizen_client(family.parent)

    assert client.get(download_url(spouses)).status_code == 404
    assert client.get(download_url(adult_childs)).status_code == 404


def test_a_minor_does_not_see_the_parents_copies(family: Family) -> None:
    parents = keep_copy(family.parent)

    response = citizen_client(family.minor).get(download_url(parents))

    assert response.status_code == 404


def test_a_flatmate_in_the_same_registry_family_does_not_see_the_children(
    family: Family,
) -> None:
    flatmate = member_of(
        family.parent.family, Relationship.COHABITANT, first_name="Gino", last_name="Verdi"
    )
    childs = keep_copy(family.minor, DocumentKind.BIRTH_RECORD)

    response = citizen_client(flatmate).get(download_url(childs))

    assert response.status_code == 404


def test_anonymous_visitors_go_to_the_login_page(family: Family) -> None:
    copy = keep_copy(family.parent)

    response = Client().get(download_url(copy))

    assert response.status_code == 302
    assert response["Location"].startswith("/accedi/?next=")


def test_the_visura_links_to_my_documents(family: Family) -> None:
    page = citizen_client(family.parent).get("/i-miei-dati/").content.decode()

    assert 'href="/documenti/"' in page
