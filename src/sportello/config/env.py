"""Strict reading of the environment: every bad value names its variable.

Only the settings modules import this. A `_FILE` variant is accepted for every secret so that
production can mount secrets as files instead of exporting them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

_env = environ.Env()


def _raw(name: str) -> str | None:
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_name!r} ({exc})") from exc
    return os.environ.get(name)


def _fail(name: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name}={value!r} is not valid: expected {expected}.")


def text(name: str, default: str | None = None) -> str:
    value = _raw(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"{name} is required but not set.")
        return default
    return value


def optional(name: str) -> str | None:
    value = _raw(name)
    return value or None


def boolean(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise _fail(name, value, "true or false")


def integer(name: str, default: int, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise _fail(name, value, "a whole number") from None
    if minimum is not None and number < minimum:
        raise _fail(name, value, f"a whole number not below {minimum}")
    return number


def items(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


def database(name: str, default: str) -> dict[str, Any]:
    value = _raw(name) or default
    try:
        config = environ.Env.db_url_config(value)
    except Exception as exc:  # django-environ raises several kinds on bad URLs
        raise _fail(name, value, f"a database URL such as postgres://user@host/db ({exc})") from exc
    if not str(config.get("ENGINE", "")).startswith("django."):
        raise _fail(name, value, "a database URL with a known scheme (postgres://, sqlite://)")
    return config


def email(name: str, default: str) -> dict[str, Any]:
    value = _raw(name) or default
    try:
        return environ.Env.email_url_config(value)
    except Exception as exc:
        raise _fail(name, value, f"an e-mail URL such as smtp://host:25 ({exc})") from exc


def cache(name: str, default: str) -> dict[str, Any]:
    value = _raw(name) or default
    try:
        return environ.Env.cache_url_config(value)
    except Exception as exc:
        raise _fail(name, value, f"a cache URL such as redis://host:6379/2 ({exc})") from exc


def tile_origins(template: str) -> list[str]:
    """The origin of a Leaflet tile URL template, for the Content-Security-Policy:
    'https://{s}.tile.example.org/{z}/{x}/{y}.png' -> ['https://*.tile.example.org']."""
    from urllib.parse import urlsplit

    if not template:
        return []
    parts = urlsplit(template.replace("{s}", "*"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return []
    return [f"{parts.scheme}://{parts.netloc}"]
