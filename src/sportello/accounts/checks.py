"""Start-up checks for citizen identity settings, in words an IT officer can act on."""

from __future__ import annotations

import ctypes
import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

# The names WeasyPrint itself tries (Linux, macOS, Windows builds).
_PANGO_NAMES = ("libpangoft2-1.0.so.0", "libpangoft2-1.0.dylib", "libpangoft2-1.0-0.dll")


def _pango_loadable() -> bool:
    """Whether Pango loads, without importing WeasyPrint (half a second at every start-up)."""
    for name in _PANGO_NAMES:
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return True
    return False


@register()
def identity_settings(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    until = settings.SPORTELLO_LOCAL_CREDENTIALS_VALID_UNTIL
    if until:
        try:
            datetime.date.fromisoformat(until)
        except ValueError:
            problems.append(
                Error(
                    f"SPORTELLO_LOCAL_CREDENTIALS_VALID_UNTIL={until!r} is not a date.",
                    hint="Write it as YYYY-MM-DD, e.g. 2027-06-30.",
                    id="sportello.accounts.E001",
                )
            )
    url = settings.SPORTELLO_PEC_IMAP_URL
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("imaps", "imap") or not parts.hostname or not parts.username:
            problems.append(
                Error(
                    "SPORTELLO_PEC_IMAP_URL must look like imaps://user:password@host:993/INBOX.",
                    hint="Percent-encode special characters in the user name and password.",
                    id="sportello.accounts.E002",
                )
            )
    if not _pango_loadable():  # credential letters and PDF forms cannot be printed
        problems.append(
            Warning(
                "WeasyPrint cannot load Pango, the system library it draws text with.",
                hint="apt-get install libpango-1.0-0 libpangoft2-1.0-0",
                id="sportello.accounts.W001",
            )
        )
    return problems
