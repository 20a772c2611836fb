"""Puts the comune's configuration in every template (header, footer, contacts)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sportello.core import selectors


def municipality(request: HttpRequest) -> dict[str, Any]:
    current = selectors.municipality_get()
    if current is None:
        return {"municipality": None, "offices": [], "helplines": []}
    offices = selectors.municipality_offices(municipality=current)
    for office in offices:
        office.hours = selectors.opening_summary(list(office.opening_periods.all()))
    helplines = selectors.municipality_helplines(municipality=current)
    for helpline in helplines:
        helpline.hours = selectors.opening_summary(list(helpline.opening_periods.all()))
    return {"municipality": current, "offices": offices, "helplines": helplines}
