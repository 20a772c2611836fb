"""The Kannel provider against a real Kannel on loopback (bearerbox, smsbox and fakesmsc, see
kannel.py): what reaches the SMSC, the delivery reports Kannel sends back to our view, refusals
that fail a delivery, and a gateway that is down, waited for by retrying."""

from __future__ import annotations

import urllib.parse
import uuid
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import include, path

from sportello.channels.base import DeliveryStatus, Medium
from sportello.channels.models import Delivery
from sportello.channels.providers.kannel import kannel_dlr_token
from sportello.channels.services import delivery_create
from tests.channels.kannel import (
    PASSWORD,
    USERNAME,
    DlrRecorder,
    Kannel,
    kannel_prepared,
)
from tests.channels.retries import retrying
from tests.channels.smsc import until

# Mounted here as the project mounts it, so these tests do not depend on the project's URL map.
urlpatterns = [path("canali/kannel/", include("sportello.channels.kannel_urls"))]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

MOBILE = "+393331234567"
TOWN_HALL = "+390586111222"
GSM_TEXT = (
    "Allerta meteo arancione: domani chiuse scuole e parchi. Evitate i sottopassi, "
    "è già allagato quello di via Roma. Info sul sito del Comune o al numero "
    "0586 000 222 [24 ore su 24]. Costo 0,10 € al minuto"
)[:-1]
UCS2_TEXT = (
    "🌧️ ALLERTA ROSSA — È vietato l'accesso ai lungofiumi; città chiusa al traffico. "
    "Seguite i volontari🚒"
)
PROVIDER = "sportello.channels.providers.kannel.KannelSms"


@pytest.fixture(scope="module")
def gateway() -> Iterator[Kannel]:
    with kannel_prepared() as kannel:
        kannel.start()
        yield kannel


@pytest.fixture(scope="module")
def recorder() -> Iterator[DlrRecorder]:
    recorder = DlrRecorder()
    yield recorder
    recorder.close()


@pytest.fixture
def kannel(gateway: Kannel, recorder: DlrRecorder, settings) -> Kannel:
    """The gateway as the SMS provider; reports go to the recorder, under a prefix of this
    test's own so that a late report of another test is never taken for one of this."""
    settings.SPORTELLO_CHANNELS = {"sms": PROVIDER}
    settings.SPORTELLO_KANNEL = {
        "url": gateway.sendsms_url,
        "username": USERNAME,
        "password": PASSWORD,
        "dlr_url_base": f"{recorder.base}/{uuid.uuid4().hex}",
        "timeout": 5,
    }
    return gateway


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


def _reports(recorder: DlrRecorder, prefix: str) -> list[str]:
    """Kannel's report requests of this test, as paths of ours."""
    return [
        request.removeprefix(prefix) for request in recorder.requests if request.startswith(prefix)
    ]


def test_a_message_reaches_the_smsc_and_its_reports_come_back(
    kannel: Kannel, recorder: DlrRecorder, settings, django_capture_on_commit_callbacks
) -> None:
    already = len(kannel.received())

    delivery = _sms(django_capture_on_commit_callbacks, "Allerta gialla: è già iniziata.")

    [message] = kannel.wait_for_messages(already + 1)[already:]
    assert (message.sender, message.receiver) == (TOWN_HALL, MOBILE)
    assert message.text == "Allerta gialla: è già iniziata."
    assert (delivery.status, delivery.provider, delivery.attempts) == (
        DeliveryStatus.ACCEPTED,
        "kannel",
        1,
    )
    # fakesmsc acknowledges and "delivers" at once: Kannel reports 8 (SMSC) and 1 (handset).
    prefix = urllib.parse.urlsplit(settings.SPORTELLO_KANNEL["dlr_url_base"]).path
    until(lambda: len(_reports(recorder, prefix)) == 2, "Kannel sent no delivery report")
    reports = _reports(recorder, prefix)
    requested = [urllib.parse.urlsplit(report) for report in reports]
    assert {address.path for address in requested} == {f"/canali/kannel/dlr/{delivery.pk}/"}
    queries = [urllib.parse.parse_qs(address.query) for address in requested]
    assert sorted(query["status"][0] for query in queries) == ["1", "8"]
    assert {query["token"][0] for query in queries} == {kannel_dlr_token(delivery.pk)}
    for report in reports:
        assert Client().get(report).status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED


def test_a_long_text_arrives_in_concatenated_parts(
    kannel: Kannel, django_capture_on_commit_callbacks
) -> None:
    already = len(kannel.received())

    _sms(django_capture_on_commit_callbacks, GSM_TEXT)

    parts = kannel.wait_for_messages(already + 2)[already:]
    assert [part.udh[:3] + part.udh[4:] for part in parts] == [
        bytes((5, 0, 3, 2, 1)),
        bytes((5, 0, 3, 2, 2)),
    ]
    assert "".join(part.text for part in parts) == GSM_TEXT


def test_a_ucs2_text_arrives_intact(kannel: Kannel, django_capture_on_commit_callbacks) -> None:
    already = len(kannel.received())

    short = _sms(django_capture_on_commit_callbacks, "Città allagata 🌧")
    [message] = kannel.wait_for_messages(already + 1)[already:]
    long = _sms(django_capture_on_commit_callbacks, UCS2_TEXT)
    parts = kannel.wait_for_messages(already + 3)[already + 1 :]

    assert (message.kind, message.text) == ("ucs-2", "Città allagata 🌧")
    # fakesmsc shows a part with a header as bytes ("data"): here UTF-16BE, from coding=2.
    assert [part.udh[-2:] for part in parts] == [bytes((2, 1)), bytes((2, 2))]
    assert b"".join(part.data for part in parts).decode("utf-16-be") == UCS2_TEXT
    assert short.status == long.status == DeliveryStatus.ACCEPTED


