"""The residents' permits of the demo comune carry «diritti di istruttoria» (€10) on every
application and renewal, on top of the fee table: the demo car's renewal (the household's first
car, free by the table) is paid through pagoPA, and a second car costs €60 + €10. The summary,
the permit's page and the e-mail show the lines one by one."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from sportello.accounts.models import User
from sportello.channels.models import Delivery
from sportello.payments.models import PaymentOption, PaymentPosition
from sportello.permits import services
from sportello.permits.models import Permit, PermitStatus, PermitType
from tests.permits.conftest import logged_in, page_text, receipt_for, upload

pytestmark = pytest.mark.django_db


def seen(response) -> str:
    """The page's text as read: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page_text(response)).split())


@pytest.fixture
def demo(settings):
    call_command("demo", "--citizens", "20", "--seed", "1", stdout=io.StringIO())
    return User.objects.get(username="cittadino")


def pay_with_a_receipt(permit: Permit, django_capture_on_commit_callbacks) -> Permit:
    """pagoPA's receipt arrives for the permit's notice (as after the checkout)."""
    from sportello.payments.services import position_publish, receipts_receive
    from sportello.payments.services.receipts import creditor_code_configured

    option = PaymentOption.objects.get(position_id=permit.payment_position_id)
    position_publish(position_id=permit.payment_position_id)
    with django_capture_on_commit_callbacks(execute=True):
        receipts_receive(
            documents=[receipt_for(option, creditor=creditor_code_configured())], source="test"
        )
    permit.refresh_from_db()
    return permit


def test_the_demo_residents_types_carry_a_handling_fee(demo):
    for code, kind in (("ztl-centro", "resident"), ("zsc-centro", "resident_parking")):
        permit_type = PermitType.objects.get(zone__code=code, kind=kind)
        assert permit_type.fees == ["0.00", "60.00", "150.00"]
        assert permit_type.handling_fee == 10


def test_renewing_the_demo_car_costs_10_euro_through_pagopa(
    demo, django_capture_on_commit_callbacks
):
    current = Permit.objects.get(holder=demo.person, status=PermitStatus.VALID)
    client = logged_in(demo)
    response = client.post(reverse("permits:renew", args=[current.pk]))
    renewal = Permit.objects.get(renewal_of=current)
    summary = seen(client.get(response["Location"]))
    assert "Tariffa (1° veicolo del nucleo) gratuito" in summary
    assert "Diritti di istruttoria € 10,00" in summary
    assert "Totale € 10,00" in summary

    client.post(reverse("permits:summary", args=[renewal.pk]))
    renewal.refresh_from_db()
    assert renewal.status == PermitStatus.AWAITING_PAYMENT
    position = PaymentPosition.objects.get(pk=renewal.payment_position_id)
    assert [option.amount for option in position.options.all()] == [1000]  # cents
    detail = seen(client.get(reverse("permits:detail", args=[renewal.pk])))
    assert "Paga € 10,00 con pagoPA" in detail
    assert "Tariffa (1° veicolo del nucleo) gratuito" in detail
    email = Delivery.objects.get(purpose="permit_submitted", reference=str(renewal.pk))
    text = email.payload["text"]
    assert "Tariffa (1° veicolo del nucleo): gratuito" in text
    assert "Diritti di istruttoria: € 10,00" in text and "Totale: € 10,00" in text

    renewal = pay_with_a_receipt(renewal, django_capture_on_commit_callbacks)
    assert renewal.status == PermitStatus.VALID
    assert renewal.valid_from == current.valid_until + datetime.timedelta(days=1)


def test_a_second_car_shows_60_plus_10(demo):
    client = logged_in(demo)
    resident = PermitType.objects.get(zone__code="ztl-centro", kind="resident")
    response = client.post(
        reverse("permits:apply"),
        {
            "permit_type": resident.pk,
            "plate": "GH 456 JK",
            "ownership": "family",
            "owner": demo.person_id,
            "registration_document": upload(),
        },
    )
    summary = seen(client.get(response["Location"]))
    assert "Tariffa (2° veicolo del nucleo) € 60,00" in summary
    assert "Diritti di istruttoria € 10,00" in summary
    assert "Totale € 70,00" in summary
    draft = Permit.objects.get(plate="GH456JK")
    permit = services.permit_confirm(permit=draft, user=demo)
    assert permit.status == PermitStatus.AWAITING_PAYMENT
    assert (permit.fee, permit.handling_fee, permit.total) == (60, 10, 70)


def test_a_later_change_of_the_handling_fee_does_not_rewrite_a_confirmed_permit(demo):
    resident = PermitType.objects.get(zone__code="ztl-centro", kind="resident")
    current = Permit.objects.get(holder=demo.person, status=PermitStatus.VALID)
    renewal = services.permit_confirm(
        permit=services.permit_renew(permit=current, user=demo), user=demo
    )
    resident.handling_fee = 25
    resident.save()
    renewal.refresh_from_db()
    assert renewal.total == 10


def test_the_demo_resets_after_the_car_was_renewed(demo):
    current = Permit.objects.get(holder=demo.person, status=PermitStatus.VALID)
    services.permit_confirm(permit=services.permit_renew(permit=current, user=demo), user=demo)
    call_command("demo", "--reset", "--citizens", "20", "--seed", "1", stdout=io.StringIO())
    citizen = User.objects.get(username="cittadino")
    assert Permit.objects.filter(holder=citizen.person).count() == 1
