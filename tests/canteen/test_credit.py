"""The prepaid credit: a top-up is a pagoPA notice for the child, credited once when pagoPA's
receipt arrives; a low balance warns the parents once per dip; a negative balance at the end of
the month becomes a notice of its own; the statement of a year is a sealed PDF."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from sportello.canteen import credit
from sportello.canteen.models import CreditAccount, Movement, MovementKind, TopUp, TopUpKind
from sportello.canteen.statement import statement_pdf
from sportello.core.exceptions import ApplicationError
from sportello.payments.hooks import PaymentEvent
from sportello.payments.models import PaymentOption, PaymentPosition
from sportello.payments.services import receipts_receive
from tests.payments.conftest import receipt_for

from .conftest import accepted

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(canteen, family, sara, school_office) -> CreditAccount:
    return accepted(sara, family.tommaso, canteen, school_office).account


def paid(position_id: int) -> None:
    position = PaymentPosition.objects.get(pk=position_id)
    credit.canteen_position_paid(
        PaymentEvent(position_id, position.options.first().pk, "canteen", "", True)
    )


def test_a_top_up_is_a_notice_for_the_child(account, sara, family) -> None:
    option_id = credit.top_up_request(account=account, user=sara, amount="20")
    option = PaymentOption.objects.select_related("position").get(pk=option_id)
    assert option.amount == 2000
    assert option.position.service == "canteen"
    assert option.position.debtor_fiscal_code == family.tommaso.codice_fiscale


@pytest.mark.parametrize("amount", ["0.01", "4.99", "abc", "20.001", "-5"])
def test_a_top_up_under_five_euros_or_not_an_amount_is_refused(account, sara, amount) -> None:
    with pytest.raises(ApplicationError):
        credit.top_up_request(account=account, user=sara, amount=amount)
    assert not TopUp.objects.exists() and not PaymentPosition.objects.exists()


def test_the_receipt_credits_the_child_once(account, sara) -> None:
    option_id = credit.top_up_request(account=account, user=sara, amount="20.50")
    option = PaymentOption.objects.select_related("position").get(pk=option_id)
    document = receipt_for(option, receipt_id="R-MENSA-1")
    receipts_receive(documents=[document], source="provider")
    paid(option.position_id)  # the hook again, as a redelivered task would
    account.refresh_from_db()
    assert account.balance == 2050
    assert Movement.objects.filter(account=account, kind=MovementKind.TOP_UP).count() == 1


def test_low_credit_warns_once_per_dip(
    account, sara, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    from sportello.channels.models import Delivery

    with django_capture_on_commit_callbacks(execute=True):
        assert credit.low_credit_check() == [account.pk]
        assert credit.low_credit_check() == []
    deliveries = Delivery.objects.filter(purpose="canteen_low_credit")
    assert sorted(deliveries.values_list("medium", flat=True)) == ["email", "sms"]
    option_id = credit.top_up_request(account=account, user=sara, amount="50")
    paid(PaymentOption.objects.get(pk=option_id).position_id)
    account.refresh_from_db()
    assert not account.low_credit_notified  # armed again


def test_a_negative_month_becomes_a_notice_once(account, school_office) -> None:
    credit.movement_correct(
        account=account,
        operator=school_office,
        amount=-3120,
        kind=MovementKind.CORRECTION,
        note="Pasti di ottobre",
    )
    month = timezone.localdate().replace(day=1)
    assert credit.month_debts_create(month=month) == 1
    assert credit.month_debts_create(month=month) == 0
    debt = TopUp.objects.get(kind=TopUpKind.DEBT)
    assert debt.amount == 3120
    position = PaymentPosition.objects.get(pk=debt.payment_position_id)
    assert "saldo negativo" in position.title
    # next month, still unpaid and no new meals: nothing more is asked
    next_month = (month + datetime.timedelta(days=32)).replace(day=1)
    assert credit.month_debts_create(month=next_month) == 0
    paid(position.pk)
    account.refresh_from_db()
    assert account.balance == 0


def test_the_statement_is_a_sealed_pdf_of_what_was_paid(account, sara) -> None:
    option_id = credit.top_up_request(account=account, user=sara, amount="20")
    paid(PaymentOption.objects.get(pk=option_id).position_id)
    pdf = statement_pdf(account=account, year=timezone.localdate().year, user=sara)
    reader = PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    assert "20,00" in text and account.child_name in text
    assert "/ByteRange" in pdf.decode("latin-1")  # signed


def test_a_child_not_resident_is_paid_for_by_the_parent(canteen, sara, school_office) -> None:
    import datetime as dt

    from sportello.canteen import services

    enrolment = services.enrolment_start(
        user=sara,
        school_year=canteen.year,
        fiscal_code="RSSMRA17A01G702Q",
        first_name="Mario",
        last_name="Rossi",
        birth_date=dt.date(2017, 1, 1),
    )
    services.enrolment_update(
        enrolment=enrolment,
        school_class=canteen.class_3a,
        diet_kind="none",
        diet_option=None,
        diet_notes="",
        diet_certificate=None,
        no_isee=True,
        isee_value=None,
        dsu_protocol="",
        rules_accepted=True,
    )
    services.enrolment_submit(enrolment=enrolment, user=sara)
    services.enrolments_accept(enrolment_ids=[enrolment.pk], operator=school_office)
    enrolment.refresh_from_db()
    option_id = credit.top_up_request(account=enrolment.account, user=sara, amount="20")
    position = PaymentOption.objects.get(pk=option_id).position
    assert position.debtor_fiscal_code == sara.person.codice_fiscale
    assert enrolment.meal_price == 620  # top band, not resident
