"""Kannel's delivery reports: smsbox calls the dlr-url we gave it for each message (see
providers/kannel.py), with the report type in `status`. Kannel cannot sign a request, so the
address carries a token signed for that delivery; without a valid one: 403, and nothing changes.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from sportello.channels.base import DeliveryStatus, Medium
from sportello.channels.models import Delivery, DeliveryEvent
from sportello.channels.providers.kannel import kannel_dlr_token
from sportello.channels.services import delivery_status_update
from sportello.core.access import public

# Kannel's report types (dlr-mask bits) in our statuses.
DLR_STATUSES = {
    1: DeliveryStatus.DELIVERED,  # delivered to the handset
    2: DeliveryStatus.FAILED,  # not delivered
    4: DeliveryStatus.ACCEPTED,  # buffered at the SMSC, still trying
    8: DeliveryStatus.ACCEPTED,  # the SMSC took it
    16: DeliveryStatus.FAILED,  # the SMSC refused it
}
DLR_FAILURES = {2: "non recapitato", 16: "rifiutato dall'SMSC"}


@public
@csrf_exempt
@require_GET
def dlr(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """A report for a delivery: unknown deliveries and report types are acknowledged all the
    same, or Kannel would keep calling."""
    if not constant_time_compare(request.GET.get("token", ""), kannel_dlr_token(delivery_id)):
        return HttpResponseForbidden()
    raw = request.GET.get("status", "")
    status = DLR_STATUSES.get(int(raw)) if raw.isascii() and raw.isdigit() else None
    if status is None:
        return HttpResponse("OK")
    reply = request.GET.get("reply", "")[:200]
    reason = ""
    if status == DeliveryStatus.FAILED:
        reason = f"Kannel: {DLR_FAILURES[int(raw)]}" + (f" ({reply})" if reply else "")
    detail = {"dlr": int(raw), **({"reply": reply} if reply else {})}
    with transaction.atomic():
        # The delivery's row is locked while we look: two copies of one report arriving
        # together are recorded once.
        delivery = (
            Delivery.objects.select_for_update().filter(pk=delivery_id, medium=Medium.SMS).first()
        )
        if delivery is None:
            return HttpResponse("OK")
        # A report already recorded (Kannel retrying, or anyone replaying its URL) changes
        # nothing: the token is valid for every report of this delivery.
        if not DeliveryEvent.objects.filter(
            delivery=delivery, status=status, detail=detail
        ).exists():
            delivery_status_update(delivery=delivery, status=status, reason=reason, detail=detail)
    return HttpResponse("OK")
