"""The PDF summary of an alert: figures, a chart per channel, the map's addresses."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sportello.alerts.models import Alert
from sportello.alerts.reports.addresses import alert_addresses
from sportello.alerts.reports.formatting import number_text, percent_of, rate_text, to_masked
from sportello.alerts.reports.monitor import alert_progress, monitor_figures
from sportello.alerts.reports.statuses import S, medium_label
from sportello.channels.models import Delivery
from sportello.core.selectors import municipality_get
from sportello.places.areas.labels import area_summary

CANCELED_LISTED = 50  # canceled messages named (masked) in the PDF; the CSV has them all

GROUP_COLOURS = {
    "reached": "#00804d",
    "progress": "#5c6f82",
    "handed": "#0066cc",
    "unreached": "#c8102e",
}


def status_chart_svg(*, title: str, lines: list[dict[str, Any]]) -> SafeString:
    """A horizontal bar chart (one bar per status, its label and count written beside it), as
    inline SVG: drawn by WeasyPrint, no script or library needed."""
    row, label_width, bar_width, count_width = 18, 200, 230, 70
    width = label_width + bar_width + count_width
    height = row * len(lines) + 6
    biggest = max((line["count"] for line in lines), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, line in enumerate(lines):
        y = 2 + index * row
        length = round(bar_width * line["count"] / biggest)
        colour = GROUP_COLOURS.get(line["group"], "#5c6f82")
        parts.append(
            f'<text x="0" y="{y + 12}" font-size="9">{escape(line["label"])}</text>'
            f'<rect x="{label_width}" y="{y + 2}" width="{length}" height="{row - 6}" '
            f'fill="{colour}"/>'
            f'<text x="{label_width + length + 4}" y="{y + 12}" font-size="9">'
            f"{escape(line['text'])}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _area_summary(alert: Alert) -> str:
    summary = area_summary(alert.area)
    description = alert.area_description
    return f"{description} ({summary})" if description and description != summary else summary


def report_context(*, alert: Alert) -> dict[str, Any]:
    """What the PDF summary shows."""
    figures = monitor_figures(alert=alert, progress=alert_progress(alert=alert))
    addresses = alert_addresses(alert=alert)
    dispatch = alert.dispatch
    media = []
    for medium in figures["media"]:
        if not medium["total"]:
            continue
        lines = [line for line in medium["statuses"] if line["shown"]]
        reached = sum(line["count"] for line in lines if line["group"] == "reached")
        media.append(
            {
                **medium,
                "lines": lines,
                "reached": reached,
                "reached_text": number_text(reached),
                "reached_percent": percent_of(reached, medium["total"]),
                "chart": status_chart_svg(title=medium["label"], lines=lines),
            }
        )
    average_rate = None
    if dispatch is not None and dispatch.finished_at:
        seconds = (dispatch.finished_at - dispatch.created_at).total_seconds()
        handed = sum(m["handed"] for m in figures["media"])
        if seconds > 0 and handed:
            average_rate = rate_text(handed / seconds)
    canceled = []
    if dispatch is not None and figures["canceled"]:
        canceled = [
            {
                "medium": medium_label(medium),
                "recipient": recipient,
                "to": to_masked(medium, to),
            }
            for medium, recipient, to in Delivery.objects.filter(
                dispatch=dispatch, status=S.CANCELED
            )
            .order_by("id")
            .values_list("medium", "recipient", "to")[:CANCELED_LISTED]
        ]
    return {
        "alert": alert,
        "municipality": municipality_get(),
        "figures": figures,
        "media": media,
        "addresses": addresses,
        "area_summary": _area_summary(alert),
        "average_rate": average_rate,
        "canceled": canceled,
        "canceled_more": max(0, figures["canceled"] - len(canceled)),
        "generated_at": timezone.localtime(),
    }
