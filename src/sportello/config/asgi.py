"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault(
    "DJANGO_SETTINGS_MODULE", f"sportello.config.settings.{os.environ.get('SPORTELLO_ENV', 'local')}"
)
application = get_asgi_application()
