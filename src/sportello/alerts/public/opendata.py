"""The open-data archive of closed alerts: their public content (the CAP fields) and how the
sending went, per channel, as counts. Never a name, a number, an address of a person or an
operator: the figures are SQL aggregations over the delivery rows.

Figures per channel (voice, sms, fax, email) count messages and calls, attempts included — not
people:
- messages: every message or call made (each attempt counts);
- handed_over: given to the provider (all but those still queued or being handed over);
- reached: delivered to the handset, fax or mailbox, answered, or left on the answering machine;
- confirmed: calls where the listener pressed 1 (part of reached);
- voicemail: left on the answering machine after the beep, not known to be heard (part of
  reached);
- not_answered: busy or no answer;
- failed: refused or lost by the provider or the carrier;
- canceled: not handed over because the sending was stopped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone, translation

from sportello.alerts.models import Alert
from sportello.alerts.public.areas import area_geometry
from sportello.alerts.public.selectors import PublicAlert, cap_url
from sportello.alerts.reports.monitor import alert_progress
from sportello.alerts.reports.statuses import MEDIA, REACHED
from sportello.channels.base import DeliveryStatus
from sportello.channels.models import Delivery
from sportello.core.selectors import municipality_get

S = DeliveryStatus
LICENCE = {
    "name": "CC BY 4.0",
    "title": "Creative Commons Attribuzione 4.0 Internazionale",
    "url": "https://creativecommons.org/licenses/by/4.0/deed.it",
}
FIGURES = (
    "messages",
    "handed_over",
    "reached",
    "confirmed",
    "voicemail",
    "not_answered",
    "failed",
    "canceled",
)
CHANNELS = tuple(str(medium) for medium in MEDIA)
FIGURES_CACHE_SECONDS = 600  # late delivery reports still move the figures a little
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def channel_figures(counts: dict[str, int]) -> dict[str, int]:
    """The published figures of one channel from its counts per delivery status."""
    messages = sum(counts.values())
    return {
        "messages": messages,
        "handed_over": messages - counts.get(S.QUEUED, 0) - counts.get(S.SENDING, 0),
        "reached": sum(counts.get(status, 0) for status in REACHED),
        "confirmed": counts.get(S.CONFIRMED, 0),
        "voicemail": counts.get(S.VOICEMAIL, 0),
        "not_answered": counts.get(S.BUSY, 0) + counts.get(S.NO_ANSWER, 0),
        "failed": counts.get(S.FAILED, 0),
        "canceled": counts.get(S.CANCELED, 0),
    }


def _figures(media: dict[str, dict[str, int]]) -> dict[str, Any]:
    channels = {medium: channel_figures(media.get(medium, {})) for medium in CHANNELS}
    total = {key: sum(figures[key] for figures in channels.values()) for key in FIGURES}
    counted_at = timezone.now().replace(microsecond=0).isoformat()
    return {"counted_at": counted_at, "channels": channels, "total": total}


def delivery_figures(*, alert: Alert) -> dict[str, Any]:
    """Figures per channel and in all for one alert (from reports.monitor.alert_progress)."""
    key = f"sportello.alerts.opendata.figures:{alert.pk}"
    found = cache.get(key)
    if found is None:
        progress = alert_progress(alert=alert)
        found = _figures((progress or {}).get("media", {}))
        cache.set(key, found, FIGURES_CACHE_SECONDS)
    return found


def delivery_figures_many(alerts: Iterable[Alert]) -> dict[int, dict[str, Any]]:
    """The same figures for many alerts, in one grouped query over their deliveries."""
    dispatches = {alert.dispatch_id: alert.pk for alert in alerts if alert.dispatch_id}
    media: dict[int, dict[str, dict[str, int]]] = {pk: {} for pk in dispatches.values()}
    rows = (
        Delivery.objects.filter(dispatch_id__in=list(dispatches))
        .values_list("dispatch_id", "medium", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for dispatch_id, medium, status, count in rows:
        alert_media = media[dispatches[dispatch_id]]
        alert_media.setdefault(medium, {})[status] = count
    result = {pk: _figures(alert_media) for pk, alert_media in media.items()}
    for alert in alerts:
        result.setdefault(alert.pk, _figures({}))
    return result


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _info(public: PublicAlert, *, english: bool, sender_name: str, web: str) -> dict[str, Any]:
    return {
        "language": "en-GB" if english else "it-IT",
        "category": [public.category],
        "event": public.event,
        "urgency": public.urgency,
        "severity": public.severity,
        "certainty": public.certainty,
        "onset": _iso(public.onset),
        "expires": _iso(public.expires),
        "sender_name": sender_name,
        "headline": public.headline_en if english else public.headline,
        "description": public.description_en if english else public.description,
        "instruction": public.instruction_en if english else public.instruction,
        "web": web,
    }


def alert_record(
    *,
    alert: Alert,
    figures: dict[str, Any],
    absolute: Any,
) -> dict[str, Any]:
    """The archive entry of a closed alert: CAP's fields (identifier, sent, status, msgType,
    one info block per language, the area), the outcome, the figures and the licence.
    `absolute(path)` turns a path into a full URL."""
    public = PublicAlert.from_alert(alert)
    municipality = municipality_get()
    sender_name = municipality.name if municipality else ""
    with translation.override("it"):
        web = absolute(public.url)
        cap = cap_url(public.identifier)
    area: dict[str, Any] = {
        "description": public.area_description,
        "geometry": area_geometry(public.area),
    }
    if public.area.get("city") is True and municipality is not None:
        area["geocode"] = {"ISTAT": municipality.istat_code}
    info = [_info(public, english=False, sender_name=sender_name, web=web)]
    if public.has_english:
        info.append(_info(public, english=True, sender_name=sender_name, web=web))
    return {
        "identifier": str(public.identifier),
        "sent": _iso(public.sent_at),
        "status": "Exercise" if public.exercise else "Actual",
        "msg_type": "Alert",
        "scope": "Public",
        "exercise": public.exercise,
        "outcome": "stopped" if public.current_state == "stopped" else "completed",
        "stopped": _iso(public.stopped_at),
        "info": info,
        "area": area,
        "cap": absolute(cap) if cap else None,
        "delivery": {
            "unit": "messages",
            "note": "Messages and calls, retries included, not people.",
            **figures,
        },
        "publisher": sender_name,
        "licence": {**LICENCE, "attribution": sender_name},
    }


# --- the CSV of every closed alert -------------------------------------------------------------

CSV_HEADER = [
    "identifier",
    "sent",
    "status",
    "outcome",
    "stopped",
    "event",
    "category",
    "urgency",
    "severity",
    "certainty",
    "onset",
    "expires",
    "headline",
    "area_description",
    *[f"{channel}_{figure}" for channel in CHANNELS for figure in FIGURES],
    *[f"total_{figure}" for figure in FIGURES],
]


def _cell(value: Any) -> Any:
    """A text a spreadsheet shows as text: a cell that starts like a formula gets an apostrophe
    (CSV injection); numbers and dates are left alone."""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_START):
        return "'" + value
    return value


class _Line:
    def write(self, value: str) -> str:
        return value


def archive_csv_lines(alerts: list[Alert]) -> Iterator[str]:
    """RFC 4180 CSV, UTF-8, comma-separated, ISO 8601 times: one line per closed alert."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield writer.writerow(CSV_HEADER)
    figures = delivery_figures_many(alerts)
    for alert in alerts:
        public = PublicAlert.from_alert(alert)
        numbers = figures[alert.pk]
        yield writer.writerow(
            [
                str(public.identifier),
                _iso(public.sent_at),
                "Exercise" if public.exercise else "Actual",
                "stopped" if public.current_state == "stopped" else "completed",
                _iso(public.stopped_at) or "",
                _cell(public.event),
                public.category,
                public.urgency,
                public.severity,
                public.certainty,
                _iso(public.onset) or "",
                _iso(public.expires) or "",
                _cell(public.headline),
                _cell(public.area_description),
                *[
                    numbers["channels"][channel][figure]
                    for channel in CHANNELS
                    for figure in FIGURES
                ],
                *[numbers["total"][figure] for figure in FIGURES],
            ]
        )
