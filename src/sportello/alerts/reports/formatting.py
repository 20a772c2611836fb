"""Figures, durations and moments as the operator reads them; numbers and addresses masked."""

from __future__ import annotations

import datetime
import re

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sportello.channels.base import Medium
from sportello.channels.phones import phone_masked


def number_text(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


def percent_of(part: int, whole: int) -> int:
    """Rounded down, so that 99.6% is not shown as done."""
    return (100 * part) // whole if whole else 0


def rate_text(rate: float) -> str:
    if not rate:
        return _("nessun messaggio negli ultimi 10 secondi")
    return _("%(rate)s messaggi al secondo") % {
        "rate": formats.number_format(round(rate, 1), decimal_pos=1, force_grouping=True)
    }


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return _("non ancora stimabile")
    if seconds < 60:
        return _("meno di un minuto")
    minutes = int(round(seconds / 60))
    if minutes < 60:
        return ngettext("circa %(n)d minuto", "circa %(n)d minuti", minutes) % {"n": minutes}
    hours, minutes = divmod(minutes, 60)
    return ngettext("circa %(h)d ora", "circa %(h)d ore", hours) % {"h": hours} + (
        " " + ngettext("e %(m)d minuto", "e %(m)d minuti", minutes) % {"m": minutes}
        if minutes
        else ""
    )


def when_text(value: datetime.datetime | str | None) -> str:
    """A moment as the operator reads it: the time today, date and time otherwise."""
    if not value:
        return "—"
    if isinstance(value, str):
        value = parse_datetime(value)
        if value is None:
            return "—"
    local = timezone.localtime(value)
    if local.date() == timezone.localdate():
        return formats.time_format(local, "H:i:s")
    return formats.date_format(local, "SHORT_DATETIME_FORMAT")


def email_masked(address: str) -> str:
    """'m***@example.it': as phone_masked, enough for its owner to recognise."""
    local, _at, domain = address.partition("@")
    return (local[:1] + "***@" + domain) if domain else "***"


def to_masked(medium: str, to: str) -> str:
    if medium == Medium.EMAIL:
        return email_masked(to)
    return phone_masked(to) if len(to) > 6 else "***"


_EMAIL = re.compile(r"[^\s'\"<>(),;:]+@[^\s'\"<>(),;:]+")
_DIGITS = re.compile(r"\+?\d[\d .-]{4,}\d")


def reason_masked(reason: str, *, medium: str, to: str) -> str:
    """A provider's reason without the number or address it may quote ('The To number
    +39333… is not valid', 'Indirizzo rifiutato: {maria@…}')."""
    if to:
        reason = reason.replace(to, to_masked(medium, to))
    reason = _EMAIL.sub(lambda match: email_masked(match.group(0)), reason)
    return _DIGITS.sub(lambda match: _digits_masked(match.group(0)), reason)


def _digits_masked(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return value if len(digits) < 7 else "*** " + digits[-4:]
