"""After a bulk delivery ends: its line goes back, an unanswered call is tried again, and after
the last attempt a mobile gets the SMS."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sportello.channels import limits
from sportello.channels.base import DeliveryStatus, Medium
from sportello.channels.dispatch.control import workers_enqueue
from sportello.channels.models import Delivery, DispatchStatus
from sportello.channels.selectors import default_sender

# A voice call that ends like this did not reach anyone: try again, then the SMS.
UNREACHED = {DeliveryStatus.BUSY, DeliveryStatus.NO_ANSWER, DeliveryStatus.FAILED}


def _option(dispatch_options: dict[str, Any], name: str) -> Any:
    defaults = {
        "voice_attempts": settings.SPORTELLO_VOICE_ATTEMPTS,
        "voice_retry_minutes": settings.SPORTELLO_VOICE_RETRY_MINUTES,
        "sms_fallback": settings.SPORTELLO_SMS_FALLBACK,
    }
    value = dispatch_options.get(name)
    return defaults[name] if value is None else value


def delivery_finished(*, delivery_id: int) -> None:
    """A bulk delivery reached a final state: give its line back, and for an unanswered call
    queue the next attempt or, after the last one, the SMS."""
    delivery = Delivery.objects.select_related("dispatch").filter(pk=delivery_id).first()
    if delivery is None or delivery.dispatch is None:
        return
    pool = limits.lines(delivery.medium)
    if pool:
        pool.release([delivery.pk])
    dispatch = delivery.dispatch
    if (
        delivery.medium != Medium.VOICE
        or delivery.status not in UNREACHED
        or dispatch.status != DispatchStatus.RUNNING
    ):
        return
    options = dispatch.options or {}
    now = timezone.now()
    if delivery.attempt < int(_option(options, "voice_attempts")):
        wait = float(_option(options, "voice_retry_minutes")) * 60
        created = Delivery.objects.bulk_create(
            [
                Delivery(
                    **_copy(delivery, medium=Medium.VOICE, attempt=delivery.attempt + 1),
                    not_before=now + timedelta(seconds=wait),
                )
            ],
            ignore_conflicts=True,
        )
        if created:
            transaction.on_commit(
                lambda: workers_enqueue(dispatch.pk, Medium.VOICE, countdown=wait + 1)
            )
        return
    from sportello.channels.phones import phone_kind

    if (
        _option(options, "sms_fallback")
        and dispatch.payload.get(Medium.SMS)
        and phone_kind(delivery.to) == "mobile"
    ):
        Delivery.objects.bulk_create(
            [Delivery(**_copy(delivery, medium=Medium.SMS, attempt=1))], ignore_conflicts=True
        )
        transaction.on_commit(lambda: workers_enqueue(dispatch.pk, Medium.SMS))


def _copy(delivery: Delivery, *, medium: str, attempt: int) -> dict[str, Any]:
    return {
        "dispatch_id": delivery.dispatch_id,
        "medium": medium,
        "to": delivery.to,
        "sender": delivery.sender if medium == delivery.medium else default_sender(medium),
        "purpose": delivery.purpose,
        "reference": delivery.reference,
        "language": delivery.language,
        "recipient": delivery.recipient,
        "attempt": attempt,
    }
