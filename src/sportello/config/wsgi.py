"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault(
    "DJANGO_SETTINGS_MODULE", f"sportello.config.settings.{os.environ.get('SPORTELLO_ENV', 'local')}"
)
application = get_wsgi_application()
