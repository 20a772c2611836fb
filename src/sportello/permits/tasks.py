"""Daily jobs of the permits (beat, in config/celery.py): expiry just after midnight, then the
changes of residence, then the renewal reminders."""

from __future__ import annotations

from celery import shared_task

from sportello.permits import services


@shared_task(time_limit=600)
def permits_daily() -> dict[str, int]:
    return {
        "expired": services.permits_expire(),
        "moved": services.permits_residence_check(),
        "reminded": services.permits_remind(),
    }
