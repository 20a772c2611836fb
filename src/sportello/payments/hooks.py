"""The services that collect payments register here, so that payments never imports them.

A service (certificates, canteen, permits) registers once, in its AppConfig.ready(): its name
for operators and citizens, the function told when one of its positions is paid (run by a Celery
task after the commit, possibly more than once: it must be idempotent), and where the citizen
finds what they paid for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class PaymentEvent:
    """An option of a position was paid; `position_paid` when nothing more is due."""

    position_id: int
    option_id: int
    service: str
    reference: str
    position_paid: bool


@dataclass(frozen=True)
class PaymentService:
    key: str
    label: str | Promise
    on_paid: Callable[[PaymentEvent], None] | None = None
    # The page where the citizen finds what the position paid for (e.g. the certificate).
    follow_up_url: Callable[[str], str | None] | None = None


_SERVICES: dict[str, PaymentService] = {}


def payment_service_register(
    *,
    key: str,
    label: str | Promise,
    on_paid: Callable[[PaymentEvent], None] | None = None,
    follow_up_url: Callable[[str], str | None] | None = None,
) -> None:
    _SERVICES[key] = PaymentService(key, label, on_paid, follow_up_url)


def payment_service_get(key: str) -> PaymentService:
    """The registered service, or a plain one named by its key (positions outlive code)."""
    return _SERVICES.get(key) or PaymentService(key, key)


def payment_services() -> list[PaymentService]:
    return sorted(_SERVICES.values(), key=lambda service: str(service.label))
