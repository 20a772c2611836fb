"""Start and stop a dispatch; queue its workers, on each medium's own queue, by task name
(tasks import this package, never the reverse)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.channels.base import DeliveryStatus, Medium
from sportello.channels.models import Delivery, Dispatch, DispatchStatus
from sportello.core.queueing import task_named

QUEUES = {
    Medium.VOICE: "dispatch_voice",
    Medium.SMS: "dispatch_sms",
    Medium.FAX: "dispatch_fax",
    Medium.EMAIL: "dispatch_email",
}
DISPATCH_RUN_TASK = "sportello.channels.tasks.dispatch_run"


def dispatch_start(*, dispatch: Dispatch) -> None:
    """Queue the workers for every medium that has rows (after the transaction commits)."""
    media = list(
        Delivery.objects.filter(dispatch=dispatch, status=DeliveryStatus.QUEUED)
        .order_by()
        .values_list("medium", flat=True)
        .distinct()
    )
    transaction.on_commit(lambda: [workers_enqueue(dispatch.pk, medium) for medium in media])


def workers_enqueue(dispatch_id: int, medium: str, *, countdown: float | None = None) -> None:
    dispatch_run = task_named(DISPATCH_RUN_TASK)
    parallel = settings.SPORTELLO_DISPATCH_WORKERS.get(medium, 1)
    for _i in range(parallel):
        dispatch_run.apply_async((dispatch_id, medium), queue=QUEUES[medium], countdown=countdown)


def worker_enqueue_one(dispatch_id: int, medium: str, *, countdown: float) -> None:
    dispatch_run = task_named(DISPATCH_RUN_TASK)
    dispatch_run.apply_async((dispatch_id, medium), queue=QUEUES[medium], countdown=countdown)


def dispatch_stop(*, dispatch: Dispatch) -> int:
    """Stop: nothing more is handed over; what was still queued is canceled (and counted)."""
    with transaction.atomic():
        Dispatch.objects.filter(pk=dispatch.pk, status=DispatchStatus.RUNNING).update(
            status=DispatchStatus.STOPPED, stopped_at=timezone.now()
        )
        return Delivery.objects.filter(dispatch=dispatch, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.CANCELED,
            reason=_("Invio interrotto dall'operatore"),
            updated_at=timezone.now(),
        )
