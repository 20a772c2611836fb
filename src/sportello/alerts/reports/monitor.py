"""The live figures of an alert's dispatch, and the texts the monitor page prints for them."""

from __future__ import annotations

from typing import Any

from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sportello.alerts.models import Alert, AlertStatus
from sportello.alerts.reports.formatting import (
    duration_text,
    number_text,
    percent_of,
    rate_text,
    reason_masked,
    when_text,
)
from sportello.alerts.reports.statuses import (
    MEDIA,
    MEDIUM_STATUSES,
    S,
    medium_label,
    status_group,
    status_help,
    status_label,
)
from sportello.channels.base import FINAL_STATUSES, DeliveryStatus, Medium
from sportello.channels.dispatch import dispatch_progress
from sportello.channels.models import Delivery, DispatchStatus


def alert_progress(*, alert: Alert) -> dict[str, Any] | None:
    """The dispatch's own figures (channels.dispatch.dispatch_progress); None before sending."""
    if alert.dispatch is None:
        return None
    progress = dispatch_progress(alert.dispatch)
    if "last_update_at" not in progress:
        # The last outcome a provider reported (delivered, answered, failed…): a hand-off is
        # not an outcome.
        progress["last_update_at"] = (
            Delivery.objects.filter(dispatch_id=alert.dispatch_id)
            .exclude(status__in=(S.QUEUED, S.SENDING, S.SENT))
            .aggregate(last=Max("updated_at"))["last"]
        )
    return progress


def alert_finished(alert: Alert) -> bool:
    """Nothing more will change: sent, stopped, or the dispatch closed (its watchdog closes it
    only when no message is queued, in sending, or a call still open)."""
    if alert.status in (AlertStatus.SENT, AlertStatus.STOPPED):
        return True
    return alert.dispatch is not None and alert.dispatch.status != DispatchStatus.RUNNING


def alert_live(alert: Alert) -> bool:
    """Worth following live: about to start or sending."""
    return alert.status in (AlertStatus.SCHEDULED, AlertStatus.SENDING) and not alert_finished(
        alert
    )


def _problem_text(medium: str, reason: str) -> str:
    sentence = {
        Medium.VOICE: _("Il gestore delle chiamate non risponde: %(reason)s"),
        Medium.SMS: _("Il gestore SMS non risponde: %(reason)s"),
        Medium.FAX: _("Il gestore fax non risponde: %(reason)s"),
        Medium.EMAIL: _("Il server di posta non risponde: %(reason)s"),
    }.get(medium, _("Il gestore non risponde: %(reason)s"))
    reason = reason_masked(reason, medium=medium, to="").rstrip(". ")
    return (
        sentence % {"reason": reason}
        + ". "
        + _("Gli altri canali proseguono; questo riprende da solo appena il gestore risponde.")
    )


def _state_text(alert: Alert, *, finished: bool, canceled: int) -> str:
    if alert.status == AlertStatus.STOPPED:
        by = ""
        if alert.stopped_by is not None:
            by = alert.stopped_by.get_full_name() or alert.stopped_by.get_username()
        text = _("Invio interrotto il %(when)s") % {
            "when": formats.date_format(
                timezone.localtime(alert.stopped_at or timezone.now()), "SHORT_DATETIME_FORMAT"
            )
        }
        if by:
            text += " " + _("da %(name)s") % {"name": by}
        return (
            text
            + ": "
            + ngettext(
                "%(n)s messaggio non ancora affidato ai gestori è stato annullato.",
                "%(n)s messaggi non ancora affidati ai gestori sono stati annullati.",
                canceled,
            )
            % {"n": number_text(canceled)}
        )
    if alert.status == AlertStatus.DRAFT:
        return _("L'allerta non è ancora stata inviata.")
    if alert.status == AlertStatus.AWAITING_APPROVAL:
        return _("L'allerta attende l'approvazione di un secondo operatore.")
    if alert.status == AlertStatus.SCHEDULED:
        return _("L'invio è programmato per il %(when)s.") % {
            "when": formats.date_format(
                timezone.localtime(alert.scheduled_for), "SHORT_DATETIME_FORMAT"
            )
            if alert.scheduled_for
            else "—"
        }
    if finished:
        return _("Invio concluso: nessun messaggio è più in coda o in invio.")
    return _("Invio in corso.")


