"""Actors of the canteen tests: a comune with a school year open for enrolment and running, two
schools (a primary school eating Monday to Friday, an infant school Monday to Thursday), the
ISEE bands; a family (Sara, the mother, with Tommaso, 9, and Giulia, 6); an outsider family
(Ettore with his son Bruno); the school office. And helpers to enrol and accept a child."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.canteen import services
from sportello.canteen.models import (
    DietKind,
    DietOption,
    Enrolment,
    Grade,
    School,
    SchoolClass,
    SchoolYear,
    TariffBand,
)
from sportello.certificates.demo_seal import demo_seal_ensure
from sportello.core.models import Municipality
from sportello.registry.models import Person, Relationship, Sex
from tests.registry.factories import family_with_head, member_of

CREDITOR_CODE = "01234560991"
PDF = b"%PDF-1.4\n% certificato medico\n"


@pytest.fixture(scope="session")
def canteen_seal_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("canteen-seal")
    demo_seal_ensure(directory=directory, organisation="Comune di Valdoria")
    return directory


@pytest.fixture(autouse=True)
def canteen_settings(settings, canteen_seal_dir: Path) -> None:
    settings.SPORTELLO_PAYMENTS_PROVIDER = "sportello.payments.providers.simulator.Simulator"
    settings.SPORTELLO_PAGOPA_SEGREGATION_CODE = "47"
    settings.SPORTELLO_PUBLIC_URL = "https://sportello.valdoria.example.it"
    settings.SPORTELLO_SEAL = {
        **settings.SPORTELLO_SEAL,
        "backend": "demo",
        "demo_dir": canteen_seal_dir,
        "trust_roots_file": None,
        "chain_file": None,
        "tsa_url": None,
    }


def years_ago(years: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28))


@pytest.fixture
def municipality(db) -> Municipality:
    return Municipality.objects.create(
        name="Comune di Valdoria",
        short_name="Valdoria",
        istat_code="099999",
        province="VD",
        tax_code=CREDITOR_CODE,
        postal_code="00100",
    )


@dataclass(frozen=True)
class Canteen:
    year: SchoolYear
    primary: School
    infant: School
    class_3a: SchoolClass  # primary, Monday to Friday
    section_b: SchoolClass  # infant, Monday to Thursday
    halal: DietOption


@pytest.fixture
def canteen(municipality) -> Canteen:
    today = timezone.localdate()
    year = SchoolYear.objects.create(
        name="2026/27",
        starts=today - datetime.timedelta(days=60),
        ends=today + datetime.timedelta(days=200),
        enrolment_opens=today - datetime.timedelta(days=10),
        enrolment_closes=today + datetime.timedelta(days=30),
        absence_cutoff=datetime.time(9, 0),
        low_credit_threshold=1000,
        sibling_reduction_percent=20,
    )
    TariffBand.objects.create(
        school_year=year, isee_up_to=Decimal("6000"), resident_price=100, non_resident_price=300
    )
    TariffBand.objects.create(
        school_year=year, isee_up_to=Decimal("15000"), resident_price=280, non_resident_price=480
    )
    TariffBand.objects.create(
        school_year=year, isee_up_to=None, resident_price=520, non_resident_price=620
    )
    primary = School.objects.create(name="Primaria Carducci", grade=Grade.PRIMARIA)
    infant = School.objects.create(name="Infanzia Il Girasole", grade=Grade.INFANZIA)
    return Canteen(
        year=year,
        primary=primary,
        infant=infant,
        class_3a=SchoolClass.objects.create(school=primary, name="3A", canteen_days="12345"),
        section_b=SchoolClass.objects.create(school=infant, name="Sezione B", canteen_days="1234"),
        halal=DietOption.objects.create(name="Senza carne di maiale"),
    )


@dataclass(frozen=True)
class Family:
    sara: Person
    tommaso: Person
    giulia: Person


@pytest.fixture
def family(municipality) -> Family:
    _family, sara = family_with_head(
        code="F-MENSA-1", first_name="Sara", last_name="Galli", sex=Sex.FEMALE
    )
    tommaso = member_of(
        sara.family,
        Relationship.CHILD,
        first_name="Tommaso",
        last_name="Conti",
        birth_date=years_ago(9),
    )
    giulia = member_of(
        sara.family,
        Relationship.CHILD,
        first_name="Giulia",
        last_name="Conti",
        sex=Sex.FEMALE,
        birth_date=years_ago(6),
    )
    return Family(sara=sara, tommaso=tommaso, giulia=giulia)


@pytest.fixture
def bruno(municipality) -> Person:
    """A child of another family."""
    _family, ettore = family_with_head(code="F-MENSA-2", first_name="Ettore", last_name="Neri")
    return member_of(
        ettore.family,
        Relationship.CHILD,
        first_name="Bruno",
        last_name="Neri",
        birth_date=years_ago(8),
    )


def citizen_of(person: Person) -> User:
    existing = User.objects.filter(person=person).first()
    if existing is not None:
        return existing
    return User.objects.create_user(
        person.codice_fiscale,
        person=person,
        first_name=person.first_name,
        last_name=person.last_name,
        email=f"{person.first_name.lower()}@example.it",
        phone="+393331234567",
    )


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sara(family) -> User:
    return citizen_of(family.sara)


@pytest.fixture
def sara_client(sara) -> Client:
    return logged_in(sara)


@pytest.fixture
def school_office(db) -> User:
    user = User.objects.create_user("scuola", is_staff=True, first_name="Ufficio")
    user.groups.add(Group.objects.get(name=Role.SCHOOL_OFFICE))
    return user


@pytest.fixture
def office_client(school_office) -> Client:
    return logged_in(school_office)


def certificate_file(data: bytes = PDF, name: str = "certificato.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def enrol(
    user: User,
    child: Person,
    canteen: Canteen,
    *,
    school_class: SchoolClass | None = None,
    isee: str | None = "5000",
    diet_kind: str = DietKind.NONE,
    submit: bool = True,
) -> Enrolment:
    enrolment = services.enrolment_start(user=user, school_year=canteen.year, child_id=child.pk)
    services.enrolment_update(
        enrolment=enrolment,
        school_class=school_class or canteen.class_3a,
        diet_kind=diet_kind,
        diet_option=canteen.halal if diet_kind == DietKind.ETHICAL else None,
        diet_notes="",
        diet_certificate=certificate_file() if diet_kind == DietKind.MEDICAL else None,
        no_isee=isee is None,
        isee_value=Decimal(isee) if isee is not None else None,
        dsu_protocol="INPS-ISEE-2026-00012345A-00" if isee is not None else "",
        rules_accepted=True,
    )
    if submit:
        enrolment = services.enrolment_submit(enrolment=enrolment, user=user)
    return enrolment


def accepted(user: User, child: Person, canteen: Canteen, operator: User, **kwargs) -> Enrolment:
    enrolment = enrol(user, child, canteen, **kwargs)
    services.enrolments_accept(enrolment_ids=[enrolment.pk], operator=operator)
    enrolment.refresh_from_db()
    return enrolment


def last_weekday(isoweekday: int, *, before: datetime.date | None = None) -> datetime.date:
    """The latest day before `before` (today) that falls on `isoweekday`."""
    day = (before or timezone.localdate()) - datetime.timedelta(days=1)
    while day.isoweekday() != isoweekday:
        day -= datetime.timedelta(days=1)
    return day
