"""Money as Italian readers write it: «€ 1.234,50». Amounts in cents are integers."""

from __future__ import annotations

from decimal import Decimal


def euro_text(amount: Decimal | int | str, *, cents: bool = False) -> str:
    """«€ 1.234,50» for Decimal("1234.5") (or for 123450 with cents=True)."""
    value = Decimal(amount) / 100 if cents else Decimal(str(amount))
    text = f"{value.quantize(Decimal('0.01')):,.2f}"
    return "€ " + text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
