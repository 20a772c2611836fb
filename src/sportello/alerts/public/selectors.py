"""The alerts as the public sees them: which ones are active, their state in words, their texts
in the reader's language. Reads only; no operator, recipient or delivery detail leaves here.

An alert is *public* once it went out: status sending, sent or stopped, with a sending time,
and not a re-confirmation campaign (that is a call to directory numbers, not a warning). It is
*active* while it is sending or sent (not stopped) and has not expired: `expires` when the
operator set one, otherwise 24 hours after it was sent (ACTIVE_WITHOUT_EXPIRY), the same window
as the replay line. Drafts, alerts awaiting approval and scheduled ones are not public at all.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sportello.alerts.models import (
    Alert,
    AlertCategory,
    AlertCertainty,
    AlertKind,
    AlertSeverity,
    AlertStatus,
    AlertUrgency,
)
from sportello.channels.models import DispatchStatus

ACTIVE_WITHOUT_EXPIRY = datetime.timedelta(hours=24)
RECENT_DAYS = 90
ACTIVE_CACHE_KEY = "sportello.alerts.public.active"
ACTIVE_CACHE_SECONDS = 30
ACTIVE_LIMIT = 50  # more active alerts than this at once would be a mistake, not a warning

PUBLIC_STATUSES = (AlertStatus.SENDING, AlertStatus.SENT, AlertStatus.STOPPED)
LIVE_STATUSES = (AlertStatus.SENDING, AlertStatus.SENT)

# Most severe first; also the order of the home page.
SEVERITY_RANK = {
    AlertSeverity.EXTREME: 0,
    AlertSeverity.SEVERE: 1,
    AlertSeverity.MODERATE: 2,
    AlertSeverity.MINOR: 3,
    AlertSeverity.UNKNOWN: 4,
}


class PublicState:
    ACTIVE = "active"
    ENDED = "ended"
    STOPPED = "stopped"


def severity_word(severity: str) -> str:
    """«Estrema», «Grave», … : the word printed beside the colour, never the colour alone."""
    return {
        AlertSeverity.EXTREME: _("Gravità estrema"),
        AlertSeverity.SEVERE: _("Gravità alta"),
        AlertSeverity.MODERATE: _("Gravità moderata"),
        AlertSeverity.MINOR: _("Gravità bassa"),
    }.get(severity, _("Gravità non nota"))


def state_word(state: str) -> str:
    return {
        PublicState.ACTIVE: _("In corso"),
        PublicState.ENDED: _("Conclusa"),
        PublicState.STOPPED: _("Interrotta"),
    }[state]


def _label(choices: type, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@dataclass(frozen=True)
class PublicAlert:
    """The public content of an alert: what CAP publishes, and nothing about who sent it, who
    received it or how. Built from an Alert row; small and picklable, so it can be cached."""

    identifier: uuid.UUID
    exercise: bool
    status: str
    sent_at: datetime.datetime
    stopped_at: datetime.datetime | None
    onset: datetime.datetime | None
    expires: datetime.datetime | None
    event: str
    category: str
    urgency: str
    severity: str
    certainty: str
    headline: str
    description: str
    instruction: str
    headline_en: str
    description_en: str
    instruction_en: str
    area_description: str
    area: dict[str, Any] = field(default_factory=dict, compare=False)
    # When an update of it went out (then it is over: the update says what holds now).
    superseded_at: datetime.datetime | None = None
    updated_by: uuid.UUID | None = None

    @classmethod
    def from_alert(cls, alert: Alert) -> PublicAlert:
        return cls(
            identifier=alert.identifier,
            exercise=alert.exercise,
            status=alert.status,
            sent_at=alert.sent_at,  # type: ignore[arg-type]  # public alerts have one
            stopped_at=alert.stopped_at,
            onset=alert.onset,
            expires=alert.expires,
            event=alert.event,
            category=alert.category,
            urgency=alert.urgency,
            severity=alert.severity,
            certainty=alert.certainty,
            headline=alert.headline,
            description=alert.description,
            instruction=alert.instruction,
            headline_en=alert.headline_en,
            description_en=alert.description_en,
            instruction_en=alert.instruction_en,
            area_description=alert.area_description,
            area=alert.area or {},
            superseded_at=getattr(alert, "superseded_at", None),
            updated_by=getattr(alert, "updated_by", None),
        )

    # --- time and state ------------------------------------------------------------------

    @property
    def ends_at(self) -> datetime.datetime:
        """When it stops being active: its expiry, or 24 hours after it was sent, or when an
        update of it went out, whichever comes first."""
        ends = self.expires or self.sent_at + ACTIVE_WITHOUT_EXPIRY
        return min(ends, self.superseded_at) if self.superseded_at else ends

    def state(self, now: datetime.datetime | None = None) -> str:
        if self.status == AlertStatus.STOPPED:
            return PublicState.STOPPED
        if self.ends_at > (now or timezone.now()):
            return PublicState.ACTIVE
        return PublicState.ENDED

    @property
    def current_state(self) -> str:
        return self.state()

    @property
    def state_label(self) -> str:
        return state_word(self.state())

    @property
    def changed_at(self) -> datetime.datetime:
        """The last moment its public face changed: sent, stopped, or ended (when past)."""
        moments = [self.sent_at]
        if self.stopped_at:
            moments.append(self.stopped_at)
        if self.ends_at <= timezone.now():
            moments.append(self.ends_at)
        return max(moments)

    # --- words -----------------------------------------------------------------------------

    @property
    def severity_word(self) -> str:
        return severity_word(self.severity)

    @property
    def severity_label(self) -> str:
        return _label(AlertSeverity, self.severity)

    @property
    def urgency_label(self) -> str:
        return _label(AlertUrgency, self.urgency)

    @property
    def certainty_label(self) -> str:
        return _label(AlertCertainty, self.certainty)

    @property
    def category_label(self) -> str:
        return _label(AlertCategory, self.category)

    @property
    def has_english(self) -> bool:
        return bool(self.headline_en.strip())

    @property
    def texts(self) -> dict[str, dict[str, str]]:
        """Headline, description and instruction in the reader's language, each with the
        language it is actually written in (English only when the operator wrote it)."""
        english = (translation.get_language() or "").startswith("en") and self.has_english

        def pick(italian: str, english_text: str) -> dict[str, str]:
            if english and english_text.strip():
                return {"text": english_text, "lang": "en"}
            return {"text": italian, "lang": "it"}

        return {
            "headline": pick(self.headline, self.headline_en),
            "description": pick(self.description, self.description_en),
            "instruction": pick(self.instruction, self.instruction_en),
        }

    @property
    def url(self) -> str:
        return reverse("alerts:public_alert", args=[self.identifier])

    @property
    def cap_url(self) -> str | None:
        return cap_url(self.identifier)


def cap_url(identifier: uuid.UUID) -> str | None:
    """The alert's CAP 1.2 message, when the CAP feed is installed (alerts:cap_alert)."""
    try:
        return reverse("alerts:cap_alert", args=[identifier])
    except NoReverseMatch:
        return None


