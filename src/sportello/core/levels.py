"""Login levels: how strongly a session proved who the user is, and what each service needs.

SPID's three levels (SpidL1 password, SpidL2 two factors, SpidL3 a smart card or device) are the
scale for every way in: CIE ID states the same levels; a smart-card login counts as level 3 (card
+ PIN); a username and password as level 1. The level is stored in the session at login.
A service that needs more (SPORTELLO_SERVICE_LEVELS, by URL namespace) refuses a weaker session
and offers to log in again at the level it needs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

SESSION_LEVEL = "_sportello_level"
ACR_PREFIX = "https://www.spid.gov.it/SpidL"


class AuthLevel(models.IntegerChoices):
    L1 = 1, _("livello 1 (password)")
    L2 = 2, _("livello 2 (password e codice temporaneo)")
    L3 = 3, _("livello 3 (carta o dispositivo di sicurezza)")


METHOD_LEVELS = {"password": AuthLevel.L1, "smartcard": AuthLevel.L3}


def acr_for(level: int) -> str:
    return f"{ACR_PREFIX}{int(level)}"


def level_from_acr(acr: str) -> int | None:
    """SpidL1..3 from an AuthnContextClassRef; None for anything else (old or unknown URIs)."""
    if acr and acr.startswith(ACR_PREFIX) and acr[len(ACR_PREFIX) :] in {"1", "2", "3"}:
        return int(acr[len(ACR_PREFIX) :])
    return None


def service_level(*, path: str | None = None, namespace: str | None = None) -> int | None:
    """The level configured for the service at `path` (or with that URL namespace), if any."""
    if namespace is None and path:
        try:
            namespace = resolve(path.split("?", 1)[0]).namespace
        except Resolver404:
            return None
    if not namespace:
        return None
    levels = settings.SPORTELLO_SERVICE_LEVELS
    # "alerts:operators" is covered by "alerts" unless it has its own entry.
    parts = namespace.split(":")
    for end in range(len(parts), 0, -1):
        level = levels.get(":".join(parts[:end]))
        if level is not None:
            return int(level)
    return None


def requested_level(*, next_url: str | None) -> int:
    """The level to ask the identity provider for, to reach `next_url`."""
    level = service_level(path=next_url) if next_url else None
    return level or int(settings.SPORTELLO_SPID["level"])


def required_level(request: HttpRequest) -> int:
    match = getattr(request, "resolver_match", None)
    level = service_level(namespace=match.namespace) if match else None
    return level or AuthLevel.L1


def session_level(request: HttpRequest) -> int:
    value = request.session.get(SESSION_LEVEL)
    return int(value) if value else AuthLevel.L1
