"""Actors of the payment tests: a comune with its fiscal code, a family (Sara, the mother, her
husband Paolo, their son Tommaso who is 9, their daughter Elena who is 20), an outsider, the
accounting office; and helpers that make positions the way a service of the comune would."""

from __future__ import annotations

import datetime
import html
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.core.models import Municipality
from sportello.payments.models import PaymentPosition
from sportello.payments.services import positions_create
from sportello.payments.validation import Debtor, OptionSpec, PositionSpec
from sportello.registry.models import Person, Relationship, Sex
from tests.conftest import ON_CI  # noqa: F401  (re-exported for the tests)
from tests.registry.factories import family_with_head, member_of

CREDITOR_CODE = "01234560991"
CATEGORY = "9/0201102IM/"


@pytest.fixture(autouse=True)
def payment_settings(settings) -> None:
    settings.SPORTELLO_PAYMENTS_PROVIDER = "sportello.payments.providers.simulator.Simulator"
    settings.SPORTELLO_PAGOPA_SEGREGATION_CODE = "47"
    settings.SPORTELLO_PAGOPA_SIMULATOR_DUPLICATE = True
    settings.SPORTELLO_PUBLIC_URL = "https://sportello.valdoria.example.it"


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


def years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


@dataclass(frozen=True)
class Household:
    sara: Person  # the mother, head of the family
    paolo: Person  # her husband
    tommaso: Person  # their son, 9
    elena: Person  # their daughter, 20


@pytest.fixture
def household(municipality: Municipality) -> Household:
    _family, sara = family_with_head(
        code="F-PAY-1", first_name="Sara", last_name="Galli", sex=Sex.FEMALE
    )
    family = sara.family
    paolo = member_of(family, Relationship.SPOUSE, first_name="Paolo", last_name="Conti")
    tommaso = member_of(
        family, Relationship.CHILD, first_name="Tommaso", last_name="Conti", birth_date=years_ago(9)
    )
    elena = member_of(
        family,
        Relationship.CHILD,
        first_name="Elena",
        last_name="Conti",
        sex=Sex.FEMALE,
        birth_date=years_ago(20),
    )
    return Household(sara=sara, paolo=paolo, tommaso=tommaso, elena=elena)


@pytest.fixture
def outsider(municipality: Municipality) -> Person:
    _family, stranger = family_with_head(code="F-PAY-2", first_name="Ettore", last_name="Neri")
    return stranger


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
    )


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sara_client(household: Household) -> Client:
    return logged_in(citizen_of(household.sara))


@pytest.fixture
def outsider_client(outsider: Person) -> Client:
    return logged_in(citizen_of(outsider))


def operator(username: str, role: Role) -> User:
    user = User.objects.create_user(username, is_staff=True, first_name=username.title())
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def accounting_client(db) -> Client:
    return logged_in(operator("ragioneria", Role.ACCOUNTING))


@pytest.fixture
def school_client(db) -> Client:
    return logged_in(operator("scuola", Role.SCHOOL_OFFICE))


def canteen_spec(
    person: Person,
    *,
    reference: str = "mensa-2026-10",
    amount: str = "45.60",
    instalments: tuple[str, ...] = (),
    title: str = "Mensa scolastica, ottobre 2026",
    due_in_days: int = 30,
    switch_to_expired: bool = False,
) -> PositionSpec:
    due = timezone.localdate() + datetime.timedelta(days=due_in_days)
    return PositionSpec(
        service="demo",
        reference=reference,
        title=title,
        debtor=Debtor(
            fiscal_code=person.codice_fiscale, name=person.full_name, email="famiglia@example.it"
        ),
        category=CATEGORY,
        single=OptionSpec(Decimal(amount), due, title) if amount else None,
        instalments=tuple(
            OptionSpec(
                Decimal(value), due + datetime.timedelta(days=30 * index), f"{title}, rata {index}"
            )
            for index, value in enumerate(instalments, start=1)
        ),
        switch_to_expired=switch_to_expired,
    )


def make_position(person: Person, **kwargs) -> PaymentPosition:
    [position_id] = positions_create(specs=[canteen_spec(person, **kwargs)])
    return PaymentPosition.objects.get(pk=position_id)


def page_text(response: HttpResponse) -> str:
    return html.unescape(response.content.decode())


def receipt_for(
    option,
    *,
    receipt_id: str | None = None,
    amount: int | None = None,
    outcome: str = "OK",
    notice_number: str | None = None,
    creditor: str = CREDITOR_CODE,
) -> bytes:
    """pagoPA's receipt for `option`, as the platform sends it (paSendRTV2 XML)."""
    import uuid

    from sportello.payments.receipt_xml import ReceiptTransfer, receipt_build

    position = option.position
    return receipt_build(
        receipt_id=receipt_id or uuid.uuid4().hex,
        notice_number=notice_number or option.notice_number,
        organization_fiscal_code=creditor,
        company_name=position.company_name,
        iuv=option.iuv,
        amount=option.amount if amount is None else amount,
        description=option.description,
        debtor_type=position.debtor_type,
        debtor_fiscal_code=position.debtor_fiscal_code,
        debtor_name=position.debtor_name,
        transfers=[
            ReceiptTransfer(
                1, option.amount, creditor, "IT17J0100513900000000012345", "x", CATEGORY
            )
        ],
        psp_id="BCITITMM",
        psp_company_name="Banca di prova",
        payment_method="CP",
        fee=150,
        paid_at=timezone.now(),
        outcome=outcome,
    )
