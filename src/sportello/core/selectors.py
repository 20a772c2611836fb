"""Reads of the municipality configuration."""

from __future__ import annotations

from django.db.models import Prefetch

from sportello.core.models import Helpline, Municipality, Office, OpeningPeriod


def municipality_get() -> Municipality | None:
    """The configured comune, or None before set-up (pages then show a neutral header)."""
    return Municipality.objects.order_by("pk").first()


def municipality_offices(*, municipality: Municipality) -> list[Office]:
    periods = Prefetch(
        "opening_periods", queryset=OpeningPeriod.objects.order_by("weekday", "opens")
    )
    return list(municipality.offices.prefetch_related(periods))


def municipality_helplines(*, municipality: Municipality) -> list[Helpline]:
    periods = Prefetch(
        "opening_periods", queryset=OpeningPeriod.objects.order_by("weekday", "opens")
    )
    return list(municipality.helplines.prefetch_related(periods))