# --- queries ---------------------------------------------------------------------------------


def updates_sent() -> QuerySet[Alert]:
    """The updates that went out of the alert in OuterRef("pk"), the first first: once one has,
    the alert it updates is over everywhere (pages, feed, replay line)."""
    return Alert.objects.filter(
        supersedes=OuterRef("pk"),
        kind=AlertKind.ALERT,
        status__in=PUBLIC_STATUSES,
        sent_at__isnull=False,
    ).order_by("sent_at")


def _public() -> QuerySet[Alert]:
    return Alert.objects.filter(
        kind=AlertKind.ALERT, status__in=PUBLIC_STATUSES, sent_at__isnull=False
    ).annotate(
        superseded_at=Subquery(updates_sent().values("sent_at")[:1]),
        updated_by=Subquery(updates_sent().values("identifier")[:1]),
    )


def _active_q(now: datetime.datetime) -> Q:
    return (
        Q(status__in=LIVE_STATUSES)
        & Q(superseded_at__isnull=True)
        & (Q(expires__gt=now) | Q(expires__isnull=True, sent_at__gt=now - ACTIVE_WITHOUT_EXPIRY))
    )


def _sorted(alerts: list[PublicAlert]) -> list[PublicAlert]:
    """Most severe first, then the newest."""
    return sorted(
        alerts,
        key=lambda a: (SEVERITY_RANK.get(a.severity, 9), -a.sent_at.timestamp()),
    )


