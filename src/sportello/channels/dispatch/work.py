"""A worker's run: claim batches within the caps, hand them to the provider, record the outcome."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from sportello.channels import limits
from sportello.channels.base import FINAL_STATUSES, ChannelError, DeliveryStatus, ProviderResult
from sportello.channels.dispatch.claims import (
    EACH_CHUNK,
    Outgoing,
    claim_renew,
    deliveries_claim,
    record_failures,
    record_sent,
    record_step,
    worker_run,
)
from sportello.channels.dispatch.control import worker_enqueue_one, workers_enqueue
from sportello.channels.models import Delivery, Dispatch, DispatchStatus
from sportello.channels.providers import provider_for

PROBLEM_SECONDS = 120  # a provider problem is shown for this long after it was last seen
LINE_WAIT_SECONDS = 1.0  # a worker waits this long for a free line before handing its turn on


def problem_key(dispatch_id: int, medium: str) -> str:
    return f"sportello:dispatch:{dispatch_id}:{medium}:problem"


def _payload(dispatch: Dispatch, delivery: Outgoing) -> dict[str, Any]:
    contents = dispatch.payload.get(delivery.medium, {})
    return contents.get(delivery.language) or contents.get("it") or {}


@dataclass(slots=True)
class _Tally:
    sent: int = 0
    transient: int = 0
    reason: str = ""


def _hand_each(
    provider: Any, deliveries: list[Outgoing], *, rate: Any, pool: Any, run: int
) -> _Tally:
    """A provider that takes one message per call: each goes within the cap, and its outcome is
    written the moment the provider answers, so a crash leaves at most one row in doubt."""
    name = getattr(provider, "name", "")
    tally = _Tally()
    renewed = time.monotonic()
    renew_every = settings.SPORTELLO_DISPATCH_LEASE_SECONDS / 4
    record_step(name, None, deliveries[0].pk)
    for position, delivery in enumerate(deliveries):
        following = deliveries[position + 1].pk if position + 1 < len(deliveries) else None
        reserved: list[str] = []
        while rate and not reserved:
            reserved = rate.reserve(1)
            if not reserved:
                time.sleep(rate.wait())
        try:
            outcome: ProviderResult | ChannelError = provider.send(delivery)
        except ChannelError as error:
            outcome = error
        if rate:
            rate.confirm(reserved)  # a refused message may still have reached the provider
        if isinstance(outcome, ProviderResult):
            record_step(name, (delivery.pk, outcome.status, outcome.provider_id[:100]), following)
            tally.sent += 1
            if pool and outcome.status in FINAL_STATUSES:
                pool.release([delivery.pk])
        else:
            if pool:
                pool.release([delivery.pk])
            transient, reason = record_failures([(delivery, outcome)])
            if transient:
                tally.transient, tally.reason = tally.transient + transient, reason
            record_step(name, None, following)
        if connection.vendor != "postgresql" and time.monotonic() - renewed > renew_every:
            claim_renew(run)
            renewed = time.monotonic()
    return tally


def _hand_all(provider: Any, deliveries: list[Outgoing], *, pool: Any) -> _Tally:
    """A provider that takes a whole batch in one call (the simulator)."""
    outcomes = provider.send_many(deliveries)
    done = [
        (d.pk, outcome.status, outcome.provider_id[:100])
        for d, outcome in zip(deliveries, outcomes, strict=True)
        if isinstance(outcome, ProviderResult)
    ]
    record_sent(getattr(provider, "name", ""), done)
    failures = [
        (d, outcome)
        for d, outcome in zip(deliveries, outcomes, strict=True)
        if isinstance(outcome, ChannelError)
    ]
    if pool and failures:
        pool.release([d.pk for d, _error in failures])
    transient, reason = record_failures(failures)
    finals = [pk for pk, status, _pid in done if status in FINAL_STATUSES]
    if pool and finals:
        pool.release(finals)
    return _Tally(sent=len(done), transient=transient, reason=reason)


def dispatch_work(*, dispatch_id: int, medium: str) -> int:
    """Hand over everything of this medium that may go now, within the caps; returns how many.
    Several of these run at once, on several machines."""
    with worker_run() as run:
        return _work(dispatch_id, medium, run)


def _work(dispatch_id: int, medium: str, run: int) -> int:
    dispatch = Dispatch.objects.filter(pk=dispatch_id).first()
    if dispatch is None:  # deleted, with its rows, while this task waited in the queue
        return 0
    provider = provider_for(medium)
    each = not hasattr(provider, "send_many")
    rate, pool = limits.rate_limit(medium), limits.lines(medium)
    batch = settings.SPORTELLO_DISPATCH_BATCH
    if each:
        batch = min(batch, EACH_CHUNK)
    if rate or pool:
        # Capped providers get small batches so that the cap is used evenly by all workers.
        batch = max(1, min(batch, rate.cap if rate else batch, pool.size if pool else batch))
    sent = last_id = 0
    waiting_since = time.monotonic()
    while True:
        if not Dispatch.objects.filter(pk=dispatch_id, status=DispatchStatus.RUNNING).exists():
            break
        want = batch
        tokens: list[str] = []
        if pool:
            tokens = pool.acquire(want)
            if not tokens:
                if not _claimable(dispatch_id, medium):
                    break
                if time.monotonic() - waiting_since > LINE_WAIT_SECONDS:
                    # All lines busy for a while: give this worker process back (the calls'
                    # ends may need it) and come back as a new task in a moment.
                    worker_enqueue_one(dispatch_id, medium, countdown=0.2)
                    break
                time.sleep(0.05)
                continue
            waiting_since = time.monotonic()
            want = len(tokens)
        reserved: list[str] = []
        if rate and not each:
            # Room in the cap's window before the claim, confirmed at the hand-off.
            reserved = rate.reserve(want)
            if not reserved:
                if pool:
                    pool.bind(tokens, [])
                if not _claimable(dispatch_id, medium):
                    break
                time.sleep(rate.wait())
                continue
            want = len(reserved)
        deliveries = deliveries_claim(
            dispatch_id=dispatch_id,
            medium=medium,
            limit=want,
            run=run,
            in_flight=not each,
            after=last_id,
        )
        if not deliveries and last_id:
            last_id = 0  # anything put back behind us
            deliveries = deliveries_claim(
                dispatch_id=dispatch_id, medium=medium, limit=want, run=run, in_flight=not each
            )
        if deliveries:
            last_id = deliveries[-1].pk
        if rate and not each:
            rate.cancel(reserved[len(deliveries) :])
            reserved = reserved[: len(deliveries)]
        if pool:
            pool.bind(tokens, [d.pk for d in deliveries])
        if not deliveries:
            break
        for delivery in deliveries:
            delivery.payload = _payload(dispatch, delivery)
        if each:
            tally = _hand_each(provider, deliveries, rate=rate, pool=pool, run=run)
        else:
            tally = _hand_all(provider, deliveries, pool=pool)
            if rate:
                rate.confirm(reserved)
        sent += tally.sent
        if tally.sent:
            Dispatch.objects.filter(pk=dispatch_id).update(finished_at=timezone.now())
        if tally.transient and not tally.sent:
            # The provider is down for this whole batch: say so on the monitor, let the other
            # channels go on, and come back later for this one.
            cache.set(problem_key(dispatch_id, medium), tally.reason, PROBLEM_SECONDS)
            workers_enqueue(dispatch_id, medium, countdown=30)
            break
    return sent


def _claimable(dispatch_id: int, medium: str) -> bool:
    now = timezone.now()
    return (
        Delivery.objects.filter(
            dispatch_id=dispatch_id, medium=medium, status=DeliveryStatus.QUEUED
        )
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .exists()
    )
