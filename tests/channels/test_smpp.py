"""The SMPP provider against a real SMPP 3.4 server on loopback (smsc.py): what reaches the SMSC
(addresses, coding, concatenated parts, the window), errors that fail a delivery or retry it, a
session the SMSC dropped, and the delivery receipts the listener and the workers take in."""

from __future__ import annotations

import os
import select
import signal
import threading
import time
from collections.abc import Iterator

import pytest
import smpp34
from django.core.management import call_command

from sportello.channels.base import DeliveryStatus, Medium
from sportello.channels.gsm import gsm_encode
from sportello.channels.models import Delivery
from sportello.channels.providers import smpp as smpp_provider
from sportello.channels.services import delivery_create
from tests.channels.retries import retrying
from tests.channels.smsc import HOST, Smsc, Submit, smsc_running, until

pytestmark = pytest.mark.django_db

MOBILE = "+393331234567"
TOWN_HALL = "+390586111222"  # the alert caller id
GSM_TEXT = (
    "Allerta meteo arancione: domani chiuse scuole e parchi. Evitate i sottopassi, "
    "è già allagato quello di via Roma. Info sul sito del Comune o al numero "
    "0586 000 222 [24 ore su 24]. Costo 0,10 € al minuto"
)[:-1]
UCS2_TEXT = (
    "🌧️ ALLERTA ROSSA — È vietato l'accesso ai lungofiumi; città chiusa al traffico. "
    "Seguite i volontari🚒"
)


@pytest.fixture
def smsc(settings) -> Iterator[Smsc]:
    with smsc_running() as server:
        settings.SPORTELLO_CHANNELS = {"sms": "sportello.channels.providers.smpp.SmppSms"}
        settings.SPORTELLO_SMPP = {
            "host": HOST,
            "port": server.port,
            "system_id": "comune",
            "password": "segreto",
            "timeout": 3,
        }
        yield server
        smpp_provider.smpp_session_reset()


def _sms(capture, text: str = "Allerta gialla domani.", **fields) -> Delivery:
    with capture(execute=True):
        delivery = delivery_create(
            medium=Medium.SMS,
            to=fields.pop("to", MOBILE),
            sender=fields.pop("sender", TOWN_HALL),
            purpose="alert",
            payload={"text": text},
        )
    delivery.refresh_from_db()
    return delivery


def _parts(smsc: Smsc) -> list[Submit]:
    """The submits in part order (the SMSC may answer them in any order)."""
    return sorted(smsc.submits, key=lambda submit: submit.udh[-1:])


def _worker_has_input() -> bool:
    kept = smpp_provider._kept
    return kept is not None and bool(select.select([kept.client._socket], [], [], 0)[0])


def _assert_addressed(submit: Submit) -> None:
    assert (submit.source_addr, submit.source_addr_ton, submit.source_addr_npi) == (
        "390586111222",
        1,  # international
        1,  # ISDN/E.164
    )
    assert (submit.destination_addr, submit.dest_addr_ton, submit.dest_addr_npi) == (
        "393331234567",
        1,
        1,
    )
    assert submit.registered_delivery == 1


def test_a_short_text_is_one_submit_and_the_smsc_accepts_it(
    smsc: Smsc, django_capture_on_commit_callbacks
) -> None:
    delivery = _sms(django_capture_on_commit_callbacks, "Allerta gialla: è già iniziata.")

    [submit] = smsc.submits
    _assert_addressed(submit)
    assert (submit.esm_class, submit.data_coding) == (0, 0)
    assert submit.short_message == b"Allerta gialla: \x04 gi\x7f iniziata."  # GSM 03.38 codes
    assert smsc.binds == ["comune"]
    assert (delivery.status, delivery.provider, delivery.provider_id, delivery.attempts) == (
        DeliveryStatus.ACCEPTED,
        "smpp",
        submit.message_id,
        1,
    )


def test_a_long_gsm_text_goes_in_concatenated_parts(
    smsc: Smsc, django_capture_on_commit_callbacks
) -> None:
    assert len(GSM_TEXT) == 200

    delivery = _sms(django_capture_on_commit_callbacks, GSM_TEXT)

    first, second = _parts(smsc)
    for submit in (first, second):
        _assert_addressed(submit)
        assert (submit.esm_class, submit.data_coding) == (0x40, 0)
    reference = first.udh[3]
    assert first.udh == bytes((5, 0, 3, reference, 2, 1))
    assert second.udh == bytes((5, 0, 3, reference, 2, 2))
    assert len(first.body) == 153  # septets, one per octet
    assert first.body + second.body == gsm_encode(GSM_TEXT)
    assert b"\x1b<" in second.body and b"\x1be" in second.body  # "[" and "€", escaped
    assert delivery.provider_id == first.message_id
    assert delivery.status == DeliveryStatus.ACCEPTED


