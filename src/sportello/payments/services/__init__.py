"""Writes for payments. Services of the comune use `positions_create` (and are told of payments
through payments.hooks); the rest serves the citizen's pages, the operators and the tasks."""

from sportello.payments.services.carts import (
    cart_checkout,
    cart_options_check,
    cart_return_urls,
    cart_returned,
)
from sportello.payments.services.common import creditor_get
from sportello.payments.services.operators import payment_record_offline, receipt_anomaly_resolve
from sportello.payments.services.positions import (
    position_invalidate,
    position_publish,
    position_publish_now,
    positions_create,
    positions_expire,
)
from sportello.payments.services.receipts import IngestReport, receipts_ingest, receipts_receive

__all__ = [
    "IngestReport",
    "cart_checkout",
    "cart_options_check",
    "cart_return_urls",
    "cart_returned",
    "creditor_get",
    "payment_record_offline",
    "position_invalidate",
    "position_publish",
    "position_publish_now",
    "positions_create",
    "positions_expire",
    "receipt_anomaly_resolve",
    "receipts_ingest",
    "receipts_receive",
]
