"""Twilio: the requests the real library puts on the wire (only the internet is replaced), errors
that fail a delivery or retry it, and the signed webhooks that speak IVR flows as TwiML and
report call and SMS progress."""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import requests
from django.test import Client
from django.urls import include, path
from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

from sportello.channels import ivr
from sportello.channels.base import DeliveryStatus, Medium
from sportello.channels.models import Delivery, DeliveryEvent
from sportello.channels.providers import twilio as twilio_provider
from sportello.channels.services import delivery_create
from sportello.config.celery import app as celery_app

# Mounted here as the project mounts it, so these tests do not depend on the project's URL map.
urlpatterns = [path("canali/twilio/", include("sportello.channels.twilio_urls"))]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

ACCOUNT_SID = "AC" + "0" * 32
TOKEN = "auth-token-for-tests"
PUBLIC = "https://sportello.comune.example.it"
API = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}"
MOBILE = "+393331234567"
LINE = "+390586111222"
FOREIGN = "+33612345678"
CALL_SID = "CA" + "1" * 32
MESSAGE_SID = "SM" + "2" * 32

FLOW = "test_twilio_reminder"
INBOUND_FLOW = "test_twilio_line"


def reminder(call: ivr.Call, step: str, digits: str) -> ivr.Prompt:
    if step == "start" and call.answered_by == "machine":
        return ivr.Prompt([ivr.Say("Messaggio del Comune per la segreteria.")])
    if step == "start":
        return ivr.Prompt(
            [ivr.Say("Premi 1 per confermare."), ivr.Pause(1)], gather=ivr.Gather("confirm")
        )
    if digits == "1":
        return ivr.Prompt([ivr.Say("Confermato."), ivr.Play("/static/channels/beep.mp3")])
    return ivr.Prompt([ivr.Say("No choice.", language="en")])


def line(call: ivr.Call, step: str, digits: str) -> ivr.Prompt:
    if not call.caller:
        return ivr.Prompt([ivr.Say("Non vediamo il tuo numero.")])
    return ivr.Prompt([ivr.Say(f"Chiami da {call.caller}.")], gather=ivr.Gather("menu", 2, 5))


ivr.flow_register(FLOW, reminder)
ivr.flow_register(INBOUND_FLOW, line)