def test_a_text_outside_the_gsm_alphabet_goes_in_ucs2_parts(
    smsc: Smsc, django_capture_on_commit_callbacks
) -> None:
    assert len(UCS2_TEXT) == 100

    delivery = _sms(django_capture_on_commit_callbacks, UCS2_TEXT)

    first, second = _parts(smsc)
    for submit in (first, second):
        _assert_addressed(submit)
        assert (submit.esm_class, submit.data_coding) == (0x40, 8)
        assert len(submit.body) <= 134  # 67 UTF-16 code units
        assert submit.body.decode("utf-16-be")  # whole: no surrogate pair split
    assert first.udh[4:] == bytes((2, 1)) and second.udh[4:] == bytes((2, 2))
    assert (first.body + second.body).decode("utf-16-be") == UCS2_TEXT
    assert delivery.status == DeliveryStatus.ACCEPTED


def test_an_alphanumeric_sender_goes_as_such(
    smsc: Smsc, django_capture_on_commit_callbacks
) -> None:
    _sms(django_capture_on_commit_callbacks, sender="ComuneLivo")

    [submit] = smsc.submits
    assert (submit.source_addr, submit.source_addr_ton, submit.source_addr_npi) == (
        "ComuneLivo",
        5,
        0,
    )


def test_parts_go_several_at_a_time_within_the_window(
    smsc: Smsc, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SPORTELLO_SMPP = {**settings.SPORTELLO_SMPP, "window": 3}
    smsc.batch = 3  # the SMSC answers only once three are waiting: no window, no answer

    delivery = _sms(django_capture_on_commit_callbacks, "Allerta. " * 100)

    assert len(smsc.submits) == 6
    assert smsc.max_outstanding == 3
    assert [submit.udh[-1] for submit in _parts(smsc)] == [1, 2, 3, 4, 5, 6]
    assert delivery.status == DeliveryStatus.ACCEPTED


@pytest.mark.parametrize(
    "setting",
    [None, {"host": HOST, "port": 2775, "system_id": "comune"}],
    ids=["no settings", "no password"],
)
def test_without_smpp_configured_the_delivery_fails(
    smsc: Smsc, settings, setting, django_capture_on_commit_callbacks
) -> None:
    settings.SPORTELLO_SMPP = setting

    delivery = _sms(django_capture_on_commit_callbacks)

    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert "SMPP non configurato" in delivery.reason
    assert smsc.binds == []


def test_an_invalid_destination_fails_at_once(
    smsc: Smsc, django_capture_on_commit_callbacks
) -> None:
    smsc.refuse(smpp34.ESME_RINVDSTADR)

    delivery = _sms(django_capture_on_commit_callbacks)

    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert "ESME_RINVDSTADR" in delivery.reason
    assert len(smsc.submits) == 1


def test_a_number_of_a_country_not_allowed_never_reaches_the_smsc(
    smsc: Smsc, django_capture_on_commit_callbacks
) -> None:
    delivery = _sms(django_capture_on_commit_callbacks, to="+33612345678")

    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert smsc.submits == [] and smsc.binds == []


@pytest.mark.parametrize("status", [smpp34.ESME_RTHROTTLED, smpp34.ESME_RMSGQFUL])
def test_a_throttled_message_is_retried(
    smsc: Smsc, status: int, django_capture_on_commit_callbacks
) -> None:
    smsc.refuse(status)

    with retrying() as retries:
        delivery = _sms(django_capture_on_commit_callbacks)

    assert len(retries) == 1 and "rifiutata" in retries[0]
    assert [submit.status for submit in smsc.submits] == [status, 0]
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.ACCEPTED, 2)
    assert delivery.provider_id == smsc.submits[1].message_id


def test_an_smsc_that_is_down_is_retried_until_it_comes_up(
    smsc: Smsc, django_capture_on_commit_callbacks
) -> None:
    smsc.relay.refuse()

    with retrying(smsc.relay.listen) as retries:
        delivery = _sms(django_capture_on_commit_callbacks)

    assert len(retries) == 1 and "non raggiungibile" in retries[0]
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.ACCEPTED, 2)
    assert len(smsc.submits) == 1


