"""A provider's cap holds in every sliding 1-second window of the provider's own hand-off
stamps, however long the hand-off takes after the worker asked for room: providers that take a
whole batch (the simulator's way) or one message per call, both with a random delay."""

from __future__ import annotations

import random
import time

import pytest

from sportello.channels import limits
from sportello.channels.base import DeliveryStatus, Medium, ProviderResult
from sportello.channels.dispatch import dispatch_work
from sportello.channels.models import Delivery, Dispatch

pytestmark = pytest.mark.django_db
CAP = 20
STAMPS: list[float] = []


def busiest_second(stamps: list[float]) -> int:
    """The most stamps in any window [t, t + 1 s)."""
    ordered = sorted(stamps)
    most, first = 0, 0
    for last, stamp in enumerate(ordered):
        while ordered[first] <= stamp - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


class SlowBatch:
    """Takes the whole batch at one instant, some time after being called."""

    name = "slow-batch"

    def send_many(self, deliveries):
        time.sleep(random.uniform(0, 0.4))
        STAMPS.extend([time.time()] * len(deliveries))
        accepted = DeliveryStatus.ACCEPTED
        return [ProviderResult(provider_id=f"B{d.pk}", status=accepted) for d in deliveries]


class SlowEach:
    """Takes one message per call, stamped somewhere in the middle of the call."""

    name = "slow-each"

    def send(self, delivery):
        time.sleep(random.uniform(0, 0.03))
        STAMPS.append(time.time())
        time.sleep(random.uniform(0, 0.03))
        return ProviderResult(provider_id=f"E{delivery.pk}", status=DeliveryStatus.ACCEPTED)


@pytest.fixture
def capped(settings):
    settings.SPORTELLO_CHANNEL_LIMITS = {"sms": {"rate": CAP}}
    settings.SPORTELLO_RATE_LIMIT_URL = "memory://"
    limits.limits_reset()
    STAMPS.clear()
    yield
    limits.limits_reset()


@pytest.mark.parametrize(("provider", "count"), [("SlowBatch", 4 * CAP), ("SlowEach", 3 * CAP)])
def test_the_cap_holds_in_every_sliding_second_of_the_hand_offs(
    capped, settings, provider, count
) -> None:
    settings.SPORTELLO_CHANNELS = {
        **settings.SPORTELLO_CHANNELS,
        "sms": f"tests.alerts.test_dispatch_cap.{provider}",
    }
    dispatch = Dispatch.objects.create(purpose="alert", payload={"sms": {"it": {"text": "Prova"}}})
    Delivery.objects.bulk_create(
        Delivery(dispatch=dispatch, medium=Medium.SMS, to=f"+39347{i:07d}", purpose="alert")
        for i in range(count)
    )

    assert dispatch_work(dispatch_id=dispatch.pk, medium=Medium.SMS) == count

    assert len(STAMPS) == count
    assert busiest_second(STAMPS) <= CAP
    # And the cap is used, not merely respected: about CAP a second.
    assert STAMPS[-1] - STAMPS[0] < count / CAP + 1.5


def test_the_busiest_second_is_counted_on_a_sliding_window() -> None:
    assert busiest_second([0.0, 0.99, 1.0, 1.5, 1.98]) == 4  # from 0.99 to 1.98
    assert busiest_second([0.0, 1.0, 2.0]) == 1
