"""The watchdog: rows of crashed workers, calls whose end never came, stalled and finished
dispatches."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.channels.base import (
    FINAL_STATUSES,
    ChannelError,
    DeliveryStatus,
    Medium,
    ProviderResult,
)
from sportello.channels.dispatch.claims import ADVISORY_SPACE, record_sent
from sportello.channels.dispatch.control import workers_enqueue
from sportello.channels.dispatch.followup import delivery_finished
from sportello.channels.models import Delivery, DeliveryEvent, Dispatch, DispatchStatus
from sportello.channels.providers import provider_for
from sportello.channels.services import delivery_status_update

ORPHANS_PER_RUN = 5000


def _orphans(now: Any) -> list[Delivery]:
    """Rows left `sending` by a worker run that is over. On PostgreSQL: its advisory lock is no
    longer held (one statement: the rows are read before the locks, and a run locks before it
    claims, so a live run's rows are never taken). Elsewhere, and for rows claimed without a
    run: the lease ran out (a live worker renews it)."""
    lease = now - timedelta(seconds=settings.SPORTELLO_DISPATCH_LEASE_SECONDS)
    table = Delivery._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT id FROM {table}
                    WHERE status = 'sending' AND dispatch_id IS NOT NULL AND (
                        (claimed_by IS NULL AND claimed_at < %s)
                        OR claimed_by NOT IN (
                            SELECT objid::bigint FROM pg_locks
                            WHERE locktype = 'advisory' AND classid = %s AND objsubid = 2
                                AND database = (
                                    SELECT oid FROM pg_database
                                    WHERE datname = current_database()
                                )
                        ))
                    LIMIT %s""",
                [lease, ADVISORY_SPACE, ORPHANS_PER_RUN],
            )
            ids = [row[0] for row in cursor.fetchall()]
        return list(Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING))
    return list(
        Delivery.objects.filter(
            dispatch__isnull=False, status=DeliveryStatus.SENDING, claimed_at__lt=lease
        )[:ORPHANS_PER_RUN]
    )


def _requeue(delivery: Delivery, now: Any, *, doubt: bool = False) -> int:
    """Back to the queue, unless someone else moved the row meanwhile."""
    changes: dict[str, Any] = {
        "status": DeliveryStatus.QUEUED,
        "claimed_at": None,
        "claimed_by": None,
        "in_flight": False,
        "updated_at": now,
    }
    if doubt:
        changes["maybe_doubled"] = True
    return Delivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.SENDING, claimed_by=delivery.claimed_by
    ).update(**changes)


def dispatch_watchdog() -> dict[str, int]:
    """Reconcile rows a dead worker left `sending`, end calls whose outcome never came, restart
    stalled dispatches, close finished ones. Safe to run anywhere, any number of times."""
    now = timezone.now()
    lease = timedelta(seconds=settings.SPORTELLO_DISPATCH_LEASE_SECONDS)
    found = requeued = doubtful = 0
    for delivery in _orphans(now):
        if not delivery.in_flight:
            # Never handed over: the dead worker had not reached it.
            requeued += _requeue(delivery, now)
            continue
        outcome = _lookup(delivery)
        if outcome is None:
            # In flight when the worker died. A provider that can be asked said it has not got
            # it; one that cannot be asked may have it: sent again (a duplicate is better than
            # a person never warned), and counted as possibly doubled.
            doubt = not _can_lookup(delivery.medium)
            again = _requeue(delivery, now, doubt=doubt)
            requeued += again
            if again and doubt:
                doubtful += 1
                DeliveryEvent.objects.create(
                    delivery=delivery,
                    status=DeliveryStatus.QUEUED,
                    detail={"requeued": True, "maybe_sent": True},
                )
        else:
            found += 1
            record_sent(outcome[0], [(delivery.pk, outcome[1].status, outcome[1].provider_id)])
            DeliveryEvent.objects.create(
                delivery=delivery,
                status=outcome[1].status,
                detail={"reconciled": True, "provider_id": outcome[1].provider_id},
            )
            if outcome[1].status in FINAL_STATUSES:
                delivery_finished(delivery_id=delivery.pk)
    ended = calls_overdue_end(now=now)
    restarted = 0
    for dispatch in Dispatch.objects.filter(status=DispatchStatus.RUNNING):
        waiting = Delivery.objects.filter(dispatch=dispatch, status=DeliveryStatus.QUEUED)
        ready = waiting.filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        recent = (dispatch.finished_at or dispatch.created_at) > now - lease
        if ready.exists() and not recent:
            for medium in ready.order_by().values_list("medium", flat=True).distinct():
                workers_enqueue(dispatch.pk, medium)
                restarted += 1
        elif (
            not waiting.exists()
            and not Delivery.objects.filter(
                dispatch=dispatch, status=DeliveryStatus.SENDING
            ).exists()
        ):
            open_calls = Delivery.objects.filter(
                dispatch=dispatch, medium=Medium.VOICE, status__in=OPEN_CALL_STATUSES
            )
            if not open_calls.exists():
                Dispatch.objects.filter(pk=dispatch.pk, status=DispatchStatus.RUNNING).update(
                    status=DispatchStatus.DONE
                )
    return {
        "reconciled": found,
        "requeued": requeued,
        "maybe_doubled": doubtful,
        "calls_ended": ended,
        "restarted": restarted,
    }


