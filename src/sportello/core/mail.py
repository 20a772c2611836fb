"""A Django e-mail connection to an SMTP server other than the default one (the PEC provider,
an e-mail-to-fax gateway), from the settings dict django-environ makes of an e-mail URL."""

from __future__ import annotations

from typing import Any

from django.core.mail import get_connection


def email_connection(config: dict[str, Any], *, timeout: int = 30):
    return get_connection(
        backend=config["EMAIL_BACKEND"],
        host=config.get("EMAIL_HOST"),
        port=config.get("EMAIL_PORT"),
        username=config.get("EMAIL_HOST_USER"),
        password=config.get("EMAIL_HOST_PASSWORD"),
        use_tls=config.get("EMAIL_USE_TLS", False),
        use_ssl=config.get("EMAIL_USE_SSL", False),
        timeout=timeout,
    )
