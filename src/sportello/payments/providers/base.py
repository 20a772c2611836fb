"""The contract every payment provider keeps: publish and invalidate debt positions, open a
checkout for a cart, and list and fetch receipts. Providers never touch our tables; they raise
ProviderError, `permanent=True` when repeating the call cannot help (a refused request)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sportello.payments.models import Cart, PaymentPosition


class ProviderError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


@dataclass(frozen=True)
class ReturnUrls:
    ok: str
    cancel: str
    error: str


@dataclass(frozen=True)
class Creditor:
    """The comune as pagoPA knows it."""

    fiscal_code: str  # 11 digits
    name: str
    iban: str


class PaymentProvider(Protocol):
    name: str
    # Receipts come by polling (receipts_list/receipt_get) rather than pushed by the provider.
    polls_receipts: bool

    def position_publish(self, position: PaymentPosition, *, creditor: Creditor) -> str:
        """Create and publish the position; returns its status there (VALID or PUBLISHED).
        Publishing one already there is not an error."""

    def position_invalidate(self, position: PaymentPosition, *, creditor: Creditor) -> None:
        """Make the position unpayable; already invalid is not an error."""

    def position_status(self, position: PaymentPosition, *, creditor: Creditor) -> str | None:
        """Its status on the platform, None if the platform does not know it."""

    def cart_create(self, cart: Cart, *, creditor: Creditor, return_urls: ReturnUrls) -> str:
        """Open a checkout for the cart's notices; returns the address to send the citizen to."""

    def receipts_list(self, *, creditor: Creditor, since: datetime.date) -> list[str]:
        """IUVs of the receipts issued since that day."""

    def receipt_get(self, *, creditor: Creditor, iuv: str) -> bytes:
        """The receipt of that IUV, as pagoPA's XML."""
