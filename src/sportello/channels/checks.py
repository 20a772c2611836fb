"""Start-up checks for channel providers: a provider chosen without its settings fails now,
with the variable to set, rather than at the first alert."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


@register()
def providers_configured(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    chosen = " ".join(settings.SPORTELLO_CHANNELS.values())
    if ".twilio." in chosen and not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
        problems.append(
            Error(
                "A Twilio provider is chosen but TWILIO_ACCOUNT_SID or TWILIO_AUTH_TOKEN is unset.",
                hint="Set both (or TWILIO_AUTH_TOKEN_FILE), or choose another provider.",
                id="sportello.channels.E001",
            )
        )
    if ".twilio." in chosen and not settings.SPORTELLO_PUBLIC_URL.startswith("https://"):
        problems.append(
            Warning(
                "Twilio calls the webhooks at SPORTELLO_PUBLIC_URL, which is not https.",
                hint="Set SPORTELLO_PUBLIC_URL=https://sportello.comune.example.it",
                id="sportello.channels.W001",
            )
        )
    for marker, path, label in (
        (".smpp.", "sportello.channels.providers.smpp.smpp_config", "SPORTELLO_SMPP_*"),
        (".kannel.", "sportello.channels.providers.kannel.kannel_config", "SPORTELLO_KANNEL_*"),
        (".hylafax.", None, "SPORTELLO_HYLAFAX_HOST"),
        (".fax_email.", None, "SPORTELLO_FAX_EMAIL_*"),
    ):
        if marker not in chosen:
            continue
        message = _missing(path, label, marker)
        if message:
            problems.append(Error(message, hint=f"Set {label}.", id="sportello.channels.E002"))
    return problems


def _missing(path: str | None, label: str, marker: str) -> str:
    from django.utils.module_loading import import_string

    from sportello.channels.base import NotConfigured

    if path is None:
        setting = "SPORTELLO_HYLAFAX" if marker == ".hylafax." else "SPORTELLO_FAX_EMAIL"
        return "" if getattr(settings, setting, None) else f"{setting} is not configured."
    try:
        import_string(path)()
    except NotConfigured as error:
        return error.message
    return ""