def test_a_session_the_smsc_dropped_is_bound_again(
    smsc: Smsc, django_capture_on_commit_callbacks
) -> None:
    first = _sms(django_capture_on_commit_callbacks)
    assert smsc.relay.accepted == 1  # the session is kept between messages
    smsc.relay.cut()

    second = _sms(django_capture_on_commit_callbacks, "Allerta revocata.")

    assert smsc.relay.accepted == 2 and smsc.binds == ["comune", "comune"]
    assert (first.status, second.status) == (DeliveryStatus.ACCEPTED, DeliveryStatus.ACCEPTED)
    assert second.attempts == 1  # bound again within the same attempt
    assert len(smsc.submits) == 2


def test_a_receipt_on_a_worker_session_is_taken_at_its_next_use(
    smsc: Smsc, django_capture_on_commit_callbacks
) -> None:
    first = _sms(django_capture_on_commit_callbacks)
    answer = smsc.send_receipt(first.provider_id)
    until(_worker_has_input, "the receipt did not reach the worker's session")  # idle: unread

    _sms(django_capture_on_commit_callbacks, "Secondo messaggio.")

    assert answer.result(5) == 0

    first.refresh_from_db()
    assert first.status == DeliveryStatus.DELIVERED
    assert list(first.events.values_list("status", flat=True)) == [
        DeliveryStatus.QUEUED,
        DeliveryStatus.ACCEPTED,
        DeliveryStatus.DELIVERED,
    ]


@pytest.mark.parametrize(
    ("stat", "with_tlvs", "status", "reason"),
    [
        ("DELIVRD", True, DeliveryStatus.DELIVERED, ""),
        ("UNDELIV", True, DeliveryStatus.FAILED, "SMSC: UNDELIV (errore 001)"),
        ("EXPIRED", False, DeliveryStatus.FAILED, "SMSC: EXPIRED (errore 001)"),
    ],
    ids=["delivered", "undeliverable", "expired, text only"],
)
def test_the_listener_applies_receipts(
    smsc: Smsc, stat, with_tlvs, status, reason, django_capture_on_commit_callbacks
) -> None:
    delivery = _sms(django_capture_on_commit_callbacks)
    smpp_provider.smpp_session_reset()  # receipts now reach only the listener's session
    answers = []
    lines: list[str] = []
    binds_before = len(smsc.binds)
    deadline = time.monotonic() + 30

    def report(line: str) -> None:
        lines.append(line)
        if line.startswith("Collegato"):
            # The SMSC may not have seen the listener's bind (nor the worker's unbind) yet: the
            # last session is the listener's only once its bind is recorded.
            until(lambda: len(smsc.binds) > binds_before, "the listener's bind was not seen")
            session = smsc.session()
            answers.append(smsc.send_receipt("FFFF0000", session=session, err="001"))
            answers.append(
                smsc.send_receipt(delivery.provider_id, stat, session=session, err="001")
            )

    smpp_provider.smpp_listen(
        should_stop=lambda: (
            sum("Ricevuta" in line for line in lines) == 2 or time.monotonic() > deadline
        ),
        report=report,
    )

    assert [answer.result(5) for answer in answers] == [0, 0]
    assert sorted(lines[1:3]) == sorted(
        [
            "Ricevuta FFFF0000 DELIVRD: nessun invio",
            f"Ricevuta {delivery.provider_id} {stat}: invio {delivery.pk}",
        ]
    )
    assert lines[-1] == "Scollegato."
    delivery.refresh_from_db()
    assert (delivery.status, delivery.reason) == (status, reason)


def test_the_listen_command_binds_takes_receipts_and_stops_on_sigterm(
    smsc: Smsc, django_capture_on_commit_callbacks, capsys
) -> None:
    delivery = _sms(django_capture_on_commit_callbacks)
    smpp_provider.smpp_session_reset()

    def receipt_then_stop() -> None:
        try:
            until(lambda: len(smsc.binds) == 2, "the listener did not bind")
            smsc.send_receipt(delivery.provider_id, session=smsc.session()).result(5)
        finally:  # stop the listener even when the peer failed: the assertions below tell
            os.kill(os.getpid(), signal.SIGTERM)

    helper = threading.Thread(target=receipt_then_stop, daemon=True)
    helper.start()
    call_command("smpp_listen")
    helper.join(5)

    output = capsys.readouterr().out
    assert f"Collegato a {HOST}:{smsc.port} come comune" in output
    assert f"invio {delivery.pk}" in output
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    until(lambda: not smsc.sessions, "the listener did not unbind")
