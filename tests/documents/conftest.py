"""Actors of the document-copy tests: a family (parent, spouse, minor and adult children), an
outsider, a registry clerk, and the copies the registry office keeps for them."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from pypdf import PdfWriter

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.documents.models import DocumentCopy, DocumentKind
from sportello.documents.services import document_copy_create
from sportello.registry.models import Person, Relationship
from tests.registry.factories import family_with_head, member_of


@pytest.fixture(autouse=True)
def documents_storage(settings) -> None:
    """Copies are kept in memory: nothing is written under var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "PNG")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def keep_copy(person: Person, kind: str = DocumentKind.IDENTITY_CARD) -> DocumentCopy:
    content = pdf_bytes()
    return document_copy_create(
        person=person, kind=kind, file=io.BytesIO(content), size=len(content)
    )


def citizen_client(person: Person) -> Client:
    user = User.objects.create_user(person.codice_fiscale, person=person, email="")
    client = Client()
    client.force_login(user)
    return client


@dataclass
class Family:
    parent: Person
    spouse: Person
    minor: Person
    adult_child: Person


@pytest.fixture
def family(db) -> Family:
    today = datetime.date.today()
    years = datetime.timedelta(days=365)
    household, parent = family_with_head(code="F-DOC-1", first_name="Paolo")
    spouse = member_of(household, Relationship.SPOUSE, first_name="Anna", sex="F", last_name="Neri")
    minor = member_of(household, first_name="Luca", birth_date=today - 9 * years)
    adult_child = member_of(household, first_name="Sara", sex="F", birth_date=today - 20 * years)
    return Family(parent=parent, spouse=spouse, minor=minor, adult_child=adult_child)


@pytest.fixture
def outsider(db) -> Person:
    _household, person = family_with_head(code="F-DOC-2", first_name="Ugo", last_name="Bassi")
    return person


@pytest.fixture
def clerk_client(db) -> Client:
    clerk = User.objects.create_user("anagrafe", is_staff=True)
    clerk.groups.add(Group.objects.get(name=Role.REGISTRY_CLERK))
    client = Client()
    client.force_login(clerk)
    return client
