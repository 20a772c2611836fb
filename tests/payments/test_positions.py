"""Debt positions as a service creates them: amounts in cents, the comune's account and
taxonomy by default, published at once on the (simulated) platform; bad input refused with a
clear message and nothing written; asking twice for the same thing gives the same position."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from sportello.core.exceptions import ApplicationError
from sportello.core.models import AuditEvent, Municipality
from sportello.payments.models import (
    PaymentOption,
    PaymentPosition,
    PositionStatus,
    Transfer,
)
from sportello.payments.services import position_invalidate, positions_create, positions_expire
from sportello.payments.validation import Debtor, OptionSpec, PositionSpec, TransferSpec

from .conftest import CATEGORY, Household, canteen_spec, make_position

# Transactions commit as in production: publication and hooks run after the commit.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_position_is_created_published_and_payable(household: Household, settings) -> None:
    position = make_position(household.tommaso, amount="45.60")

    assert position.status == PositionStatus.VALID
    assert position.published_at is not None
    assert position.debtor_fiscal_code == household.tommaso.codice_fiscale
    assert position.debtor_type == "F"
    assert position.company_name == "Comune di Valdoria"
    assert position.iupd.startswith("01234560991-")
    [option] = position.options.all()
    assert option.amount == 4560
    [transfer] = option.transfers.all()
    assert transfer.amount == 4560
    assert transfer.iban == settings.SPORTELLO_PAGOPA_IBAN
    assert transfer.category == CATEGORY
    assert transfer.organization_fiscal_code == "01234560991"


def test_asking_again_for_the_same_thing_returns_the_same_position(household: Household) -> None:
    first = make_position(household.tommaso, reference="mensa-1")
    again = make_position(household.tommaso, reference="mensa-1")
    assert again.pk == first.pk
    assert PaymentPosition.objects.count() == 1


def bad(spec: PositionSpec) -> str:
    with pytest.raises(ApplicationError) as raised:
        positions_create(specs=[spec])
    assert PaymentPosition.objects.count() == 0
    assert PaymentOption.objects.count() == 0
    return raised.value.message


def with_single(spec: PositionSpec, **changes) -> PositionSpec:
    fields = {**spec.single.__dict__, **changes}
    return PositionSpec(**{**spec.__dict__, "single": OptionSpec(**fields)})


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "maggiore di zero"),
        ("-5.00", "maggiore di zero"),
        ("12.345", "al massimo due decimali"),
        ("abc", "non è un importo"),
        ("1000000000.00", "massimo"),
    ],
)
def test_amounts_must_be_positive_with_at_most_two_decimals(
    household: Household, amount: str, message: str
) -> None:
    spec = canteen_spec(household.tommaso)
    assert message in bad(with_single(spec, amount=amount))


def test_an_iban_that_fails_its_check_is_refused(household: Household) -> None:
    spec = canteen_spec(household.tommaso)
    transfer = TransferSpec(Decimal("45.60"), "Mensa", CATEGORY, iban="IT18J0100513900000000012345")
    assert "IBAN" in bad(with_single(spec, transfers=(transfer,)))


def test_a_taxonomy_code_in_the_wrong_form_is_refused(household: Household) -> None:
    spec = canteen_spec(household.tommaso)
    message = bad(PositionSpec(**{**spec.__dict__, "category": "mensa"}))
    assert "codice tassonomico" in message and "9/0101108TS/" in message


def test_other_bad_input_is_named(household: Household) -> None:
    spec = canteen_spec(household.tommaso)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert "già passata" in bad(with_single(spec, due_date=yesterday))
    assert "140 caratteri" in bad(with_single(spec, description="x" * 141))
    six = tuple(TransferSpec(Decimal("1.00"), "parte", CATEGORY) for _ in range(6))
    assert "cinque" in bad(with_single(spec, amount="6.00", transfers=six))
    two = tuple(TransferSpec(Decimal("1.00"), "parte", CATEGORY) for _ in range(2))
    assert "somma dei trasferimenti" in bad(with_single(spec, amount="3.00", transfers=two))
    one_instalment = canteen_spec(household.tommaso, amount="", instalments=("10.00",))
    assert "almeno due" in bad(one_instalment)
    wrong_code = PositionSpec(
        **{**spec.__dict__, "debtor": Debtor(fiscal_code="RSSMRA80A01E625X", name="Mario Rossi")}
    )
    assert "codice fiscale" in bad(wrong_code)


def test_one_bad_position_among_many_stops_them_all(household: Household) -> None:
    good = [canteen_spec(household.tommaso, reference=f"ok-{n}") for n in range(5)]
    broken = with_single(canteen_spec(household.tommaso, reference="ko"), amount="0")
    message = bad_many = None
    with pytest.raises(ApplicationError) as raised:
        positions_create(specs=[*good, broken])
    message = raised.value.message
    bad_many = raised.value.extra["errors"]
    assert PaymentPosition.objects.count() == 0
    assert "1 posizione su 6" in message and "n. 6" in message
    assert list(bad_many) == [5]


def test_without_the_comunes_fiscal_code_payments_say_they_are_not_active(
    household: Household, municipality: Municipality
) -> None:
    municipality.tax_code = ""
    municipality.save()
    message = bad(canteen_spec(household.tommaso))
    assert "non sono ancora attivi" in message


def test_a_digital_stamp_needs_no_iban(household: Household) -> None:
    from sportello.payments.validation import Stamp

    spec = canteen_spec(household.sara)
    stamp = TransferSpec(
        Decimal("16.00"), "Bollo", "9/0101108TS/", stamp=Stamp(b"\x01" * 32, province="VD")
    )
    [position_id] = positions_create(specs=[with_single(spec, amount="16.00", transfers=(stamp,))])
    [transfer] = Transfer.objects.filter(option__position_id=position_id)
    assert transfer.iban == ""
    assert transfer.stamp_hash == "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
    assert transfer.stamp_type == "01" and transfer.stamp_province == "VD"
    stamp_on_iban = TransferSpec(
        Decimal("16.00"),
        "Bollo",
        "9/0101108TS/",
        iban="IT17J0100513900000000012345",
        stamp=Stamp(b"\x01" * 32, province="VD"),
    )
    PaymentPosition.objects.all().delete()
    assert "IBAN" in bad(
        with_single(
            canteen_spec(household.sara, reference="x"), amount="16.00", transfers=(stamp_on_iban,)
        )
    )


def test_an_operator_annuls_an_unpaid_position_with_a_reason(household: Household) -> None:
    position = make_position(household.tommaso)
    with pytest.raises(ApplicationError):
        position_invalidate(position=position, reason="   ")
    position.refresh_from_db()
    assert position.status == PositionStatus.VALID

    position_invalidate(position=position, reason="Iscrizione ritirata")
    position.refresh_from_db()
    assert position.status == PositionStatus.INVALID
    assert position.invalidation_reason == "Iscrizione ritirata"
    assert AuditEvent.objects.filter(action="payment_position_invalidated").exists()
    with pytest.raises(ApplicationError, match="già annullata"):
        position_invalidate(position=position, reason="di nuovo")
    # Annulled, the same thing can be asked for again.
    again = make_position(household.tommaso)
    assert again.pk != position.pk


def test_positions_meant_to_expire_do_after_their_last_due_date(household: Household) -> None:
    expiring = make_position(
        household.tommaso, reference="a", switch_to_expired=True, due_in_days=1
    )
    lasting = make_position(
        household.tommaso, reference="b", switch_to_expired=False, due_in_days=1
    )
    assert positions_expire(today=timezone.localdate()) == 0
    later = timezone.localdate() + datetime.timedelta(days=2)
    assert positions_expire(today=later) == 1
    expiring.refresh_from_db()
    lasting.refresh_from_db()
    assert expiring.status == PositionStatus.EXPIRED
    assert lasting.status == PositionStatus.VALID
