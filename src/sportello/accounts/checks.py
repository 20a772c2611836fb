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


@register()
def spid_settings(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """SPID / CIE ID need xmlsec1 and the SP's key and certificate: production refuses to start
    without them; locally the login page explains and the other ways to log in keep working."""
    import shutil
    from pathlib import Path

    spid = settings.SPORTELLO_SPID
    if not spid["enabled"]:
        return []
    production = settings.SPORTELLO_ENV == "production"
    level = Error if production else Warning
    problems: list[CheckMessage] = []
    if not (spid["xmlsec_binary"] or shutil.which("xmlsec1")):
        problems.append(
            level(
                "SPID / CIE ID: the xmlsec1 program is not installed; logins with SPID and CIE "
                "are unavailable until it is.",
                hint="apt-get install xmlsec1 (or set SPORTELLO_XMLSEC_BINARY).",
                id="sportello.accounts.E010" if production else "sportello.accounts.W010",
            )
        )
    missing = [
        str(spid[name]) for name in ("key_file", "cert_file") if not Path(spid[name]).exists()
    ]
    if missing and production:
        problems.append(
            Error(
                f"SPID / CIE ID: the SP's key or certificate is missing ({', '.join(missing)}).",
                hint="Run `sportello spid_setup`, or set SPORTELLO_SPID_KEY_FILE and "
                "SPORTELLO_SPID_CERT_FILE to the comune's (Avviso SPID n. 29 v3).",
                id="sportello.accounts.E011",
            )
        )
    return problems
