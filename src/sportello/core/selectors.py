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


def opening_summary(periods: list[OpeningPeriod]) -> list[tuple[str, str]]:
    """Group periods into readable lines: [("lunedì–venerdì", "9:00–13:00"), ...]."""
    by_day: dict[int, list[str]] = {}
    for period in periods:
        by_day.setdefault(period.weekday, []).append(f"{period.opens:%H:%M}–{period.closes:%H:%M}")
    lines: list[tuple[list[int], str]] = []
    for day in sorted(by_day):
        hours = ", ".join(by_day[day])
        if lines and lines[-1][1] == hours and lines[-1][0][-1] == day - 1:
            lines[-1][0].append(day)
        else:
            lines.append(([day], hours))
    labels = dict(OpeningPeriod._meta.get_field("weekday").choices)
    result = []
    for days, hours in lines:
        first, last = labels[days[0]], labels[days[-1]]
        label = str(first) if len(days) == 1 else f"{first}–{last}"
        result.append((label, hours))
    return result
