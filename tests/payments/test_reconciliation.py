"""Reconciliation: a receipt marks its notice paid exactly once. The same receipt again changes
nothing; any other receipt that cannot pay a notice (unknown, already paid, annulled, another
amount, a failed payment, an unreadable document) is kept as an anomaly and shown to the
operators; the service is told after the commit; the payer gets one e-mail."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection

from sportello.payments.hooks import payment_service_register
from sportello.payments.models import (
    Anomaly,
    OptionStatus,
    PaymentPosition,
    PositionStatus,
    Receipt,
)
from sportello.payments.selectors import option_payable, position_remaining
from sportello.payments.services import position_invalidate, receipts_receive

from .conftest import Household, make_position, receipt_for

pytestmark = pytest.mark.django_db(transaction=True)


def receive(*documents: bytes):
    return receipts_receive(documents=list(documents), source="provider")


def test_a_receipt_pays_its_notice_and_a_repeated_one_changes_nothing(household: Household) -> None:
    position = make_position(household.tommaso)
    option = position.options.get()
    document = receipt_for(option, receipt_id="R-1")

    first = receive(document)
    assert first.paid == 1
    option.refresh_from_db()
    position.refresh_from_db()
    assert option.status == OptionStatus.PAID and option.paid_at is not None
    assert position.status == PositionStatus.PAID and position.paid_at is not None
    paid_at = option.paid_at

    again = receive(document, document)
    assert again.paid == 0 and again.repeated == 2
    assert Receipt.objects.count() == 1
    option.refresh_from_db()
    assert option.paid_at == paid_at


def test_a_second_payment_of_the_same_notice_is_kept_as_an_anomaly(household: Household) -> None:
    option = make_position(household.tommaso).options.get()
    receive(receipt_for(option, receipt_id="R-1"))
    report = receive(receipt_for(option, receipt_id="R-2"))

    assert report.paid == 0 and report.anomalies == {Anomaly.ALREADY_PAID: 1}
    second = Receipt.objects.get(receipt_id="R-2")
    assert second.anomaly == Anomaly.ALREADY_PAID and not second.pays_option
    assert Receipt.objects.filter(pays_option=True).count() == 1


@pytest.mark.parametrize(
    ("change", "anomaly"),
    [
        ({"notice_number": "347000000000000099"}, Anomaly.UNKNOWN_NOTICE),
        ({"creditor": "00104330493"}, Anomaly.UNKNOWN_NOTICE),
        ({"amount": 4000}, Anomaly.AMOUNT_MISMATCH),
        ({"outcome": "KO"}, Anomaly.OUTCOME_KO),
    ],
)
def test_receipts_that_cannot_pay_are_kept_and_pay_nothing(
    household: Household, change: dict, anomaly: str
) -> None:
    option = make_position(household.tommaso).options.get()
    report = receive(receipt_for(option, **change))

    assert report.anomalies == {anomaly: 1}
    receipt = Receipt.objects.get()
    assert receipt.anomaly == anomaly and receipt.document.startswith("<?xml")
    option.refresh_from_db()
    assert option.status == OptionStatus.UNPAID


def test_a_receipt_for_an_annulled_position_is_an_anomaly(household: Household) -> None:
    position = make_position(household.tommaso)
    position_invalidate(position=position, reason="Errore di emissione")
    receive(receipt_for(position.options.get()))
    assert Receipt.objects.get().anomaly == Anomaly.NOT_PAYABLE
    position.refresh_from_db()
    assert position.status == PositionStatus.INVALID


def test_an_unreadable_document_is_kept_once(household: Household) -> None:
    report = receive(b"<receipt><receiptId>x</receiptId></receipt>", b"not xml at all")
    assert report.anomalies == {Anomaly.UNREADABLE: 2}
    again = receive(b"not xml at all")
    assert again.repeated == 1
    kept = Receipt.objects.order_by("pk")
    assert [receipt.anomaly for receipt in kept] == [Anomaly.UNREADABLE] * 2
    assert "missing" in kept[0].resolution_note


def test_instalments_show_what_is_left_until_all_are_paid(household: Household) -> None:
    position = make_position(
        household.tommaso, amount="90.00", instalments=("30.00", "30.00", "30.00")
    )
    options = {option.instalment: option for option in position.options.all()}
    assert position_remaining(position) == 9000

    receive(receipt_for(options[1]))
    position.refresh_from_db()
    assert position.status == PositionStatus.PARTIALLY_PAID
    assert position_remaining(position) == 6000
    siblings = list(position.options.all())
    by_number = {option.instalment: option for option in siblings}
    # Once an instalment is paid, the single payment is no longer on offer.
    assert not option_payable(by_number[0], siblings)
    assert option_payable(by_number[2], siblings)

    receive(receipt_for(options[2]), receipt_for(options[3]))
    position.refresh_from_db()
    assert position.status == PositionStatus.PAID
    assert position_remaining(position) == 0


def test_the_service_hears_of_the_payment_once_committed(household: Household) -> None:
    heard = []

    def on_paid(event) -> None:
        position = PaymentPosition.objects.get(pk=event.position_id)
        heard.append((event.reference, event.position_paid, position.status))

    payment_service_register(key="test-hook", label="prova", on_paid=on_paid)
    position = make_position(household.tommaso)
    PaymentPosition.objects.filter(pk=position.pk).update(service="test-hook")
    receive(receipt_for(position.options.get()))
    # Told after the commit: the service already reads the position as paid.
    assert heard == [("mensa-2026-10", True, PositionStatus.PAID)]


def test_the_payer_gets_one_email_however_many_times_the_receipt_comes(
    household: Household,
) -> None:
    option = make_position(household.tommaso).options.get()
    document = receipt_for(option)
    receive(document)
    receive(document)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["famiglia@example.it"]
    assert "Pagamento ricevuto" in message.subject
    assert "€ 45,60" in message.body and option.notice_number_display in message.body


@pytest.mark.postgres
def test_concurrent_receipts_for_one_notice_pay_it_once(household: Household) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL pass")
    option = make_position(household.tommaso).options.get()
    documents = [receipt_for(option, receipt_id=f"R-{n}") for n in range(10)]
    same = receipt_for(option, receipt_id="R-same")
    barrier = threading.Barrier(20)
    errors = []

    def deliver(document: bytes) -> None:
        try:
            barrier.wait()
            receive(document)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(doc,)) for doc in documents + [same] * 10]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Receipt.objects.filter(pays_option=True).count() == 1
    assert Receipt.objects.count() == 11  # every distinct receipt kept, the repeated one once
    assert Receipt.objects.filter(anomaly=Anomaly.ALREADY_PAID).count() == 10
