"""Which alerts are public as CAP: every alert that went out (the index), and the current ones
(the Atom feed), with the moments a reader's cache needs to know whether anything changed."""

from __future__ import annotations

import datetime
import hashlib

from django.db.models import Exists, Max, Q, QuerySet
from django.utils import timezone

from sportello.alerts.cap.build import PUBLISHED_STATUSES
from sportello.alerts.models import Alert, AlertKind, AlertStatus
from sportello.alerts.public.selectors import updates_sent

# An alert without an end of validity stays in the feed this long after it went out.
CURRENT_WITHOUT_EXPIRY = datetime.timedelta(hours=24)
# A stopped alert stays in the feed, as its Cancel message, while it would still be current:
# CAP readers (aggregators, apps) remove an alert when they get its Cancel, not when it vanishes.
FEED_CANCELS = True


def alerts_published() -> QuerySet[Alert]:
    """Alerts that went out (sending, sent, or stopped after going out), newest first.
    Re-confirmation campaigns are calls to directory numbers, not public warnings."""
    return Alert.objects.filter(
        kind=AlertKind.ALERT, status__in=PUBLISHED_STATUSES, sent_at__isnull=False
    ).order_by("-sent_at", "-pk")


def _current(now: datetime.datetime) -> Q:
    return Q(expires__gt=now) | Q(expires__isnull=True, sent_at__gt=now - CURRENT_WITHOUT_EXPIRY)


def alerts_in_feed(*, now: datetime.datetime | None = None) -> QuerySet[Alert]:
    """The current alerts (not expired, not stopped), and, with FEED_CANCELS, the stopped ones
    that would still be current (published as their Cancel)."""
    now = now or timezone.now()
    # An alert whose update went out is no longer current: the update (referencing it) is.
    alerts = alerts_published().filter(_current(now)).exclude(Exists(updates_sent()))
    if not FEED_CANCELS:
        alerts = alerts.exclude(status=AlertStatus.STOPPED)
    return alerts


def feed_last_modified(*, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """The last moment the feed's content changed: an alert went out or was stopped, or one
    left the feed because its validity ended."""
    now = now or timezone.now()
    published = alerts_published()
    moments = published.aggregate(sent=Max("sent_at"), stopped=Max("stopped_at"))
    expired = published.filter(expires__lte=now).aggregate(at=Max("expires"))["at"]
    aged = published.filter(
        expires__isnull=True, sent_at__lte=now - CURRENT_WITHOUT_EXPIRY
    ).aggregate(at=Max("sent_at"))["at"]
    candidates = [
        moments["sent"],
        moments["stopped"],
        expired,
        aged + CURRENT_WITHOUT_EXPIRY if aged else None,
    ]
    known = [moment for moment in candidates if moment is not None]
    return max(known) if known else None


def feed_etag(*, now: datetime.datetime | None = None) -> str:
    """Changes whenever an entry of the feed is added, removed or changes kind (stopped)."""
    entries = alerts_in_feed(now=now).values_list("identifier", "status")
    text = ";".join(f"{identifier}:{status}" for identifier, status in entries)
    return hashlib.sha256(text.encode()).hexdigest()[:32]
