"""One task per medium, each on its own queue (settings.CELERY_TASK_ROUTES): a slow fax line
never holds up an SMS. A task claims its delivery atomically, so a redelivered message (a worker
died) never sends twice; transient errors retry with backoff, permanent ones fail the delivery."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db.models import F

from sportello.channels.base import ChannelError, DeliveryStatus
from sportello.channels.models import Delivery
from sportello.channels.providers import provider_for
from sportello.channels.services import delivery_status_update

logger = logging.getLogger(__name__)
MAX_RETRIES = 5


def _send(task, delivery_id: int) -> None:
    # Claim: only a queued delivery (or one a previous attempt left "sending" after a transient
    # error, i.e. on a retry of this very task) moves to sending.
    allowed = [DeliveryStatus.QUEUED] + ([DeliveryStatus.SENDING] if task.request.retries else [])
    claimed = Delivery.objects.filter(pk=delivery_id, status__in=allowed).update(
        status=DeliveryStatus.SENDING, attempts=F("attempts") + 1
    )
    if not claimed:
        logger.info("Delivery %s already taken or gone", delivery_id)
        return
    delivery = Delivery.objects.get(pk=delivery_id)
    try:
        provider = provider_for(delivery.medium)
        result = provider.send(delivery)
    except ChannelError as error:
        if error.permanent or task.request.retries >= MAX_RETRIES:
            delivery_status_update(
                delivery=delivery, status=DeliveryStatus.FAILED, reason=error.message
            )
            return
        logger.warning("Delivery %s: %s (will retry)", delivery_id, error.message)
        raise task.retry(countdown=min(600, 15 * 2**task.request.retries)) from error
    Delivery.objects.filter(pk=delivery_id).update(
        provider=getattr(provider, "name", ""), provider_id=result.provider_id[:100]
    )
    delivery_status_update(delivery=delivery, status=result.status)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def voice_send(self, delivery_id: int) -> None:
    _send(self, delivery_id)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def sms_send(self, delivery_id: int) -> None:
    _send(self, delivery_id)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def fax_send(self, delivery_id: int) -> None:
    _send(self, delivery_id)


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def email_send(self, delivery_id: int) -> None:
    _send(self, delivery_id)


# --- bulk sends (channels.dispatch) -------------------------------------------------------


@shared_task(acks_late=True)
def dispatch_run(dispatch_id: int, medium: str) -> int:
    """One worker's share of a dispatch; routed to the medium's dispatch queue by the caller."""
    from sportello.channels.dispatch.work import dispatch_work

    return dispatch_work(dispatch_id=dispatch_id, medium=medium)


@shared_task
def dispatch_watchdog() -> dict:
    """Periodic: reconcile what dead workers left, restart stalled dispatches, end unanswered
    simulator calls."""
    from sportello.channels.dispatch.watchdog import dispatch_watchdog as watchdog
    from sportello.channels.providers.simulator import simulator_ring_timeouts

    figures = watchdog()
    figures["ring_timeouts"] = simulator_ring_timeouts()
    return figures


@shared_task
def simulator_calls_complete(delivery_ids: list[int]) -> None:
    from sportello.channels.providers.simulator import simulator_calls_complete as complete

    complete(delivery_ids)
