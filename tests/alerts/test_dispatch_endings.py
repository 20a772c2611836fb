"""Every delivery of a bulk send reaches a final state, so that an alert always ends: a call
answered and left without a key, a call whose end was never reported, a provider that cannot be
asked. After SPORTELLO_LINE_HOLD_SECONDS without news the watchdog asks the provider (when it
can) or closes the call by the time-out. (A lost Twilio callback: tests/channels/test_twilio.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sportello.channels.base import DeliveryStatus, Medium, ProviderResult
from sportello.channels.dispatch import dispatch_watchdog, dispatch_work
from sportello.channels.models import Delivery, Dispatch, DispatchStatus
from sportello.channels.services import delivery_status_update

pytestmark = pytest.mark.django_db
HOLD = 600


@pytest.fixture(autouse=True)
def hold(settings) -> None:
    settings.SPORTELLO_LINE_HOLD_SECONDS = HOLD
    settings.SPORTELLO_SIMULATOR_CALL_SECONDS = 0
    settings.SPORTELLO_SIMULATOR_RING_SECONDS = 10 * HOLD  # not the simulator's own ring end


def _calls(count: int) -> tuple[Dispatch, list[Delivery]]:
    dispatch = Dispatch.objects.create(
        purpose="alert",
        payload={"voice": {"it": {"flow": "alert", "params": {}}}},
        options={"voice_attempts": 1, "sms_fallback": False},
    )
    rows = [
        Delivery.objects.create(
            dispatch=dispatch,
            medium=Medium.VOICE,
            to=f"+3905861000{i:02d}",
            purpose="alert",
            recipient=f"s{i}",
        )
        for i in range(count)
    ]
    dispatch_work(dispatch_id=dispatch.pk, medium=Medium.VOICE)
    return dispatch, rows


def _age(rows: list[Delivery], seconds: float) -> None:
    Delivery.objects.filter(pk__in=[row.pk for row in rows]).update(
        updated_at=timezone.now() - timedelta(seconds=seconds)
    )


def test_a_call_answered_without_a_key_ends_after_the_line_hold(settings) -> None:
    dispatch, [answered, ringing] = _calls(2)
    delivery_status_update(delivery=answered, status=DeliveryStatus.ANSWERED)

    _age([answered, ringing], HOLD - 30)
    assert dispatch_watchdog()["calls_ended"] == 0  # not yet: the person may be listening
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.RUNNING

    _age([answered, ringing], HOLD + 1)
    assert dispatch_watchdog()["calls_ended"] == 2
    answered.refresh_from_db()
    ringing.refresh_from_db()
    # Somebody answered: the call counts as completed (not as confirmed); the one still
    # "ringing" for ten minutes (the simulator says so, and nothing more) had no answer.
    assert answered.status == DeliveryStatus.COMPLETED and "tempo scaduto" in answered.reason
    assert ringing.status == DeliveryStatus.NO_ANSWER
    dispatch.refresh_from_db()
    assert dispatch.status == DispatchStatus.DONE


class SilentVoice:
    """A voice provider that places calls and can never be asked about them."""

    name = "silent"

    def send(self, delivery):
        return ProviderResult(provider_id=f"S{delivery.pk}", status=DeliveryStatus.SENT)


def test_a_call_never_heard_of_again_fails_and_is_retried(
    settings, django_capture_on_commit_callbacks
) -> None:
    settings.SPORTELLO_CHANNELS = {
        **settings.SPORTELLO_CHANNELS,
        "voice": "tests.alerts.test_dispatch_endings.SilentVoice",
    }
    dispatch, [call] = _calls(1)
    Dispatch.objects.filter(pk=dispatch.pk).update(options={"voice_attempts": 2})
    call.refresh_from_db()
    assert call.status == DeliveryStatus.SENT

    _age([call], HOLD + 1)
    with django_capture_on_commit_callbacks(execute=False):
        assert dispatch_watchdog()["calls_ended"] == 1

    call.refresh_from_db()
    assert call.status == DeliveryStatus.FAILED and call.reason
    # A failed call is retried like a busy one: the second attempt is queued.
    assert Delivery.objects.filter(dispatch=dispatch, attempt=2, status="queued").exists()
