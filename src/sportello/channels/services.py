"""Writes for channels: create a delivery and queue it; record what providers report."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from sportello.channels.base import FINAL_STATUSES, DeliveryStatus, Medium
from sportello.channels.models import Delivery, DeliveryEvent
from sportello.channels.selectors import default_sender
from sportello.core.queueing import enqueue_after_commit, task_named

logger = logging.getLogger(__name__)

# A status only ever moves forward: a late "ringing" never undoes "answered".
_RANK = {
    DeliveryStatus.QUEUED: 0,
    DeliveryStatus.SENDING: 1,
    DeliveryStatus.SENT: 2,
    DeliveryStatus.RINGING: 3,
    DeliveryStatus.ACCEPTED: 3,
    DeliveryStatus.ANSWERED: 4,
}


# Each medium's task, by name: tasks import services, never the reverse.
SEND_TASKS = {
    Medium.VOICE: "sportello.channels.tasks.voice_send",
    Medium.SMS: "sportello.channels.tasks.sms_send",
    Medium.FAX: "sportello.channels.tasks.fax_send",
    Medium.EMAIL: "sportello.channels.tasks.email_send",
}


def delivery_create(
    *,
    medium: str,
    to: str,
    purpose: str,
    payload: dict[str, Any],
    reference: str = "",
    language: str = "it",
    sender: str | None = None,
) -> Delivery:
    """Record the delivery and queue it for its medium's worker once the transaction commits."""
    delivery = Delivery.objects.create(
        medium=medium,
        to=to,
        purpose=purpose,
        reference=reference,
        language=language,
        payload=payload,
        sender=default_sender(medium) if sender is None else sender,
    )
    DeliveryEvent.objects.create(delivery=delivery, status=DeliveryStatus.QUEUED)
    enqueue_after_commit(task_named(SEND_TASKS[medium]), delivery.pk)
    return delivery


def delivery_status_update(
    *,
    delivery: Delivery,
    status: str,
    reason: str = "",
    detail: dict[str, Any] | None = None,
    answered_by: str | None = None,
    keys: str | None = None,
) -> Delivery:
    """Record a provider's report. Final states are kept; earlier states never overwrite later."""
    with transaction.atomic():
        current_row = Delivery.objects.select_for_update().filter(pk=delivery.pk).first()
        if current_row is None:
            # Deleted meanwhile (the person asked to be removed): nothing left to record.
            return delivery
        delivery = current_row
        DeliveryEvent.objects.create(delivery=delivery, status=status, detail=detail or {})
        current = delivery.status
        moves = current not in FINAL_STATUSES and (
            status in FINAL_STATUSES or _RANK.get(status, 0) >= _RANK.get(current, 0)
        )
        fields = ["updated_at"]
        if moves:
            delivery.status = status
            delivery.reason = reason[:250]
            fields += ["status", "reason"]
        if answered_by:
            delivery.answered_by = answered_by
            fields.append("answered_by")
        if keys:
            delivery.keys = (delivery.keys + keys)[-40:]
            fields.append("keys")
        delivery.updated_at = timezone.now()
        delivery.save(update_fields=fields)
    if moves and status in FINAL_STATUSES and delivery.dispatch_id:
        from sportello.channels.dispatch.followup import delivery_finished

        delivery_finished(delivery_id=delivery.pk)
    return delivery


def voice_call_step(
    *,
    delivery: Delivery,
    step: str,
    digits: str,
    answered_by: str,
    detail: dict[str, Any] | None = None,
):
    """One step of an outbound call, whichever provider carries it: record the answer (or the
    voicemail) and the keys pressed, then run the delivery's IVR flow for what comes next."""
    from sportello.channels.ivr import Call, ivr_run

    if step == "start":
        delivery = delivery_status_update(
            delivery=delivery,
            status=DeliveryStatus.VOICEMAIL
            if answered_by == "machine"
            else DeliveryStatus.ANSWERED,
            # Only what the provider actually reported: no detection is not "a human".
            answered_by=answered_by if answered_by != "unknown" else None,
            detail=detail,
        )
    elif digits:
        delivery = delivery_status_update(
            delivery=delivery,
            status=DeliveryStatus.ANSWERED,
            keys=digits,
            detail={"step": step, "Digits": digits},
        )
    call = Call(
        flow=delivery.content.get("flow", ""),
        caller=delivery.to,
        line=delivery.sender,
        delivery=delivery,
        answered_by=answered_by,
        language=delivery.language,
        params=delivery.content.get("params", {}),
    )
    return ivr_run(call, step, digits)
