"""`{% login_buttons next %}`: «Entra con SPID» (with its providers) and «Entra con CIE»."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from sportello.accounts.models import LoginMethod

register = template.Library()


@register.inclusion_tag("accounts/spid/buttons.html", takes_context=True)
def login_buttons(context: dict[str, Any], next_url: str = "", show: str = "spid,cie") -> dict:
    from sportello.accounts.spid.config import unavailable_reason
    from sportello.accounts.spid.providers import identity_providers

    request = context["request"]
    wanted = set(show.split(","))
    reason = unavailable_reason()
    spid: list = []
    cie: list = []
    if reason is None:
        if LoginMethod.SPID in wanted:
            spid = identity_providers(protocol=LoginMethod.SPID, request=request)
        if LoginMethod.CIE in wanted:
            cie = identity_providers(protocol=LoginMethod.CIE, request=request)
    return {
        "request": request,
        "next": next_url,
        "reason": reason if settings.SPORTELLO_SPID["enabled"] else None,
        "spid_providers": spid,
        "cie_provider": cie[0] if cie else None,
        "show_spid": LoginMethod.SPID in wanted,
        "show_cie": LoginMethod.CIE in wanted,
    }
