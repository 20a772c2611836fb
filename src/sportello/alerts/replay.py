"""The 24-hour replay line: a call to the alert caller ID plays back every alert sent in the
previous 24 hours, newest first. A caller who is a subscriber hears them in their language, and
first those whose area covers their address, each said to concern them.

Every step is one webhook of a live call, so each stays small: the alerts are one query shared by
all processes through the cache for a few seconds; the caller is found by one indexed column;
whether an area covers the caller's address is tested on that one point with the targeting code
(`alerts.targeting.area_indices`, the same test `area_civic_numbers` makes on every civic
number), the areas read once per process (a sent alert's area no longer changes).
"""

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
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sportello.alerts.flows.speech import alert_message_parts, digits_phone, helpline_number
from sportello.alerts.models import (
    Alert,
    AlertKind,
    AlertLanguage,
    AlertStatus,
    Subscription,
    SubscriptionStatus,
)
from sportello.alerts.public.selectors import updates_sent
from sportello.alerts.targeting import CivicPoints, area_indices
from sportello.channels.ivr import Call, Gather, Pause, Prompt, Say
from sportello.channels.phones import phone_e164, phone_kind
from sportello.core.selectors import municipality_get

logger = logging.getLogger(__name__)

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
_GATHER_SECONDS = 6
_KEYS = "0123456789*#"


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


# --- the flow ---------------------------------------------------------------------------------


def _when(value: datetime.datetime, now: datetime.datetime) -> str:
    """«oggi alle 14:35», «ieri alle 23:10» (local time)."""
    local = timezone.localtime(value)
    today = timezone.localtime(now).date()
    time = date_format(local, "H:i")
    if local.date() == today:
        return _("oggi alle %(time)s") % {"time": time}
    if local.date() == today - datetime.timedelta(days=1):
        return _("ieri alle %(time)s") % {"time": time}
    return _("il %(date)s alle %(time)s") % {"date": date_format(local, "j F"), "time": time}


def _menu(*, last: bool, helpline: str, say_last: bool = True) -> str:
    choices = []
    if last and say_last:
        choices.append(_("Era l'ultima allerta."))
    choices.append(_("Per riascoltare questa allerta premi 1."))
    if not last:
        choices.append(_("Per la prossima allerta premi 2."))
    if helpline:
        choices.append(_("Per sentire il numero di assistenza premi 9."))
    choices.append(_("Per terminare premi 0."))
    return " ".join(choices)


def _gather(alert: Alert) -> Gather:
    # No key is an answer too: the next alert, or goodbye after the last.
    return Gather(
        step=f"alert-{alert.pk}", num_digits=1, timeout=_GATHER_SECONDS, empty_to_step=True
    )


def _alert_prompt(
    items: list[ReplayItem],
    index: int,
    *,
    line: ReplayLine,
    language: str,
    now: datetime.datetime,
    intro: list[Say] | None = None,
) -> Prompt:
    item = items[index]
    alert = item.alert
    parts: list[Any] = list(intro or [])
    parts.append(
        Say(
            _("Allerta %(position)s di %(total)s, inviata %(when)s.")
            % {"position": index + 1, "total": len(items), "when": _when(alert.sent_at, now)},
            language,
        )
    )
    if alert.status == AlertStatus.STOPPED:
        parts.append(
            Say(
                _("Questa allerta è stata interrotta %(when)s.")
                % {"when": _when(alert.stopped_at, now)}
                if alert.stopped_at
                else _("Questa allerta è stata interrotta."),
                language,
            )
        )
    if item.concerns_caller:
        parts.append(Say(_("Questa allerta riguarda il tuo indirizzo."), language))
    headline_language = "en" if language == "en" and alert.headline_en else "it"
    headline = alert.headline_en if headline_language == "en" else alert.headline
    with translation.override(headline_language):
        if alert.exercise:
            headline = _("Esercitazione: %(headline)s") % {"headline": headline}
    if headline:
        # A full stop, so that the voice pauses before the message.
        end = "" if headline.rstrip()[-1:] in ".!?" else "."
        parts.append(Say(headline.rstrip() + end, headline_language))
    parts.extend(alert_message_parts(alert, language))
    parts.append(Pause(1))
    parts.append(
        Say(
            _menu(last=index == len(items) - 1, helpline=line.helpline, say_last=len(items) > 1),
            language,
        )
    )
    return Prompt(parts, gather=_gather(alert))


