"""Actors and helpers of the citizen identity tests: a comune with a counter that issues
credentials, a resident, a counter operator, and the counter flow that hands out a letter."""

from __future__ import annotations

import base64
import datetime
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.core.models import Municipality, Office, OfficeKind
from sportello.registry.models import Person
from tests.registry.factories import PersonFactory

OPERATOR_PASSWORD = "Banco-URP-lungo-2026"  # noqa: S105
CITIZEN_PASSWORD = "Gelsomino-sul-balcone-7"  # noqa: S105
_LETTER = re.compile(r'href="data:application/pdf;base64,([^"]+)"')
_TEMPORARY_PASSWORD = re.compile(r"\b[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}\b")


@dataclass(frozen=True)
class Letter:
    password: str
    text: str  # the PDF's text, as the citizen reads it
    response: HttpResponse


def page_text(response: HttpResponse) -> str:
    """The page as characters (entities decoded), to look for what the person reads."""
    return html.unescape(response.content.decode())


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def letter_password(text: str) -> str:
    match = _TEMPORARY_PASSWORD.search(text)
    assert match, f"no temporary password in the letter:\n{text}"
    return match.group(0)


def log_in(client: Client, username: str, password: str, next: str = "") -> HttpResponse:
    """Submit the login page, as a person would; returns the (unfollowed) response."""
    data = {"username": username, "password": password}
    if next:
        data["next"] = next
    return client.post(reverse("accounts:login"), data)


def document(**overrides: str) -> dict[str, str]:
    """The issue form as an operator fills it in after looking at a valid identity card."""
    expiry = timezone.localdate() + datetime.timedelta(days=3 * 365)
    fields = {
        "issue-document_type": "cie",
        "issue-document_number": "ca12345ab",
        "issue-document_issuer": "Comune di Valdoria",
        "issue-document_expiry": expiry.isoformat(),
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def municipality(db) -> Municipality:
    municipality = Municipality.objects.create(
        name="Comune di Valdoria",
        short_name="Valdoria",
        istat_code="099999",
        address="Piazza del Municipio 1",
        pec_address="comune.valdoria@pec.example.it",
        contact_email="servizionline@valdoria.example.it",
        it_office_email="sistemi@valdoria.example.it",
    )
    Office.objects.create(
        municipality=municipality,
        kind=OfficeKind.URP,
        name="URP - Ufficio Relazioni con il Pubblico",
        address="Piazza del Municipio 1",
        issues_credentials=True,
    )
    return municipality


@pytest.fixture
def resident(municipality) -> Person:
    return PersonFactory(first_name="Giulia", last_name="Ferretti", sex="F")


@pytest.fixture
def counter_operator(db) -> User:
    user = User.objects.create_user(
        "sportello", password=OPERATOR_PASSWORD, is_staff=True, first_name="Paola"
    )
    user.groups.add(Group.objects.get(name=Role.COUNTER_OPERATOR))
    return user


@pytest.fixture
def operator_client(counter_operator) -> Client:
    client = Client()
    assert log_in(client, "sportello", OPERATOR_PASSWORD).status_code == 302
    return client


@pytest.fixture
def citizen(resident) -> User:
    """A resident who has already been to the counter and chosen their own password."""
    user = User(
        username=resident.codice_fiscale,
        person=resident,
        first_name=resident.first_name,
        last_name=resident.last_name,
    )
    user.set_password(CITIZEN_PASSWORD)  # as a password change does: it enters the history
    user.save()
    return user


@pytest.fixture
def citizen_client(citizen) -> Client:
    client = Client(HTTP_USER_AGENT="Firefox on the kitchen laptop")
    assert log_in(client, citizen.username, CITIZEN_PASSWORD).status_code == 302
    return client


@pytest.fixture
def issue_credentials(operator_client) -> Callable[..., Letter]:
    """Issue through the operator's person page; returns the letter the operator prints."""

    def issue(person: Person, *, client: Client | None = None, **fields: str) -> Letter:
        response = (client or operator_client).post(
            reverse("accounts:operator_person", args=[person.pk]), document(**fields)
        )
        assert response.status_code == 200
        match = _LETTER.search(response.content.decode())
        assert match, "the result page offers no letter to download"
        text = pdf_text(base64.b64decode(match.group(1)))
        return Letter(password=letter_password(text), text=text, response=response)

    return issue


@pytest.fixture(autouse=True)
def _limits_cleared() -> None:
    """The request limits count in the cache: each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
