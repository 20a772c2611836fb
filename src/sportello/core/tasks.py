"""Periodic housekeeping."""

from celery import shared_task
from django.core.management import call_command


@shared_task(name="sportello.core.tasks.clear_expired_sessions")
def clear_expired_sessions() -> None:
    """Delete expired sessions, so that the session table does not grow forever."""
    call_command("clearsessions")