def monitor_figures(*, alert: Alert, progress: dict[str, Any] | None) -> dict[str, Any]:
    """Everything the monitor page shows, as numbers and as the texts the page prints (the page
    and its JSON use the same texts, so the live update says exactly what a reload would).
    `progress` is alert_progress(alert=alert)."""
    media_counts: dict[str, dict[str, int]] = (progress or {}).get("media", {})
    rates: dict[str, float] = (progress or {}).get("rate", {}) or {}
    problems: dict[str, str | None] = (progress or {}).get("problems", {}) or {}
    finished = alert_finished(alert)
    uses = {
        Medium.VOICE: alert.use_voice,
        Medium.SMS: alert.use_sms or alert.use_voice,  # deaf subscribers, fallback after calls
        Medium.FAX: alert.use_fax,
        Medium.EMAIL: alert.use_email,
    }
    media: list[dict[str, Any]] = []
    for medium in MEDIA:
        counts = media_counts.get(medium, {})
        total = sum(counts.values())
        waiting = counts.get(S.QUEUED, 0) + counts.get(S.SENDING, 0)
        handed = total - waiting
        final = sum(n for status, n in counts.items() if status in FINAL_STATUSES)
        expected = MEDIUM_STATUSES[medium]
        statuses = []
        for status in DeliveryStatus.values:
            count = counts.get(status, 0)
            statuses.append(
                {
                    "status": status,
                    "label": status_label(status),
                    "help": status_help(status),
                    "group": status_group(status),
                    "count": count,
                    "text": number_text(count),
                    "shown": status in expected or count > 0,
                }
            )
        problem = problems.get(medium)
        media.append(
            {
                "medium": medium,
                "label": medium_label(medium),
                "shown": bool(uses[medium] or total),
                "total": total,
                "total_text": number_text(total),
                "handed": handed,
                "handed_percent": percent_of(handed, total),
                "handed_text": _("%(part)s su %(whole)s (%(percent)s%%)")
                % {
                    "part": number_text(handed),
                    "whole": number_text(total),
                    "percent": percent_of(handed, total),
                },
                "final": final,
                "final_percent": percent_of(final, total),
                "final_text": _("%(part)s su %(whole)s (%(percent)s%%)")
                % {
                    "part": number_text(final),
                    "whole": number_text(total),
                    "percent": percent_of(final, total),
                },
                "rate": rates.get(medium, 0.0),
                "rate_text": rate_text(rates.get(medium, 0.0)),
                "statuses": statuses,
                "problem": _problem_text(medium, problem) if problem else "",
            }
        )
    total = sum(m["total"] for m in media)
    handed = sum(m["handed"] for m in media)
    final = sum(m["final"] for m in media)
    canceled = sum(media_counts.get(m, {}).get(S.CANCELED, 0) for m in MEDIA)
    confirmed = media_counts.get(Medium.VOICE, {}).get(S.CONFIRMED, 0)
    # Sent again after their worker died while they were with a provider that cannot be asked
    # what it received (e-mail, Kannel, SMPP, HylaFAX): they may have arrived twice.
    maybe_doubled = sum(((progress or {}).get("maybe_doubled") or {}).values())
    rate = sum(rates.values()) if not finished else 0.0
    eta = None if finished or progress is None else progress.get("eta_seconds")
    summary = _(
        "%(handed)s messaggi su %(total)s affidati ai gestori, %(final)s con esito definitivo."
    ) % {"handed": number_text(handed), "total": number_text(total), "final": number_text(final)}
    state_text = _state_text(alert, finished=finished, canceled=canceled)
    if not finished and progress is not None:
        summary += " " + _("Velocità: %(rate)s. Fine stimata: %(eta)s.") % {
            "rate": rate_text(rate),
            "eta": duration_text(eta),
        }
    return {
        "alert_status": alert.status,
        "exercise": alert.exercise,
        "sent": progress is not None,
        "live": alert_live(alert),
        "finished": finished,
        "stopped": alert.status == AlertStatus.STOPPED,
        "state_text": state_text,
        "media": media,
        "total": total,
        "total_text": number_text(total),
        "handed_text": _("%(part)s su %(whole)s (%(percent)s%%)")
        % {
            "part": number_text(handed),
            "whole": number_text(total),
            "percent": percent_of(handed, total),
        },
        "handed_percent": percent_of(handed, total),
        "final_text": _("%(part)s su %(whole)s (%(percent)s%%)")
        % {
            "part": number_text(final),
            "whole": number_text(total),
            "percent": percent_of(final, total),
        },
        "final_percent": percent_of(final, total),
        "canceled": canceled,
        "canceled_text": number_text(canceled),
        "confirmed": confirmed,
        "confirmed_text": number_text(confirmed),
        "maybe_doubled": maybe_doubled,
        "maybe_doubled_text": number_text(maybe_doubled),
        # Re-confirmation campaigns: who pressed 2 (a real campaign deletes their numbers and
        # deliveries, so only this count keeps them in the report).
        "removal_requests": alert.removal_requests,
        "removal_requests_text": number_text(alert.removal_requests),
        "rate_text": rate_text(rate) if not finished else "—",
        "eta_text": duration_text(eta) if not finished else _("invio concluso"),
        "last_handoff_text": when_text((progress or {}).get("last_handoff_at")),
        "last_update_text": when_text((progress or {}).get("last_update_at")),
        "updated_text": formats.time_format(timezone.localtime(), "H:i:s"),
        "problems": [m["problem"] for m in media if m["problem"]],
        "summary": state_text + " " + summary,
    }


def monitor_texts(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures flattened for the page's script: `texts` by data-text key, `bars` by data-bar
    key (percentage and the text read for it), `shown` by data-shown key."""
    texts: dict[str, str] = {
        key: figures[key]
        for key in (
            "state_text",
            "total_text",
            "handed_text",
            "final_text",
            "canceled_text",
            "confirmed_text",
            "maybe_doubled_text",
            "rate_text",
            "eta_text",
            "last_handoff_text",
            "updated_text",
        )
    }
    bars: dict[str, dict[str, Any]] = {
        "handed": {"percent": figures["handed_percent"], "text": figures["handed_text"]},
        "final": {"percent": figures["final_percent"], "text": figures["final_text"]},
    }
    shown: dict[str, bool] = {"sent": figures["sent"]}
    for medium in figures["media"]:
        key = medium["medium"]
        texts[f"{key}.total"] = medium["total_text"]
        texts[f"{key}.handed"] = medium["handed_text"]
        texts[f"{key}.final"] = medium["final_text"]
        texts[f"{key}.rate"] = medium["rate_text"]
        for part in ("handed", "final"):
            bars[f"{key}.{part}"] = {
                "percent": medium[f"{part}_percent"],
                "text": medium[f"{part}_text"],
            }
        shown[key] = medium["shown"]
        for line in medium["statuses"]:
            texts[f"{key}.{line['status']}"] = line["text"]
            shown[f"{key}.{line['status']}"] = line["shown"]
    return {"texts": texts, "bars": bars, "shown": shown}
