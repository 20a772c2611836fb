"""Start-up checks for citizen identity settings, in words an IT officer can act on."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


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
    try:
        import weasyprint  # noqa: F401
    except OSError as error:  # Pango missing: credential letters cannot be printed
        problems.append(
            Warning(
                f"WeasyPrint cannot load its system libraries ({error}).",
                hint="apt-get install libpango-1.0-0 libpangoft2-1.0-0",
                id="sportello.accounts.W001",
            )
        )
    return problems
