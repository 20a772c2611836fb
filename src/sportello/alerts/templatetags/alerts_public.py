"""The active alerts on any page that wants them (the portal's home page):
{% load alerts_public %}{% active_alerts_panel %}. One small query, shared for up to 30 seconds
by every page and the app API (alerts.public.selectors.alerts_active_cached)."""

from __future__ import annotations

from typing import Any

from django import template

from sportello.alerts.public.selectors import alerts_active_cached

register = template.Library()


@register.inclusion_tag("alerts/public/_active.html")
def active_alerts_panel() -> dict[str, Any]:
    return {"alerts": alerts_active_cached().alerts}
