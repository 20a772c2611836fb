"""«Area personale» lists the citizen's requests of every kind with their status. Each service
app registers, in its AppConfig.ready(), a function that tells a citizen's items; core knows
no app (the apps point down to it)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PersonalItem:
    """One request, payment or document of the citizen, as «Area personale» shows it."""

    service: str  # the service's name, as the citizen reads it
    title: str
    status: str
    when: datetime.datetime
    url: str = ""
    done: bool = False  # nothing left to do for the citizen


_PROVIDERS: list[Callable[..., list[PersonalItem]]] = []


def personal_area_register(provider: Callable[..., list[PersonalItem]]) -> None:
    """`provider(user=…)` returns the user's items (newest first, a handful at most)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def personal_items(*, user, limit: int = 10) -> list[PersonalItem]:
    items = [item for provider in _PROVIDERS for item in provider(user=user)]
    return sorted(items, key=lambda item: item.when, reverse=True)[:limit]
