"""Actors and helpers of the certificate tests: a comune, a family (Giulia, the head, married to
Marco, with their son Luca), Giulia logged in as a certified citizen, an outsider, the registry
clerk; a demo seal made once for the whole run, and helpers that read PDFs as a verifier would."""

from __future__ import annotations

import datetime
import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.certificates.demo_seal import demo_seal_ensure
from sportello.certificates.models import Certificate
from sportello.core.models import Municipality
from sportello.registry.models import CivilStatus, Family, Person, Relationship, Sex
from tests.registry.factories import family_with_head, member_of

PUBLIC_URL = "https://sportello.valdoria.example.it"


@pytest.fixture(scope="session")
def demo_seal_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("seal")
    demo_seal_ensure(directory=directory, organisation="Comune di Valdoria")
    return directory


@pytest.fixture(scope="session")
def foreign_seal_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seal made by someone else, with a root the comune does not trust."""
    directory = tmp_path_factory.mktemp("foreign-seal")
    demo_seal_ensure(directory=directory, organisation="Comune di Altrove")
    return directory


@pytest.fixture(autouse=True)
def certificate_settings(settings, demo_seal_dir: Path, db) -> None:
    settings.SPORTELLO_SEAL = {
        **settings.SPORTELLO_SEAL,
        "backend": "demo",
        "demo_dir": demo_seal_dir,
        "trust_roots_file": None,
        "chain_file": None,
        "tsa_url": None,
    }
    # The test settings replace STORAGES: the private storage of sealed PDFs, in memory.
    settings.STORAGES = {
        **settings.STORAGES,
        "certificates": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.SPORTELLO_PUBLIC_URL = PUBLIC_URL
    settings.SPORTELLO_CERTIFICATE_STAMP_DUTY = "16.00"
    cache.clear()  # the verification counters


@pytest.fixture
def municipality(db) -> Municipality:
    return Municipality.objects.create(
        name="Comune di Valdoria",
        short_name="Valdoria",
        istat_code="099999",
        province="VD",
        tax_code="01234560991",
        address="Piazza del Municipio 1",
        postal_code="00100",
        pec_address="comune.valdoria@pec.example.it",
    )


@dataclass(frozen=True)
class Household:
    family: Family
    giulia: Person  # the head, married
    marco: Person  # her husband
    luca: Person  # their son, unmarried


@pytest.fixture
def household(municipality: Municipality) -> Household:
    family, giulia = family_with_head(
        code="F-CERT-1",
        first_name="Giulia",
        last_name="Ferretti",
        sex=Sex.FEMALE,
        civil_status=CivilStatus.MARRIED,
        civil_status_date=datetime.date(2010, 6, 12),
        civil_status_place="Valdoria",
    )
    marco = member_of(
        family,
        Relationship.SPOUSE,
        first_name="Marco",
        last_name="Bianchi",
        civil_status=CivilStatus.MARRIED,
    )
    luca = member_of(family, Relationship.CHILD, first_name="Luca", last_name="Bianchi")
    return Household(family=family, giulia=giulia, marco=marco, luca=luca)


@pytest.fixture
def outsider(municipality: Municipality) -> Person:
    _family, stranger = family_with_head(code="F-CERT-2", first_name="Ettore", last_name="Neri")
    return stranger


def citizen_of(person: Person) -> User:
    """The certified citizen's account of `person` (made the first time)."""
    existing = User.objects.filter(person=person).first()
    if existing is not None:
        return existing
    return User.objects.create_user(
        person.codice_fiscale,
        person=person,
        first_name=person.first_name,
        last_name=person.last_name,
    )


@pytest.fixture
def giulia_client(household: Household) -> Client:
    client = Client()
    client.force_login(citizen_of(household.giulia))
    return client


@pytest.fixture
def clerk_client(db) -> Client:
    clerk = User.objects.create_user("anagrafe", is_staff=True, first_name="Rita")
    clerk.groups.add(Group.objects.get(name=Role.REGISTRY_CLERK))
    client = Client()
    client.force_login(clerk)
    return client


def page_text(response: HttpResponse) -> str:
    """The page as characters (entities decoded), to look for what the person reads."""
    return html.unescape(response.content.decode())


def ask(
    client: Client, person: Person, kind: str, *, use: str = "pratica di mutuo", exemption: str = ""
) -> HttpResponse:
    """Fill in the request form and confirm its summary, as a citizen would."""
    return client.post(
        f"/certificati/richiedi/{person.pk}/",
        {"kind": kind, "use": use, "exemption": exemption, "conferma": "1"},
    )


def download(client: Client, certificate: Certificate) -> HttpResponse:
    return client.get(f"/certificati/{certificate.pk}/pdf/")


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def demo_root(seal_dir: Path) -> asn1_x509.Certificate:
    return load_cert_from_pemder(str(seal_dir / "ca.pem"))


def seal_status(data: bytes, root: asn1_x509.Certificate):
    """pyHanko's verdict on the PDF's one signature, trusting only `root`."""
    signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    assert len(signatures) == 1
    context = ValidationContext(trust_roots=[root], allow_fetching=False)
    return validate_pdf_signature(signatures[0], context)


_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)")


def altered(data: bytes) -> bytes:
    """A copy with one bit changed in the middle of the sealed content (a forger's edit)."""
    match = _BYTE_RANGE.search(data)
    assert match, "the PDF has no signature byte range"
    position = int(match.group(1)) + int(match.group(2)) // 2
    copy = bytearray(data)
    copy[position] ^= 0x01
    return bytes(copy)


_CODE = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b")


def printed_code(text: str) -> str:
    match = _CODE.search(text)
    assert match, "no certificate code in the text"
    return match.group(0)
