"""The periodic reading of upstream CAP feeds (beat entry in config/celery.py)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

# One poll at a time across all workers: two overlapping polls could both find a message new.
# A poll that dies keeps the lock at most this long.
LOCK_KEY = "sportello.alerts.cap.poll_lock"
LOCK_SECONDS = 15 * 60


@shared_task
def cap_poll_feeds() -> list[dict[str, Any]]:
    """Import the new messages of every feed in SPORTELLO_CAP_FEEDS as draft alerts."""
    from sportello.alerts.cap.polling import cap_feeds_poll

    urls = list(getattr(settings, "SPORTELLO_CAP_FEEDS", []) or [])
    if not urls:
        return []
    if not cache.add(LOCK_KEY, "1", timeout=LOCK_SECONDS):
        logger.info("CAP feeds: the previous poll is still running, this one is skipped")
        return []
    try:
        return [report.as_dict() for report in cap_feeds_poll(urls)]
    finally:
        cache.delete(LOCK_KEY)