class RecordingHttpClient(HttpClient):
    """Stands in for the internet: records each request, answers with the next canned reply."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger(__name__), is_async=False)
        self.replies: list[Response | Exception] = []
        self.requests: list[dict[str, Any]] = []

    def request(self, method: str, uri: str, **kwargs: Any) -> Response:
        self.requests.append({"method": method, "url": uri, **kwargs})
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


def created(sid: str) -> Response:
    return Response(201, json.dumps({"sid": sid, "status": "queued"}))


def error(status: int, code: int) -> Response:
    return Response(status, json.dumps({"status": status, "code": code, "message": "no"}))


@pytest.fixture
def wire(settings, monkeypatch) -> RecordingHttpClient:
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SPORTELLO_PUBLIC_URL = PUBLIC + "/"
    settings.SPORTELLO_CALLABLE_COUNTRIES = ["IT"]
    settings.SPORTELLO_CHANNELS = {
        **settings.SPORTELLO_CHANNELS,
        "voice": "sportello.channels.providers.twilio.TwilioVoice",
        "sms": "sportello.channels.providers.twilio.TwilioSms",
    }
    recorder = RecordingHttpClient()
    monkeypatch.setattr(twilio_provider, "twilio_http_client", lambda: recorder)
    return recorder


PAYLOADS = {Medium.VOICE: {"flow": FLOW}, Medium.SMS: {"text": "Allerta meteo arancione."}}
SIDS = {Medium.VOICE: CALL_SID, Medium.SMS: MESSAGE_SID}


def send(medium: str, capture, *, to: str = MOBILE) -> Delivery:
    with capture(execute=True):
        delivery = delivery_create(
            medium=medium, to=to, purpose="test", payload=PAYLOADS[medium], sender=LINE
        )
    delivery.refresh_from_db()
    return delivery


# --- Providers ----------------------------------------------------------------------------------


def test_a_call_asks_twilio_to_fetch_the_flow_from_our_webhooks(
    wire, django_capture_on_commit_callbacks
) -> None:
    wire.replies = [created(CALL_SID)]

    delivery = send(Medium.VOICE, django_capture_on_commit_callbacks)

    [sent] = wire.requests
    assert (sent["method"], sent["url"]) == ("POST", f"{API}/Calls.json")
    assert sent["auth"] == (ACCOUNT_SID, TOKEN)
    assert sent["data"] == {
        "To": MOBILE,
        "From": LINE,
        "Url": f"{PUBLIC}/canali/twilio/voice/{delivery.pk}/start/",
        "StatusCallback": f"{PUBLIC}/canali/twilio/voice/status/",
        "StatusCallbackEvent": ["initiated", "ringing", "answered", "completed"],
        "MachineDetection": "Enable",
    }
    assert (delivery.status, delivery.provider, delivery.provider_id) == (
        DeliveryStatus.SENT,
        "twilio",
        CALL_SID,
    )


def test_answering_machine_detection_can_be_turned_off(
    wire, settings, django_capture_on_commit_callbacks
) -> None:
    settings.TWILIO_MACHINE_DETECTION = False
    wire.replies = [created(CALL_SID)]

    send(Medium.VOICE, django_capture_on_commit_callbacks)

    assert "MachineDetection" not in wire.requests[0]["data"]


def test_an_sms_carries_its_text_and_status_callback(
    wire, django_capture_on_commit_callbacks
) -> None:
    wire.replies = [created(MESSAGE_SID)]

    delivery = send(Medium.SMS, django_capture_on_commit_callbacks)

    [sent] = wire.requests
    assert (sent["method"], sent["url"]) == ("POST", f"{API}/Messages.json")
    assert sent["data"] == {
        "To": MOBILE,
        "From": LINE,
        "Body": "Allerta meteo arancione.",
        "StatusCallback": f"{PUBLIC}/canali/twilio/sms/status/",
    }
    assert (delivery.status, delivery.provider, delivery.provider_id) == (
        DeliveryStatus.SENT,
        "twilio-sms",
        MESSAGE_SID,
    )


@pytest.mark.parametrize("medium", [Medium.VOICE, Medium.SMS])
def test_without_credentials_nothing_is_sent(
    wire, settings, medium, django_capture_on_commit_callbacks
) -> None:
    settings.TWILIO_AUTH_TOKEN = ""

    delivery = send(medium, django_capture_on_commit_callbacks)

    assert wire.requests == []
    assert delivery.status == DeliveryStatus.FAILED
    assert "non configurato" in delivery.reason


@pytest.mark.parametrize("medium", [Medium.VOICE, Medium.SMS])
def test_an_invalid_number_fails_at_once(wire, medium, django_capture_on_commit_callbacks) -> None:
    wire.replies = [error(400, 21211)]

    delivery = send(medium, django_capture_on_commit_callbacks)

    assert len(wire.requests) == 1  # not retried
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert "21211" in delivery.reason


@pytest.mark.parametrize("medium", [Medium.VOICE, Medium.SMS])
@pytest.mark.parametrize(
    "trouble",
    [
        pytest.param(lambda: error(500, 20500), id="server-error"),
        pytest.param(lambda: error(429, 20429), id="rate-limited"),
        pytest.param(lambda: requests.ConnectionError("unreachable"), id="network"),
    ],
)
def test_transient_errors_are_retried_until_twilio_takes_it(
    wire, medium, trouble, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    # Eager Celery re-raises a task's Retry when it propagates errors; let it run the retries.
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    wire.replies = [trouble(), trouble(), created(SIDS[medium])]

    delivery = send(medium, django_capture_on_commit_callbacks)

    assert len(wire.requests) == 3
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 3)
    assert delivery.provider_id == SIDS[medium]


@pytest.mark.parametrize("medium", [Medium.VOICE, Medium.SMS])
def test_numbers_of_other_countries_are_never_called(
    wire, medium, django_capture_on_commit_callbacks
) -> None:
    delivery = send(medium, django_capture_on_commit_callbacks, to=FOREIGN)

    assert wire.requests == []
    assert delivery.status == DeliveryStatus.FAILED
    assert FOREIGN in delivery.reason


# --- Webhooks -----------------------------------------------------------------------------------


def twilio_post(url_path: str, params: dict[str, str], *, signature: str | None = None):
    """POST as Twilio does: form parameters, signed over our public address."""
    if signature is None:
        signature = RequestValidator(TOKEN).compute_signature(PUBLIC + url_path, params)
    headers = {"X-Twilio-Signature": signature} if signature else {}
    return Client().post(url_path, params, headers=headers)


def twiml(response) -> ET.Element:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 (our own response)


@pytest.fixture
def call(wire, django_capture_on_commit_callbacks) -> Delivery:
    """A call Twilio has accepted and is about to ring."""
    wire.replies = [created(CALL_SID)]
    return send(Medium.VOICE, django_capture_on_commit_callbacks)


def answered(call: Delivery, step: str = "start", **params: str):
    fields = {"CallSid": CALL_SID, "From": LINE, "To": MOBILE, "CallStatus": "in-progress"}
    return twilio_post(f"/canali/twilio/voice/{call.pk}/{step}/", {**fields, **params})


def test_an_answered_call_hears_the_flow_and_its_keys_lead_on(call) -> None:
    menu = twiml(answered(call, AnsweredBy="human"))

    first, again = menu.findall("Gather")
    assert first.attrib == {
        "action": f"{PUBLIC}/canali/twilio/voice/{call.pk}/confirm/",
        "method": "POST",
        "numDigits": "1",
        "timeout": "8",
    }
    assert [(part.tag, part.attrib, part.text) for part in first] == [
        ("Say", {"language": "it-IT"}, "Premi 1 per confermare."),
        ("Pause", {"length": "1"}, None),
    ]
    assert ET.tostring(again) == ET.tostring(first)  # said twice, then goodbye
    assert [child.tag for child in menu] == ["Gather", "Gather", "Hangup"]
    call.refresh_from_db()
    assert (call.status, call.answered_by) == (DeliveryStatus.ANSWERED, "human")

    confirmed = twiml(answered(call, "confirm", Digits="1"))

    assert [(part.tag, part.attrib, part.text) for part in confirmed] == [
        ("Say", {"language": "it-IT"}, "Confermato."),
        ("Play", {}, f"{PUBLIC}/static/channels/beep.mp3"),
        ("Hangup", {}, None),
    ]
    call.refresh_from_db()
    assert call.keys == "1"


def test_english_is_spoken_as_british_english(call) -> None:
    spoken = twiml(answered(call, "confirm", Digits="9"))

    assert spoken.find("Say").attrib == {"language": "en-GB"}


def test_an_answering_machine_gets_the_message_and_the_call_is_voicemail(call) -> None:
    spoken = twiml(answered(call, AnsweredBy="machine_start"))

    assert spoken.find("Say").text == "Messaggio del Comune per la segreteria."
    assert spoken.find("Gather") is None
    call.refresh_from_db()
    assert (call.status, call.answered_by) == (DeliveryStatus.VOICEMAIL, "machine")


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param("", id="missing"),
        pytest.param("Zm9yZ2Vk", id="forged"),
        pytest.param(
            RequestValidator(TOKEN).compute_signature("http://testserver/", {}), id="other-url"
        ),
        pytest.param(
            RequestValidator("another-token").compute_signature(PUBLIC, {}), id="other-token"
        ),
    ],
)
def test_unsigned_or_forged_requests_are_refused_and_change_nothing(call, signature) -> None:
    events = DeliveryEvent.objects.count()
    hooks = [
        (f"/canali/twilio/voice/{call.pk}/start/", {"CallSid": CALL_SID, "AnsweredBy": "human"}),
        ("/canali/twilio/voice/in/start/", {"From": MOBILE, "To": LINE}),
        ("/canali/twilio/voice/status/", {"CallSid": CALL_SID, "CallStatus": "completed"}),
        ("/canali/twilio/sms/status/", {"MessageSid": CALL_SID, "MessageStatus": "delivered"}),
    ]

    statuses = [twilio_post(url, params, signature=signature).status_code for url, params in hooks]

    assert statuses == [403, 403, 403, 403]
    assert DeliveryEvent.objects.count() == events
    call.refresh_from_db()
    assert call.status == DeliveryStatus.SENT


def test_a_signature_covers_the_parameters(call) -> None:
    url = f"/canali/twilio/voice/{call.pk}/confirm/"
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + url, {"Digits": "2"})

    response = twilio_post(url, {"Digits": "1"}, signature=signature)

    assert response.status_code == 403
    call.refresh_from_db()
    assert call.keys == ""


def test_webhooks_answer_only_post(wire) -> None:
    assert Client().get("/canali/twilio/voice/status/").status_code == 405


@pytest.fixture
def town_line(monkeypatch) -> None:
    monkeypatch.setattr(ivr, "_INBOUND", dict(ivr._INBOUND))  # the line ends with the test
    ivr.inbound_register(INBOUND_FLOW, label="Prova", number=lambda: LINE)


def test_a_call_to_a_town_line_runs_its_flow(wire, town_line) -> None:
    spoken = twiml(twilio_post("/canali/twilio/voice/in/start/", {"From": MOBILE, "To": LINE}))

    gather = spoken.find("Gather")
    assert gather.attrib["action"] == f"{PUBLIC}/canali/twilio/voice/in/menu/"
    assert (gather.attrib["numDigits"], gather.attrib["timeout"]) == ("2", "5")
    assert gather.find("Say").text == f"Chiami da {MOBILE}."


@pytest.mark.parametrize("hidden", ["anonymous", "+266696687", "Restricted", ""])
def test_a_hidden_caller_is_no_number(wire, town_line, hidden) -> None:
    spoken = twiml(twilio_post("/canali/twilio/voice/in/start/", {"From": hidden, "To": LINE}))

    assert spoken.find("Say").text == "Non vediamo il tuo numero."


def test_a_call_to_an_unknown_line_is_told_so(wire, town_line) -> None:
    params = {"From": MOBILE, "To": "+390586000000"}

    spoken = twiml(twilio_post("/canali/twilio/voice/in/start/", params))

    assert "non è attivo" in spoken.find("Say").text
    assert spoken.find("Hangup") is not None


def call_status(status: str, call_sid: str = CALL_SID, **params: str):
    return twilio_post(
        "/canali/twilio/voice/status/", {"CallSid": call_sid, "CallStatus": status, **params}
    )


@pytest.mark.parametrize(
    ("reports", "expected"),
    [
        (["initiated", "ringing"], DeliveryStatus.RINGING),
        (["ringing", "in-progress", "completed"], DeliveryStatus.COMPLETED),
        (["ringing", "busy"], DeliveryStatus.BUSY),
        (["ringing", "no-answer"], DeliveryStatus.NO_ANSWER),
        (["canceled"], DeliveryStatus.CANCELED),
        (["completed", "ringing"], DeliveryStatus.COMPLETED),  # late news never undoes
    ],
)
def test_call_progress_updates_the_delivery(call, reports, expected) -> None:
    for report in reports:
        assert call_status(report).status_code == 200

    call.refresh_from_db()
    assert call.status == expected


def test_a_call_completed_by_a_machine_is_voicemail(call) -> None:
    call_status("completed", AnsweredBy="machine_end_beep")

    call.refresh_from_db()
    assert (call.status, call.answered_by) == (DeliveryStatus.VOICEMAIL, "machine")


def test_a_failed_call_keeps_the_reason(call) -> None:
    call_status("failed", SipResponseCode="404")

    call.refresh_from_db()
    assert call.status == DeliveryStatus.FAILED
    assert "404" in call.reason


def test_an_unknown_call_is_acknowledged_and_changes_nothing(call) -> None:
    events = DeliveryEvent.objects.count()

    assert call_status("completed", call_sid="CA" + "9" * 32).status_code == 200
    assert DeliveryEvent.objects.count() == events


def sms_status(status: str, message_sid: str = MESSAGE_SID, **params: str):
    return twilio_post(
        "/canali/twilio/sms/status/",
        {"MessageSid": message_sid, "MessageStatus": status, **params},
    )


@pytest.fixture
def sms(wire, django_capture_on_commit_callbacks) -> Delivery:
    wire.replies = [created(MESSAGE_SID)]
    return send(Medium.SMS, django_capture_on_commit_callbacks)


@pytest.mark.parametrize(
    ("reports", "expected"),
    [
        (["queued"], DeliveryStatus.SENT),
        (["queued", "sent"], DeliveryStatus.ACCEPTED),
        (["sent", "delivered"], DeliveryStatus.DELIVERED),
    ],
)
def test_sms_progress_updates_the_delivery(sms, reports, expected) -> None:
    for report in reports:
        assert sms_status(report).status_code == 200

    sms.refresh_from_db()
    assert sms.status == expected


def test_an_undelivered_sms_fails_with_its_error_code(sms) -> None:
    sms_status("sent")
    sms_status("undelivered", ErrorCode="30003")

    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.FAILED
    assert "30003" in sms.reason


def test_an_unknown_sms_is_acknowledged_and_changes_nothing(sms) -> None:
    events = DeliveryEvent.objects.count()

    assert sms_status("delivered", message_sid="SM" + "9" * 32).status_code == 200
    assert DeliveryEvent.objects.count() == events


# --- Bulk sends: voicemail after the beep, and reconciliation after a crash ----------------------


def test_an_alert_call_waits_for_the_beep_before_speaking_to_a_machine(
    wire, django_capture_on_commit_callbacks
) -> None:
    wire.replies = [created(CALL_SID)]
    with django_capture_on_commit_callbacks(execute=True):
        delivery_create(
            medium=Medium.VOICE,
            to=MOBILE,
            purpose="alert",
            payload={"flow": FLOW, "voicemail": True},
            sender=LINE,
        )

    assert wire.requests[0]["data"]["MachineDetection"] == "DetectMessageEnd"


def listing(key: str, *resources: dict[str, str]) -> Response:
    return Response(200, json.dumps({key: list(resources), "next_page_uri": None}))


@pytest.mark.parametrize(
    ("medium", "key", "sid", "twilio_status", "expected"),
    [
        (Medium.VOICE, "calls", CALL_SID, "in-progress", DeliveryStatus.ANSWERED),
        (Medium.SMS, "messages", MESSAGE_SID, "delivered", DeliveryStatus.DELIVERED),
    ],
)
def test_a_crashed_send_is_looked_up_on_twilio_not_sent_again(
    wire, medium, key, sid, twilio_status, expected
) -> None:
    from django.utils import timezone

    claimed = timezone.now()
    delivery = Delivery.objects.create(
        medium=medium, to=MOBILE, sender=LINE, purpose="alert", claimed_at=claimed
    )
    provider = (
        twilio_provider.TwilioVoice if medium == Medium.VOICE else twilio_provider.TwilioSms
    )()
    older = claimed.replace(year=claimed.year - 1).strftime("%a, %d %b %Y %H:%M:%S +0000")
    now = claimed.strftime("%a, %d %b %Y %H:%M:%S +0000")
    wire.replies = [
        listing(key, {"sid": sid, "status": twilio_status, "date_created": now}),
        listing(key, {"sid": "X" + sid[1:], "status": "completed", "date_created": older}),
    ]

    found = provider.lookup(delivery)
    missing = provider.lookup(delivery)

    request = wire.requests[0]
    assert request["method"] == "GET"
    assert request["url"] == f"{API}/{key.capitalize()}.json"
    assert request["params"]["To"] == MOBILE and request["params"]["From"] == LINE
    assert (found.provider_id, found.status) == (sid, expected)
    assert missing is None  # only an older one: this delivery never reached Twilio


def test_a_lost_final_callback_is_asked_of_twilio_after_the_line_hold(wire, settings) -> None:
    """The call's "completed" callback never came: after SPORTELLO_LINE_HOLD_SECONDS the
    watchdog asks Twilio, records what it says, and the bulk send can close."""
    from datetime import timedelta

    from django.utils import timezone

    from sportello.channels.dispatch import dispatch_watchdog
    from sportello.channels.models import Dispatch, DispatchStatus

    settings.SPORTELLO_LINE_HOLD_SECONDS = 600
    placed = timezone.now() - timedelta(minutes=15)
    dispatch = Dispatch.objects.create(purpose="alert", options={"voice_attempts": 1})
    call = Delivery.objects.create(
        dispatch=dispatch,
        medium=Medium.VOICE,
        to=MOBILE,
        sender=LINE,
        purpose="alert",
        status=DeliveryStatus.RINGING,
        provider="twilio",
        provider_id=CALL_SID,
        claimed_at=placed,
    )
    Delivery.objects.filter(pk=call.pk).update(updated_at=placed)
    created_at = placed.strftime("%a, %d %b %Y %H:%M:%S +0000")
    wire.replies = [
        listing("calls", {"sid": CALL_SID, "status": "completed", "date_created": created_at})
    ]

    figures = dispatch_watchdog()

    call.refresh_from_db()
    assert figures["calls_ended"] == 1
    assert (call.status, call.reason) == (DeliveryStatus.COMPLETED, "")  # Twilio's own outcome
    assert call.events.filter(detail__reconciled=True).exists()
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.DONE