def alerts_active(*, now: datetime.datetime | None = None) -> list[PublicAlert]:
    """The active alerts, most severe first. One query on the alerts table."""
    now = now or timezone.now()
    rows = _public().filter(_active_q(now)).order_by("-sent_at")[:ACTIVE_LIMIT]
    return _sorted([PublicAlert.from_alert(alert) for alert in rows])


def alerts_last_change(*, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """When the list of active alerts last changed: the latest sending, stop, or end already
    past. It only moves forward, so it can serve as the list's Last-Modified."""
    now = now or timezone.now()
    figures = _public().aggregate(
        sent=Max("sent_at"),
        stopped=Max("stopped_at"),
        expired=Max("expires", filter=Q(expires__lte=now)),
        lapsed=Max(
            "sent_at", filter=Q(expires__isnull=True, sent_at__lte=now - ACTIVE_WITHOUT_EXPIRY)
        ),
    )
    if figures["lapsed"] is not None:
        figures["lapsed"] += ACTIVE_WITHOUT_EXPIRY
    moments = [value for value in figures.values() if value is not None]
    return max(moments) if moments else None


@dataclass(frozen=True)
class ActiveAlerts:
    alerts: list[PublicAlert]
    last_change: datetime.datetime | None
    checked_at: datetime.datetime


def alerts_active_cached() -> ActiveAlerts:
    """The active alerts, shared by every page and the app API for up to 30 seconds (less when
    one of them ends sooner, so that nobody sees an alert after its end)."""
    found = cache.get(ACTIVE_CACHE_KEY)
    now = timezone.now()
    if isinstance(found, ActiveAlerts) and all(a.ends_at > now for a in found.alerts):
        return found
    active = ActiveAlerts(
        alerts=alerts_active(now=now), last_change=alerts_last_change(now=now), checked_at=now
    )
    seconds = ACTIVE_CACHE_SECONDS
    if active.alerts:
        first_end = min(a.ends_at for a in active.alerts)
        seconds = max(1, min(seconds, int((first_end - now).total_seconds()) + 1))
    cache.set(ACTIVE_CACHE_KEY, active, seconds)
    return active


def alerts_active_forget() -> None:
    """Drop the shared list of active alerts, so that the next page shows the change at once
    (to call after sending or stopping an alert; without it the change shows within 30 s)."""
    cache.delete(ACTIVE_CACHE_KEY)


def alert_public_get(identifier: uuid.UUID) -> PublicAlert | None:
    """An alert that went out, by its identifier; None for drafts, scheduled ones, unknown ids."""
    alert = _public().filter(identifier=identifier).first()
    return PublicAlert.from_alert(alert) if alert else None


def alerts_recent(*, days: int = RECENT_DAYS) -> QuerySet[Alert]:
    """Alerts sent in the last `days` days, the newest first (paginate, then wrap each row in
    PublicAlert.from_alert)."""
    since = timezone.now() - datetime.timedelta(days=days)
    return _public().filter(sent_at__gte=since).order_by("-sent_at", "-pk")


def alerts_closed() -> QuerySet[Alert]:
    """Alerts whose sending is over — sent and dispatch done, or stopped — the newest first: the
    ones the open-data archive publishes."""
    return (
        _public()
        .filter(
            Q(status__in=(AlertStatus.SENT, AlertStatus.STOPPED))
            | Q(
                status=AlertStatus.SENDING,
                dispatch__status__in=(DispatchStatus.DONE, DispatchStatus.STOPPED),
            )
        )
        .order_by("-sent_at", "-pk")
    )
