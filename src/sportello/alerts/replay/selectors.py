"""What the 24-hour replay line plays, and to whom: the alerts, the caller, their order."""

from __future__ import annotations

import datetime
import logging
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely.errors
from django.core.cache import cache
from django.db.models import Exists
from django.utils import timezone

from sportello.alerts.flows.speech import helpline_number
from sportello.alerts.models import (
    Alert,
    AlertKind,
    AlertLanguage,
    AlertStatus,
    Subscription,
    SubscriptionStatus,
)
from sportello.alerts.public.selectors import updates_sent
from sportello.channels.phones import phone_kind
from sportello.core.selectors import municipality_get
from sportello.places.areas.civic_points import CivicPoints
from sportello.places.areas.selection import area_indices

# The name the replay line always logged under (ops filter on it).
logger = logging.getLogger("sportello.alerts.replay")


FLOW = "replay"
REPLAY_WINDOW = datetime.timedelta(hours=24)
# How long every process shares one reading of the alerts: an alert sent a moment ago reaches
# the line within this many seconds.
LIST_CACHE_SECONDS = 5
LIST_CACHE_KEY = "sportello.alerts.replay.{minute}"
# Sent alerts only: a stopped one was heard by some people, so it is played, said stopped.
REPLAYED_STATUSES = (AlertStatus.SENDING, AlertStatus.SENT, AlertStatus.STOPPED)
# What the line says of an alert (the area is read apart: it may be large).
_FIELDS = (
    "identifier",
    "kind",
    "status",
    "exercise",
    "headline",
    "headline_en",
    "description",
    "sms_text",
    "voice_text",
    "voice_text_en",
    "voice_recording",
    "sent_at",
    "stopped_at",
)
_AREAS_KEPT = 256
_areas: dict[uuid.UUID, dict[str, Any]] = {}  # alert identifier -> its area, in this process


@dataclass(frozen=True)
class ReplayLine:
    """One reading of what the line plays, shared by every process for a few seconds."""

    alerts: list[Alert]  # sent since the start of the minute, minus 24 hours; newest first
    municipality: str
    helpline: str


@dataclass(frozen=True)
class ReplayCaller:
    """A subscriber calling: the language they chose and where they live (a landline may be a
    household's several subscriptions)."""

    language: str
    addresses: CivicPoints


@dataclass(frozen=True)
class ReplayItem:
    alert: Alert
    concerns_caller: bool


# --- selectors --------------------------------------------------------------------------------


def replay_line_number() -> str:
    """The number that answers with the replay: the alert caller ID, which calls and SMS show."""
    municipality = municipality_get()
    return municipality.alert_caller_id if municipality else ""


def _line_load(since: datetime.datetime) -> ReplayLine:
    alerts = list(
        Alert.objects.filter(kind=AlertKind.ALERT, status__in=REPLAYED_STATUSES, sent_at__gte=since)
        # An alert whose update went out is read no more: its update is.
        .exclude(Exists(updates_sent()))
        .order_by("-sent_at", "-pk")
        .only(*_FIELDS)
    )
    for alert in alerts:
        # An alert sent by SMS and e-mail only has no call text: the line reads its SMS (in
        # memory only, never saved).
        if not alert.voice_text and not alert.voice_recording:
            alert.voice_text = alert.sms_text or alert.description
    municipality = municipality_get()
    return ReplayLine(
        alerts=alerts,
        municipality=municipality.name if municipality else "",
        helpline=helpline_number(),
    )


