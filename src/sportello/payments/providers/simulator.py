"""The embedded pagoPA for `make run` and the tests: positions are payable as soon as they are
published, the checkout is a local page (simulator_views) where the citizen pays, refuses or
leaves, and receipts arrive as pagoPA's do: later, from another process (a Celery task), and
possibly twice. Refused in production (settings)."""

from __future__ import annotations

import datetime

from django.urls import reverse

from sportello.payments.models import Cart, PaymentPosition
from sportello.payments.providers.base import Creditor, ReturnUrls


class Simulator:
    name = "simulator"
    polls_receipts = False

    def position_publish(self, position: PaymentPosition, *, creditor: Creditor) -> str:
        return "VALID"

    def position_invalidate(self, position: PaymentPosition, *, creditor: Creditor) -> None:
        return None

    def position_status(self, position: PaymentPosition, *, creditor: Creditor) -> str | None:
        return position.status

    def cart_create(self, cart: Cart, *, creditor: Creditor, return_urls: ReturnUrls) -> str:
        return reverse("payments:simulator_checkout", args=[cart.uuid])

    def receipts_list(self, *, creditor: Creditor, since: datetime.date) -> list[str]:
        return []

    def receipt_get(self, *, creditor: Creditor, iuv: str) -> bytes:
        raise LookupError("the simulator pushes its receipts")
