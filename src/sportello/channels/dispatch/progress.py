"""Figures for the preview and the monitor."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from sportello.channels import limits
from sportello.channels.base import DeliveryStatus, Medium
from sportello.channels.dispatch.watchdog import OPEN_CALL_STATUSES
from sportello.channels.dispatch.work import problem_key
from sportello.channels.models import Delivery, Dispatch, DispatchStatus


def dispatch_eta_seconds(counts: dict[str, int]) -> dict[str, float]:
    """How long each medium takes at the providers' configured capacity; the media go in
    parallel, so the total is the slowest one. Uncapped media count as immediate."""
    eta: dict[str, float] = {}
    for medium in Medium.values:
        count = counts.get(medium, 0)
        cap = limits.capacity(medium)
        seconds = 0.0
        if count and cap.rate:
            seconds = count / cap.rate
        if count and cap.lines:
            seconds = max(seconds, count * settings.SPORTELLO_CALL_SECONDS / cap.lines)
        eta[medium] = seconds
    eta["total"] = max(eta.values(), default=0.0)
    return eta


def dispatch_progress(dispatch: Dispatch) -> dict[str, Any]:
    """Counts per medium and status, hand-off rate over the last 10 s, ETA, providers in trouble.
    One pass over the dispatch's rows (about 0.3 s for 300,000 on PostgreSQL)."""
    since = timezone.now() - timedelta(seconds=10)
    rows = (
        Delivery.objects.filter(dispatch=dispatch)
        .values("medium", "status")
        .annotate(
            n=Count("id"),
            recent=Count("id", filter=Q(claimed_at__gte=since)),
            doubled=Count("id", filter=Q(maybe_doubled=True)),
        )
        .order_by()
    )
    media: dict[str, dict[str, int]] = {}
    recent: dict[str, int] = {}
    doubled: dict[str, int] = {}
    for row in rows:
        by_status = media.setdefault(row["medium"], dict.fromkeys(DeliveryStatus.values, 0))
        by_status[row["status"]] = row["n"]
        recent[row["medium"]] = recent.get(row["medium"], 0) + row["recent"]
        doubled[row["medium"]] = doubled.get(row["medium"], 0) + row["doubled"]
    rate = {medium: count / 10 for medium, count in recent.items() if count}
    remaining = {
        medium: statuses[DeliveryStatus.QUEUED] + statuses[DeliveryStatus.SENDING]
        for medium, statuses in media.items()
    }
    open_calls = sum(media.get(Medium.VOICE, {}).get(status, 0) for status in OPEN_CALL_STATUSES)
    eta = None
    if any(remaining.values()):
        estimates = [
            remaining[medium] / rate[medium]
            for medium in remaining
            if remaining[medium] and rate.get(medium)
        ]
        eta = max(estimates) if estimates else None
    problems = {medium: cache.get(problem_key(dispatch.pk, medium)) for medium in media}
    return {
        "media": media,
        # Handed again after their worker died while they were with a provider that cannot be
        # asked what it received: these people may have had the message twice.
        "maybe_doubled": doubled,
        "rate": rate,
        "eta_seconds": eta,
        "problems": problems,
        "total": sum(sum(statuses.values()) for statuses in media.values()),
        # Over: stopped or done, or nothing left to hand over and no call still going on.
        "finished": dispatch.status != DispatchStatus.RUNNING
        or (not any(remaining.values()) and not open_calls),
        "status": dispatch.status,
        "last_handoff_at": dispatch.finished_at.isoformat() if dispatch.finished_at else None,
    }
