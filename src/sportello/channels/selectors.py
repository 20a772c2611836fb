"""Reads for channels."""

from __future__ import annotations

from django.conf import settings

from sportello.channels.base import Medium


def default_sender(medium: str) -> str:
    """Who a message of this medium comes from: the municipality's caller id or fax number, or
    the site's e-mail address."""
    from sportello.core.selectors import municipality_get

    municipality = municipality_get()
    if medium in (Medium.VOICE, Medium.SMS):
        return municipality.alert_caller_id if municipality else ""
    if medium == Medium.FAX:
        return municipality.fax_sender if municipality else ""
    return settings.DEFAULT_FROM_EMAIL
