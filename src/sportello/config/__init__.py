"""Project configuration: settings, URLs, the Celery app and the WSGI/ASGI entry points."""

import os


def settings_module() -> str:
    """The settings module for SPORTELLO_ENV (local by default, test, production)."""
    return f"sportello.config.settings.{os.environ.get('SPORTELLO_ENV', 'local')}"
