"""The payments part of the demo town: a few canteen-like notices for the demo citizen's young
child, so that «I miei pagamenti» has something to pay (two can go in one cart, one is by
instalments). Idempotent: made once, published at once on the simulator."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from sportello.payments.models import PaymentPosition
from sportello.payments.services import position_publish, positions_create
from sportello.payments.validation import Debtor, OptionSpec, PositionSpec

SERVICE = "demo"
CATEGORY = "9/0201102IM/"


def _spec(child, *, reference: str, title: str, single: str | None, instalments=()) -> PositionSpec:
    today = timezone.localdate()
    due = today + datetime.timedelta(days=20)
    return PositionSpec(
        service=SERVICE,
        reference=reference,
        title=title,
        debtor=Debtor(fiscal_code=child.codice_fiscale, name=child.full_name[:70]),
        category=CATEGORY,
        office_name="Servizi educativi — refezione scolastica",
        single=OptionSpec(Decimal(single), due, title) if single else None,
        instalments=tuple(
            OptionSpec(Decimal(amount), due + datetime.timedelta(days=30 * n), f"{title}, rata {n}")
            for n, amount in enumerate(instalments, start=1)
        ),
    )


def demo_payments_ensure(*, citizen_username: str = "cittadino") -> int:
    """Notices for the demo citizen's youngest minor child; returns how many were made."""
    from sportello.accounts.models import User
    from sportello.registry.selectors import family_minors_in_care

    user = User.objects.filter(username=citizen_username).select_related("person").first()
    if user is None or user.person is None:
        return 0
    children = list(family_minors_in_care(person=user.person))
    if not children:
        return 0
    child = children[-1]
    if PaymentPosition.objects.filter(
        service=SERVICE, debtor_fiscal_code=child.codice_fiscale
    ).exists():
        return 0
    year = timezone.localdate().year
    specs = [
        _spec(
            child,
            reference=f"mensa-{child.pk}-10",
            title=f"Mensa scolastica, ottobre {year}",
            single="45.60",
        ),
        _spec(
            child,
            reference=f"mensa-{child.pk}-11",
            title=f"Mensa scolastica, novembre {year}",
            single="52.00",
        ),
        _spec(
            child,
            reference=f"trasporto-{child.pk}",
            title=f"Trasporto scolastico {year}/{(year + 1) % 100:02d}",
            single="180.00",
            instalments=("60.00", "60.00", "60.00"),
        ),
    ]
    ids = positions_create(specs=specs, publish=False)
    for position_id in ids:
        position_publish(position_id=position_id)
    return len(ids)