def test_a_wrong_sendsms_password_fails_the_delivery(
    kannel: Kannel, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SPORTELLO_KANNEL = {**settings.SPORTELLO_KANNEL, "password": "sbagliata"}
    already = len(kannel.received())

    delivery = _sms(django_capture_on_commit_callbacks)

    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert delivery.reason == "Kannel HTTP 403: Authorization failed for sendsms"
    assert len(kannel.received()) == already


@pytest.mark.parametrize(
    "setting",
    [None, {"url": "http://127.0.0.1:13013/cgi-bin/sendsms", "username": USERNAME}],
    ids=["no settings", "no password"],
)
def test_without_kannel_configured_the_delivery_fails(
    settings, setting, django_capture_on_commit_callbacks
) -> None:
    settings.SPORTELLO_CHANNELS = {"sms": PROVIDER}
    settings.SPORTELLO_KANNEL = setting

    delivery = _sms(django_capture_on_commit_callbacks)

    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert "Kannel non configurato" in delivery.reason


def test_a_gateway_that_is_down_is_retried_until_it_comes_up(
    settings, recorder: DlrRecorder, django_capture_on_commit_callbacks
) -> None:
    with kannel_prepared() as kannel:
        settings.SPORTELLO_CHANNELS = {"sms": PROVIDER}
        settings.SPORTELLO_KANNEL = {
            "url": kannel.sendsms_url,
            "username": USERNAME,
            "password": PASSWORD,
            "dlr_url_base": recorder.base,
        }

        with retrying(kannel.start) as retries:
            delivery = _sms(django_capture_on_commit_callbacks)

        assert len(retries) == 1 and "Kannel non raggiungibile" in retries[0]
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.ACCEPTED, 2)
        assert [message.receiver for message in kannel.wait_for_messages(1)] == [MOBILE]


def test_reports_replayed_change_nothing(
    kannel: Kannel, recorder: DlrRecorder, settings, django_capture_on_commit_callbacks
) -> None:
    delivery = _sms(django_capture_on_commit_callbacks, "Allerta gialla.")
    prefix = urllib.parse.urlsplit(settings.SPORTELLO_KANNEL["dlr_url_base"]).path
    until(lambda: len(_reports(recorder, prefix)) == 2, "Kannel sent no delivery report")
    reports = _reports(recorder, prefix)
    for report in reports:  # as Kannel made them
        assert Client().get(report).status_code == 200
    delivery.refresh_from_db()
    recorded = (delivery.status, delivery.updated_at, delivery.events.count())

    for _time in range(51):  # the same signed addresses, again and again
        for report in reports:
            assert Client().get(report).status_code == 200

    delivery.refresh_from_db()
    assert (delivery.status, delivery.updated_at, delivery.events.count()) == recorded
    assert recorded[0] == DeliveryStatus.DELIVERED


def _dlr(delivery_id: int, status: int, token: str | None = None, **extra: str):
    query = {"status": status, "token": token or kannel_dlr_token(delivery_id), **extra}
    return Client().get(f"/canali/kannel/dlr/{delivery_id}/", query)


@pytest.fixture
def accepted() -> Delivery:
    """A delivery Kannel has taken (its task never runs here: the test's transaction never
    commits)."""
    delivery = delivery_create(
        medium=Medium.SMS, to=MOBILE, sender=TOWN_HALL, purpose="alert", payload={"text": "x"}
    )
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.ACCEPTED, provider="kannel"
    )
    return delivery


@pytest.mark.parametrize(
    ("report", "status", "reason"),
    [
        (1, DeliveryStatus.DELIVERED, ""),
        (2, DeliveryStatus.FAILED, "Kannel: non recapitato (NACK/0x0000000B)"),
        (4, DeliveryStatus.ACCEPTED, ""),
        (8, DeliveryStatus.ACCEPTED, ""),
        (16, DeliveryStatus.FAILED, "Kannel: rifiutato dall'SMSC (NACK/0x0000000B)"),
    ],
)
def test_a_signed_report_moves_the_delivery(accepted: Delivery, report, status, reason) -> None:
    response = _dlr(accepted.pk, report, reply="NACK/0x0000000B")

    assert response.status_code == 200
    accepted.refresh_from_db()
    assert (accepted.status, accepted.reason) == (status, reason)
    assert accepted.events.last().detail == {"dlr": report, "reply": "NACK/0x0000000B"}


@pytest.mark.parametrize("token", ["", "forged", "other"])
def test_a_report_without_a_valid_token_is_refused(accepted: Delivery, token: str) -> None:
    if token == "other":
        token = kannel_dlr_token(accepted.pk + 1)  # valid, but for another delivery
    events = accepted.events.count()

    response = Client().get(f"/canali/kannel/dlr/{accepted.pk}/?status=1&token={token}")

    assert response.status_code == 403
    accepted.refresh_from_db()
    assert accepted.status == DeliveryStatus.ACCEPTED and accepted.events.count() == events


def test_reports_for_unknown_deliveries_or_types_are_acknowledged(accepted: Delivery) -> None:
    assert _dlr(accepted.pk + 1000, 1).status_code == 200
    assert _dlr(accepted.pk, 32).status_code == 200
    assert _dlr(accepted.pk, "x").status_code == 200
    assert Client().post(f"/canali/kannel/dlr/{accepted.pk}/").status_code == 405

    accepted.refresh_from_db()
    assert accepted.status == DeliveryStatus.ACCEPTED