def replay_line(*, now: datetime.datetime) -> ReplayLine:
    """The alerts sent in the 24 hours before `now` (newest first), the comune's name and its
    helpline, read at most once every few seconds by all processes together."""
    minute = now.replace(second=0, microsecond=0)
    key = LIST_CACHE_KEY.format(minute=int(minute.timestamp()) // 60)
    line = None
    try:
        line = cache.get(key)
    except Exception:  # the line must answer even when the cache is down
        logger.warning("Replay line: cache unavailable, reading the database", exc_info=True)
    if not isinstance(line, ReplayLine):
        line = _line_load(minute - REPLAY_WINDOW)
        try:
            cache.set(key, line, LIST_CACHE_SECONDS)
        except Exception:
            logger.warning("Replay line: cache unavailable", exc_info=True)
    since = now - REPLAY_WINDOW
    return ReplayLine(
        alerts=[alert for alert in line.alerts if alert.sent_at >= since],
        municipality=line.municipality,
        helpline=line.helpline,
    )


def replay_alerts(*, now: datetime.datetime | None = None) -> list[Alert]:
    """Alerts sent in the 24 hours before `now`, newest first."""
    return replay_line(now=now or timezone.now()).alerts


def replay_caller(*, number: str) -> ReplayCaller | None:
    """The active subscription(s) calling from `number` (E.164), or None.

    A mobile number is only ever stored as a subscription's mobile and a landline as a
    landline (the forms check the kind), so one column is searched, never both.
    """
    column = {"mobile": "mobile", "landline": "landline"}.get(phone_kind(number))
    if column is None:
        return None
    rows = list(
        Subscription.objects.filter(status=SubscriptionStatus.ACTIVE, **{column: number})
        .order_by("pk")
        .values_list(
            "language",
            "civic_number_id",
            "civic_number__longitude",
            "civic_number__latitude",
            "civic_number__street_id",
            "civic_number__number",
        )[:10]
    )
    if not rows:
        return None
    language = rows[0][0] if rows[0][0] in AlertLanguage.values else AlertLanguage.IT
    _language, ids, lon, lat, street, number_ = zip(*rows, strict=True)
    addresses = CivicPoints(
        version=(),
        built_at=0.0,
        ids=np.array(ids, dtype=np.int64),
        lon=np.array(lon, dtype=np.float64),
        lat=np.array(lat, dtype=np.float64),
        street=np.array(street, dtype=np.int64),
        number=np.array(number_, dtype=np.int64),
    )
    return ReplayCaller(language=str(language), addresses=addresses)


def _areas_of(alerts: list[Alert]) -> dict[uuid.UUID, dict[str, Any]]:
    """The areas of `alerts`, read from the database only the first time this process meets
    each alert (a sent alert's area is frozen: `alert_area_set` only changes drafts)."""
    missing = [alert.identifier for alert in alerts if alert.identifier not in _areas]
    if missing:
        if len(_areas) + len(missing) > _AREAS_KEPT:
            _areas.clear()
        rows = Alert.objects.filter(identifier__in=missing).values_list("identifier", "area")
        for identifier, area in rows:
            _areas[identifier] = area if isinstance(area, dict) else {}
    return {alert.identifier: _areas.get(alert.identifier, {}) for alert in alerts}


def _covers(alert: Alert, area: dict[str, Any], addresses: CivicPoints) -> bool:
    if area.get("city") is True:
        return True
    try:
        return bool(area_indices(area, addresses).size)
    except (KeyError, TypeError, ValueError, IndexError, shapely.errors.ShapelyError):
        # A malformed area must not silence the line: the alert is still played, just not
        # said to concern the caller.
        logger.warning("Replay line: unreadable area in alert %s", alert.identifier, exc_info=True)
        return False


def replay_items(*, alerts: list[Alert], caller: ReplayCaller | None) -> list[ReplayItem]:
    """The order the caller hears the alerts: those covering their address first, then the
    others, each group newest first. Unknown callers: newest first."""
    if caller is None:
        return [ReplayItem(alert=alert, concerns_caller=False) for alert in alerts]
    areas = _areas_of(alerts)
    items = [
        ReplayItem(
            alert=alert,
            concerns_caller=_covers(alert, areas[alert.identifier], caller.addresses),
        )
        for alert in alerts
    ]
    return sorted(items, key=lambda item: not item.concerns_caller)  # stable: newest first
