"""System checks that report bad configuration at start-up, in words an IT officer can act on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def broker_is_a_server(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.CELERY_BROKER_URL.startswith(("filesystem://", "memory://")):
        return [
            Error(
                "The embedded Celery broker serves one machine only.",
                hint="Set CELERY_BROKER_URL to redis://… or amqp://… in production.",
                id="sportello.E001",
            )
        ]
    return []


@register(Tags.database, deploy=True)
def database_is_postgresql(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return [
            Error(
                "Production needs PostgreSQL.",
                hint="Set DATABASE_URL to postgres://user:password@host:5432/sportello.",
                id="sportello.E002",
            )
        ]
    return []
