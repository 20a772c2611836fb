"""Call-back requests: a citizen asked by phone to be called back about subscribing."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from sportello.core.services import audit_record


def callback_request_create(*, number: str, source: str, name: str = "", note: str = ""):
    """Queue a call-back; a number already waiting is not queued twice."""
    from sportello.alerts.models import CallbackRequest, CallbackStatus

    existing = CallbackRequest.objects.filter(number=number, status=CallbackStatus.PENDING).first()
    if existing is not None:
        return existing
    return CallbackRequest.objects.create(number=number, source=source, name=name, note=note)


def callback_request_done(*, request_obj, operator: Any, note: str = "") -> None:
    from sportello.alerts.models import CallbackStatus

    request_obj.status = CallbackStatus.DONE
    request_obj.handled_by = operator
    request_obj.handled_at = timezone.now()
    if note:
        request_obj.note = note[:250]
    request_obj.save()
    audit_record(action="alert_callback_done", actor=operator, target=request_obj)
