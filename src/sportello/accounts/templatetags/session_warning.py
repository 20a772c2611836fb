"""`{% session_warning %}`: a minute before a reserved session ends for inactivity, a dialog
says so and offers to stay logged in (WCAG 2.2.1, timing adjustable). Shown by
sportello/js/session.js; without JavaScript nothing appears and the session ends as before."""

from __future__ import annotations

from typing import Any

from django import template

from sportello.accounts.sessions import session_seconds_left

register = template.Library()

WARN_BEFORE_SECONDS = 60


@register.inclusion_tag("accounts/includes/session_warning.html", takes_context=True)
def session_warning(context: dict[str, Any]) -> dict:
    request = context.get("request")
    left = session_seconds_left(request=request) if request is not None else None
    return {"seconds_left": left, "warn_before": WARN_BEFORE_SECONDS, "request": request}
