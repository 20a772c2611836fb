"""Reads for payments: the household ledger a citizen sees (their positions and those of the
minors in their family), what can go in a cart, and the operators' searches."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet

from sportello.payments.models import (
    PAYABLE_STATUSES,
    Anomaly,
    Cart,
    OptionStatus,
    PaymentOption,
    PaymentPosition,
    PositionStatus,
    Receipt,
)
from sportello.registry.selectors import family_minors_in_care

CITIZEN_OPEN = (
    PositionStatus.DRAFT,
    PositionStatus.PUBLISHED,
    PositionStatus.VALID,
    PositionStatus.PARTIALLY_PAID,
)


def household_codes(*, user) -> list[str]:
    """The codici fiscali whose positions the citizen sees: theirs, and their minors' in care."""
    person = user.person
    if person is None:
        return []
    minors = family_minors_in_care(person=person).values_list("codice_fiscale", flat=True)
    return [person.codice_fiscale, *minors]


def _with_options(queryset: QuerySet[PaymentPosition]) -> QuerySet[PaymentPosition]:
    paying = Receipt.objects.filter(pays_option=True)
    return queryset.prefetch_related(
        Prefetch(
            "options",
            queryset=PaymentOption.objects.order_by("instalment").prefetch_related(
                Prefetch("receipts", queryset=paying, to_attr="paying_receipts")
            ),
        )
    )


def household_positions(*, user, open_only: bool) -> QuerySet[PaymentPosition]:
    codes = household_codes(user=user)
    statuses = CITIZEN_OPEN if open_only else (PositionStatus.PAID, PositionStatus.PARTIALLY_PAID)
    return _with_options(
        PaymentPosition.objects.filter(debtor_fiscal_code__in=codes, status__in=statuses)
    ).order_by("-created_at", "-pk")


def household_position_get(*, user, iupd: str) -> PaymentPosition | None:
    return (
        _with_options(
            PaymentPosition.objects.filter(
                iupd=iupd, debtor_fiscal_code__in=household_codes(user=user)
            )
        )
        .exclude(status=PositionStatus.INVALID)
        .first()
    )


def household_receipt_get(*, user, pk: int) -> Receipt | None:
    return (
        Receipt.objects.select_related("option__position")
        .filter(
            pk=pk,
            pays_option=True,
            option__position__debtor_fiscal_code__in=household_codes(user=user),
        )
        .first()
    )


def option_payable(option: PaymentOption, siblings: Iterable[PaymentOption]) -> bool:
    """Unpaid, its position payable, and not the single payment of a position already being
    paid by instalments (nor an instalment once the whole amount is paid)."""
    position = option.position
    if option.status != OptionStatus.UNPAID:
        return False
    if position.status not in (*PAYABLE_STATUSES, PositionStatus.DRAFT):
        return False
    if option.is_partial_payment:
        return not any(
            other.status == OptionStatus.PAID and not other.is_partial_payment for other in siblings
        )
    return not any(other.status == OptionStatus.PAID for other in siblings)


def position_remaining(position: PaymentPosition) -> int:
    """Cents still due: nothing once paid; the unpaid instalments once one is paid; else the
    single payment (or, without one, all the instalments)."""
    if position.status == PositionStatus.PAID:
        return 0
    options = list(position.options.all())
    instalments = [option for option in options if option.is_partial_payment]
    single = [option for option in options if not option.is_partial_payment]
    unpaid_instalments = sum(o.amount for o in instalments if o.status == OptionStatus.UNPAID)
    if any(option.status == OptionStatus.PAID for option in instalments) or not single:
        return unpaid_instalments
    return single[0].amount


def household_options(*, user, option_ids: Iterable[int]) -> list[PaymentOption]:
    """The options among `option_ids` that belong to the citizen's household, in id order."""
    return list(
        PaymentOption.objects.select_related("position")
        .prefetch_related("position__options")
        .filter(
            pk__in=list(option_ids),
            position__debtor_fiscal_code__in=household_codes(user=user),
        )
        .order_by("pk")
    )


def cart_of(*, user, cart_uuid) -> Cart | None:
    return Cart.objects.filter(user=user, uuid=cart_uuid).first()


def positions_search(
    *,
    service: str = "",
    status: str = "",
    debtor: str = "",
    created_from: datetime.date | None = None,
    created_to: datetime.date | None = None,
) -> QuerySet[PaymentPosition]:
    queryset = PaymentPosition.objects.all()
    if service:
        queryset = queryset.filter(service=service)
    if status:
        queryset = queryset.filter(status=status)
    if debtor:
        term = debtor.strip()
        queryset = queryset.filter(
            Q(debtor_fiscal_code__iexact=term) | Q(debtor_name__icontains=term)
        )
    if created_from:
        queryset = queryset.filter(created_at__date__gte=created_from)
    if created_to:
        queryset = queryset.filter(created_at__date__lte=created_to)
    return queryset.order_by("-created_at", "-pk")


def anomalies_open() -> QuerySet[Receipt]:
    return (
        Receipt.objects.exclude(anomaly=Anomaly.NONE)
        .filter(resolved_at__isnull=True)
        .select_related("option__position")
        .order_by("-received_at", "-pk")
    )


def personal_area_payments(*, user) -> list:
    """The citizen's payments for «Area personale»: the latest positions of the household."""
    from django.urls import reverse

    from sportello.core.personal_area import PersonalItem
    from sportello.payments.hooks import payment_service_get

    if not getattr(user, "person_id", None):
        return []
    positions = PaymentPosition.objects.filter(
        debtor_fiscal_code__in=household_codes(user=user)
    ).exclude(status=PositionStatus.INVALID)[:5]
    return [
        PersonalItem(
            service=str(payment_service_get(position.service).label),
            title=position.title,
            status=position.get_status_display().capitalize(),
            when=position.paid_at or position.created_at,
            url=reverse("payments:home"),
            done=position.status == PositionStatus.PAID,
        )
        for position in positions
    ]