def _welcome(
    items: list[ReplayItem],
    *,
    caller: ReplayCaller | None,
    line: ReplayLine,
    language: str,
    now: datetime.datetime,
) -> Prompt:
    name = line.municipality or _("Comune")
    parts = [
        Say(
            _("Servizio di riascolto delle allerte di protezione civile del %(name)s.")
            % {"name": name},
            language,
        )
    ]
    if not items:
        parts.append(Say(_("Nessuna allerta nelle ultime 24 ore. Arrivederci."), language))
        return Prompt(parts)
    count = len(items)
    parts.append(
        Say(
            ngettext(
                "Nelle ultime 24 ore è stata inviata %(count)s allerta.",
                "Nelle ultime 24 ore sono state inviate %(count)s allerte.",
                count,
            )
            % {"count": count},
            language,
        )
    )
    if caller is not None:
        yours = sum(item.concerns_caller for item in items)
        if yours == count:
            text = (
                _("Riguarda il tuo indirizzo.")
                if count == 1
                else _("Riguardano tutte il tuo indirizzo.")
            )
        elif yours:
            text = ngettext(
                "%(count)s riguarda il tuo indirizzo: la senti per prima.",
                "%(count)s riguardano il tuo indirizzo: le senti per prime.",
                yours,
            ) % {"count": yours}
        else:
            text = (
                _("Non riguarda il tuo indirizzo.")
                if count == 1
                else _("Nessuna riguarda il tuo indirizzo.")
            )
        parts.append(Say(text, language))
    return _alert_prompt(items, 0, line=line, language=language, now=now, intro=parts)


def _helpline_prompt(
    items: list[ReplayItem], index: int, *, line: ReplayLine, language: str
) -> Prompt:
    digits = digits_phone(line.helpline)
    return Prompt(
        [
            Say(
                _("Il numero di assistenza è %(number)s. Ripeto: %(number)s.") % {"number": digits},
                language,
            ),
            Pause(1),
            Say(
                _menu(last=index == len(items) - 1, helpline=line.helpline, say_last=False),
                language,
            ),
        ],
        gather=_gather(items[index].alert),
    )


def _current(step: str, items: list[ReplayItem]) -> int | None:
    """Which alert the call is at ("alert-<id>"), or None at the start, for a step we do not
    know, or when that alert has left the 24 hours meanwhile."""
    name, _dash, value = step.partition("-")
    if name != "alert" or not value.isdigit():
        return None
    pk = int(value)
    return next((i for i, item in enumerate(items) if item.alert.pk == pk), None)


def replay(call: Call, step: str, digits: str) -> Prompt:
    """Inbound, on the alert caller ID. Steps: "start" welcomes and plays the first alert;
    "alert-<id>" takes the key pressed after that alert: 1 repeats it, 2 (or silence) goes on to
    the next, 9 says the helpline number, 0 ends the call; any other key is told it is not
    valid and hears the choices again."""
    now = timezone.now()
    line = replay_line(now=now)
    number = phone_e164(call.caller) if call.caller else None
    caller = replay_caller(number=number) if number else None
    language = caller.language if caller is not None else "it"
    items = replay_items(alerts=line.alerts, caller=caller)
    with translation.override(language):
        index = _current(step, items)
        if index is None:
            return _welcome(items, caller=caller, line=line, language=language, now=now)
        key = digits if len(digits) == 1 and digits in _KEYS else ("" if not digits else "?")
        last = index == len(items) - 1
        if key == "0":
            return Prompt([Say(_("Grazie per aver chiamato. Arrivederci."), language)])
        if key == "1":
            return _alert_prompt(items, index, line=line, language=language, now=now)
        if key in ("2", "") and not last:
            return _alert_prompt(items, index + 1, line=line, language=language, now=now)
        if key == "":
            return Prompt([Say(_("Non ci sono altre allerte. Arrivederci."), language)])
        if key == "9" and line.helpline:
            return _helpline_prompt(items, index, line=line, language=language)
        said = _("Non ci sono altre allerte.") if key == "2" else _("Tasto non valido.")
        return Prompt(
            [
                Say(said, language),
                Say(_menu(last=last, helpline=line.helpline, say_last=False), language),
            ],
            gather=_gather(items[index].alert),
        )
