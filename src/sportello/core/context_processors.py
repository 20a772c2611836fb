"""Puts the comune's configuration in every template (header, footer, contacts)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sportello.core import selectors


def municipality(request: HttpRequest) -> dict[str, Any]:
    current = selectors.municipality_get()
    if current is None:
        return {"municipality": None, "offices": [], "helplines": []}
    # Opening periods are prefetched; the `opening_hours` template filter groups them.
    return {
        "municipality": current,
        "offices": selectors.municipality_offices(municipality=current),
        "helplines": selectors.municipality_helplines(municipality=current),
    }