# A call in one of these states has not ended yet: the alert waits for it.
OPEN_CALL_STATUSES = (DeliveryStatus.SENT, DeliveryStatus.RINGING, DeliveryStatus.ANSWERED)
CALLS_OVERDUE_PER_RUN = 2000


def calls_overdue_end(*, now: Any = None) -> int:
    """Calls of a bulk send whose end was never reported (a lost final callback, a call answered
    and left without a key on the simulator): after SPORTELLO_LINE_HOLD_SECONDS without news the
    provider is asked (`lookup`), and what it says is recorded; a provider that cannot say, or
    says the call is still going, gets the call closed by the time-out: answered → completed
    (somebody answered), ringing → no answer, sent → failed (no news at all). Busy, no answer
    and failed are retried or followed by the SMS as usual."""
    now = now or timezone.now()
    limit = now - timedelta(seconds=settings.SPORTELLO_LINE_HOLD_SECONDS)
    overdue = Delivery.objects.filter(
        dispatch__isnull=False,
        medium=Medium.VOICE,
        status__in=OPEN_CALL_STATUSES,
        updated_at__lt=limit,
    )[:CALLS_OVERDUE_PER_RUN]
    timed_out = {
        DeliveryStatus.ANSWERED: (
            DeliveryStatus.COMPLETED,
            _("Fine della chiamata non comunicata dal gestore: chiusa per tempo scaduto"),
        ),
        DeliveryStatus.RINGING: (
            DeliveryStatus.NO_ANSWER,
            _("Esito della chiamata non comunicato dal gestore: nessuna risposta"),
        ),
        DeliveryStatus.SENT: (
            DeliveryStatus.FAILED,
            _("Nessuna notizia della chiamata dal gestore"),
        ),
    }
    ended = 0
    for delivery in overdue:
        outcome = _lookup(delivery)
        if outcome is not None and outcome[1].status in FINAL_STATUSES:
            delivery_status_update(
                delivery=delivery,
                status=outcome[1].status,
                detail={"reconciled": True, "provider_id": outcome[1].provider_id},
            )
        else:
            status, reason = timed_out[delivery.status]
            delivery_status_update(
                delivery=delivery, status=status, reason=reason, detail={"timed_out": True}
            )
        ended += 1
    return ended


def _can_lookup(medium: str) -> bool:
    try:
        return hasattr(provider_for(medium), "lookup")
    except ChannelError:
        return False


def _lookup(delivery: Delivery) -> tuple[str, ProviderResult] | None:
    """What the provider knows of a delivery we may or may not have handed over."""
    try:
        provider = provider_for(delivery.medium)
    except ChannelError:
        return None
    lookup = getattr(provider, "lookup", None)
    if lookup is None:
        return None
    try:
        result = lookup(delivery)
    except ChannelError:
        return None
    return (getattr(provider, "name", ""), result) if result else None
