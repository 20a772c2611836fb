"""What the operator sees of an alert being sent and after: the live figures per channel, the
people reached per address (map), the CSV of every delivery and the PDF summary with charts.

Reads only: the numbers come from `channels.dispatch.dispatch_progress` and from SQL
aggregations over the delivery rows, never from Python loops over them (an alert to a whole city
has 300,000 rows). See docs/alerts-console.md, "Andamento e resoconto".
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import Max
from django.utils import formats, timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sportello.alerts.models import Alert, AlertStatus, Contact, Subscription
from sportello.channels.base import FINAL_STATUSES, DeliveryStatus, Medium
from sportello.channels.dispatch import dispatch_progress
from sportello.channels.models import Delivery, DispatchStatus
from sportello.channels.phones import phone_masked
from sportello.core.selectors import municipality_get
from sportello.places.areas.labels import area_summary
from sportello.places.models import CivicNumber, Street

S = DeliveryStatus

# --- what a status means for the person ----------------------------------------------------

# A person (a subscription or a directory contact) counts as reached when at least one of their
# deliveries got this far: the message is on the handset, fax machine or mailbox, somebody
# answered the call, or the message was left on the answering machine (voicemail: left, not
# known to be heard — the counts keep it apart). Handed to the provider or accepted by the
# carrier alone is not yet reached.
REACHED = (S.DELIVERED, S.ANSWERED, S.COMPLETED, S.CONFIRMED, S.VOICEMAIL)
# Still in our hands, or the phone is ringing: an outcome will come.
IN_PROGRESS = (S.QUEUED, S.SENDING, S.RINGING)
# With the provider or the carrier, no delivery report yet (SMTP e-mail never gets one).
HANDED = (S.SENT, S.ACCEPTED)
# Everything else is final without reaching anyone: busy, no answer, failed, canceled.

# The statuses each channel can go through, in the order a message moves; any other status
# with rows is shown as well, so nothing is ever hidden or merged.
MEDIUM_STATUSES: dict[str, tuple[str, ...]] = {
    Medium.VOICE: (
        S.QUEUED,
        S.SENDING,
        S.SENT,
        S.RINGING,
        S.ANSWERED,
        S.COMPLETED,
        S.CONFIRMED,
        S.VOICEMAIL,
        S.BUSY,
        S.NO_ANSWER,
        S.FAILED,
        S.CANCELED,
    ),
    Medium.SMS: (S.QUEUED, S.SENDING, S.SENT, S.ACCEPTED, S.DELIVERED, S.FAILED, S.CANCELED),
    Medium.FAX: (S.QUEUED, S.SENDING, S.SENT, S.ACCEPTED, S.DELIVERED, S.FAILED, S.CANCELED),
    Medium.EMAIL: (S.QUEUED, S.SENDING, S.SENT, S.DELIVERED, S.FAILED, S.CANCELED),
}
MEDIA = (Medium.VOICE, Medium.SMS, Medium.FAX, Medium.EMAIL)
CANCELED_LISTED = 50  # canceled messages named (masked) in the PDF; the CSV has them all
UNREACHED_LISTED = 100  # unreached addresses listed under the map


def medium_label(medium: str) -> str:
    return {
        Medium.VOICE: _("Chiamate vocali"),
        Medium.SMS: _("SMS"),
        Medium.FAX: _("Fax"),
        Medium.EMAIL: _("E-mail"),
    }[medium]


def status_label(status: str) -> str:
    return str(DeliveryStatus(status).label) if status in DeliveryStatus.values else status


def status_help(status: str) -> str:
    """What the status means, in the operator's words."""
    return {
        S.QUEUED: _("In attesa di essere affidato al gestore."),
        S.SENDING: _("Preso in carico, in affidamento al gestore."),
        S.SENT: _("Affidato al gestore: nessun esito ancora."),
        S.ACCEPTED: _("Accettato dall'operatore telefonico, non ancora recapitato."),
        S.DELIVERED: _("Recapitato al telefono, al fax o alla casella di posta."),
        S.RINGING: _("Il telefono sta squillando."),
        S.ANSWERED: _("Ha risposto: chiamata in corso."),
        S.COMPLETED: _("Ha risposto; chiamata conclusa."),
        S.CONFIRMED: _("Ha premuto 1: ascolto confermato."),
        S.VOICEMAIL: _("Messaggio lasciato in segreteria dopo il segnale: non risulta ascoltato."),
        S.BUSY: _("Occupato: si riprova se sono previsti altri tentativi."),
        S.NO_ANSWER: _("Nessuna risposta: si riprova se sono previsti altri tentativi."),
        S.FAILED: _("Non riuscito: il motivo è nel resoconto CSV."),
        S.CANCELED: _("Annullato: l'invio è stato interrotto prima dell'affidamento."),
    }.get(status, "")


def status_group(status: str) -> str:
    """reached, progress, handed or unreached (also the colour in charts and on the map)."""
    if status in REACHED:
        return "reached"
    if status in IN_PROGRESS:
        return "progress"
    if status in HANDED:
        return "handed"
    return "unreached"


# --- formatting -----------------------------------------------------------------------------


def _n(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


def _percent(part: int, whole: int) -> int:
    """Rounded down, so that 99.6% is not shown as done."""
    return (100 * part) // whole if whole else 0


def _rate_text(rate: float) -> str:
    if not rate:
        return _("nessun messaggio negli ultimi 10 secondi")
    return _("%(rate)s messaggi al secondo") % {
        "rate": formats.number_format(round(rate, 1), decimal_pos=1, force_grouping=True)
    }


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return _("non ancora stimabile")
    if seconds < 60:
        return _("meno di un minuto")
    minutes = int(round(seconds / 60))
    if minutes < 60:
        return ngettext("circa %(n)d minuto", "circa %(n)d minuti", minutes) % {"n": minutes}
    hours, minutes = divmod(minutes, 60)
    return ngettext("circa %(h)d ora", "circa %(h)d ore", hours) % {"h": hours} + (
        " " + ngettext("e %(m)d minuto", "e %(m)d minuti", minutes) % {"m": minutes}
        if minutes
        else ""
    )


def when_text(value: datetime.datetime | str | None) -> str:
    """A moment as the operator reads it: the time today, date and time otherwise."""
    if not value:
        return "—"
    if isinstance(value, str):
        value = parse_datetime(value)
        if value is None:
            return "—"
    local = timezone.localtime(value)
    if local.date() == timezone.localdate():
        return formats.time_format(local, "H:i:s")
    return formats.date_format(local, "SHORT_DATETIME_FORMAT")


def email_masked(address: str) -> str:
    """'m***@example.it': as phone_masked, enough for its owner to recognise."""
    local, _at, domain = address.partition("@")
    return (local[:1] + "***@" + domain) if domain else "***"


def to_masked(medium: str, to: str) -> str:
    if medium == Medium.EMAIL:
        return email_masked(to)
    return phone_masked(to) if len(to) > 6 else "***"


_EMAIL = re.compile(r"[^\s'\"<>(),;:]+@[^\s'\"<>(),;:]+")
_DIGITS = re.compile(r"\+?\d[\d .-]{4,}\d")


def reason_masked(reason: str, *, medium: str, to: str) -> str:
    """A provider's reason without the number or address it may quote ('The To number
    +39333… is not valid', 'Indirizzo rifiutato: {maria@…}')."""
    if to:
        reason = reason.replace(to, to_masked(medium, to))
    reason = _EMAIL.sub(lambda match: email_masked(match.group(0)), reason)
    return _DIGITS.sub(lambda match: _digits_masked(match.group(0)), reason)


def _digits_masked(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return value if len(digits) < 7 else "*** " + digits[-4:]


# --- the live figures -----------------------------------------------------------------------


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
            % {"n": _n(canceled)}
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
                    "text": _n(count),
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
                "total_text": _n(total),
                "handed": handed,
                "handed_percent": _percent(handed, total),
                "handed_text": _("%(part)s su %(whole)s (%(percent)s%%)")
                % {"part": _n(handed), "whole": _n(total), "percent": _percent(handed, total)},
                "final": final,
                "final_percent": _percent(final, total),
                "final_text": _("%(part)s su %(whole)s (%(percent)s%%)")
                % {"part": _n(final), "whole": _n(total), "percent": _percent(final, total)},
                "rate": rates.get(medium, 0.0),
                "rate_text": _rate_text(rates.get(medium, 0.0)),
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
    ) % {"handed": _n(handed), "total": _n(total), "final": _n(final)}
    state_text = _state_text(alert, finished=finished, canceled=canceled)
    if not finished and progress is not None:
        summary += " " + _("Velocità: %(rate)s. Fine stimata: %(eta)s.") % {
            "rate": _rate_text(rate),
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
        "total_text": _n(total),
        "handed_text": _("%(part)s su %(whole)s (%(percent)s%%)")
        % {"part": _n(handed), "whole": _n(total), "percent": _percent(handed, total)},
        "handed_percent": _percent(handed, total),
        "final_text": _("%(part)s su %(whole)s (%(percent)s%%)")
        % {"part": _n(final), "whole": _n(total), "percent": _percent(final, total)},
        "final_percent": _percent(final, total),
        "canceled": canceled,
        "canceled_text": _n(canceled),
        "confirmed": confirmed,
        "confirmed_text": _n(confirmed),
        "maybe_doubled": maybe_doubled,
        "maybe_doubled_text": _n(maybe_doubled),
        # Re-confirmation campaigns: who pressed 2 (a real campaign deletes their numbers and
        # deliveries, so only this count keeps them in the report).
        "removal_requests": alert.removal_requests,
        "removal_requests_text": _n(alert.removal_requests),
        "rate_text": _rate_text(rate) if not finished else "—",
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


# --- people reached, per address ------------------------------------------------------------


def _in(statuses: tuple[str, ...]) -> str:
    return ", ".join(["%s"] * len(statuses))


def _address_rows(dispatch_id: int) -> list[tuple]:
    """Per civic number: people reached, in progress, handed over, unreached. One statement: the
    deliveries are grouped per recipient in the database, then per address."""
    deliveries = Delivery._meta.db_table
    subscriptions, contacts = Subscription._meta.db_table, Contact._meta.db_table
    civics, streets = CivicNumber._meta.db_table, Street._meta.db_table
    sql = f"""
        WITH people AS (
            SELECT d.recipient AS recipient,
                MAX(CASE WHEN d.status IN ({_in(REACHED)}) THEN 1 ELSE 0 END) AS reached,
                MAX(CASE WHEN d.status IN ({_in(IN_PROGRESS)}) THEN 1 ELSE 0 END) AS working,
                MAX(CASE WHEN d.status IN ({_in(HANDED)}) THEN 1 ELSE 0 END) AS handed
            FROM {deliveries} d
            WHERE d.dispatch_id = %s AND d.recipient <> ''
            GROUP BY d.recipient
        ), placed AS (
            SELECT p.reached, p.working, p.handed,
                CASE WHEN SUBSTR(p.recipient, 1, 1) = 's'
                    THEN CAST(SUBSTR(p.recipient, 2) AS BIGINT) END AS subscription_id,
                CASE WHEN SUBSTR(p.recipient, 1, 1) = 'c'
                    THEN CAST(SUBSTR(p.recipient, 2) AS BIGINT) END AS contact_id
            FROM people p
        )
        SELECT cn.id, cn.latitude, cn.longitude, st.street_type, st.name, cn.number,
            cn.exponent,
            SUM(pl.reached),
            SUM(CASE WHEN pl.reached = 0 AND pl.working = 1 THEN 1 ELSE 0 END),
            SUM(CASE WHEN pl.reached = 0 AND pl.working = 0 AND pl.handed = 1 THEN 1 ELSE 0 END),
            SUM(CASE WHEN pl.reached + pl.working + pl.handed = 0 THEN 1 ELSE 0 END)
        FROM placed pl
        LEFT JOIN {subscriptions} s ON s.id = pl.subscription_id
        LEFT JOIN {contacts} c ON c.id = pl.contact_id
        LEFT JOIN {civics} cn ON cn.id = COALESCE(s.civic_number_id, c.civic_number_id)
        LEFT JOIN {streets} st ON st.id = cn.street_id
        GROUP BY cn.id, cn.latitude, cn.longitude, st.street_type, st.name, cn.number,
            cn.exponent
    """  # noqa: S608 - only table names from our models are formatted in; values are parameters
    with connection.cursor() as cursor:
        params = [str(status) for status in (*REACHED, *IN_PROGRESS, *HANDED)]
        cursor.execute(sql, [*params, dispatch_id])
        return cursor.fetchall()


def _address_state(reached: int, progress: int, handed: int, unreached: int) -> str:
    # Someone not reached is what the operator must act on: it wins over the rest.
    if unreached:
        return "unreached"
    if progress:
        return "progress"
    if handed:
        return "handed"
    return "reached"


def address_state_label(state: str) -> str:
    return {
        "reached": _("Raggiunti"),
        "progress": _("In corso"),
        "handed": _("Affidati al gestore, esito non ancora noto"),
        "unreached": _("Non raggiunti"),
    }[state]


def alert_addresses(*, alert: Alert) -> dict[str, Any]:
    """The people of an alert per address, as a GeoJSON FeatureCollection (no personal data:
    an address and how many people there are in each state), with the totals."""
    people = dict.fromkeys(("reached", "progress", "handed", "unreached"), 0)
    addresses = dict.fromkeys(people, 0)
    features: list[dict[str, Any]] = []
    unplaced = 0
    if alert.dispatch_id:
        for row in _address_rows(alert.dispatch_id):
            civic_id, lat, lon, street_type, street, number, exponent = row[:7]
            counts = dict(zip(people, (int(v or 0) for v in row[7:]), strict=True))
            for key, value in counts.items():
                people[key] += value
            if civic_id is None:  # deleted meanwhile, or a contact without an address
                unplaced += sum(counts.values())
                continue
            state = _address_state(**counts)
            addresses[state] += 1
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": {
                        "address": f"{street_type} {street} {number}"
                        + (f"/{exponent}" if exponent else ""),
                        "state": state,
                        "state_label": address_state_label(state),
                        **counts,
                    },
                }
            )
    total = sum(people.values())
    return {
        "type": "FeatureCollection",
        "features": features,
        "people": people,
        "people_total": total,
        "addresses": addresses,
        "unplaced": unplaced,
        "reached_percent": _percent(people["reached"], total),
    }


def unreached_addresses(collection: dict[str, Any], limit: int = UNREACHED_LISTED) -> list[dict]:
    rows = [
        feature["properties"]
        for feature in collection["features"]
        if feature["properties"]["state"] == "unreached"
    ]
    return sorted(rows, key=lambda p: p["address"])[:limit]


# --- the CSV of every delivery --------------------------------------------------------------

CSV_DELIMITER = ";"  # Italian Excel: the comma is the decimal separator
CSV_BOM = "\ufeff"  # Excel reads UTF-8 (accents) only with the byte-order mark
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """A text Excel shows as text: a cell that starts like a formula gets a leading apostrophe
    (OWASP, CSV injection); '+39 *** *** 4567' would otherwise be read as a sum."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_time(value: datetime.datetime | None, zone: datetime.tzinfo | None = None) -> str:
    if not value:
        return ""
    return value.astimezone(zone or timezone.get_current_timezone()).strftime("%d/%m/%Y %H:%M:%S")


class _Line:
    """csv.writer wants a file: this one hands back what was written."""

    def write(self, value: str) -> str:
        return value


def report_filename(alert: Alert, extension: str) -> str:
    mark = "-ESERCITAZIONE" if alert.exercise else ""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"resoconto-allerta-{alert.pk}{mark}-{stamp}.{extension}"


def report_csv_lines(*, alert: Alert, chunk_size: int = 2000) -> Iterator[str]:
    """The CSV, line by line: a title line (ESERCITAZIONE first when it is one), the header, one
    row per delivery. Rows are read in chunks, never all at once."""
    with translation.override("it"):
        labels = {status: status_label(status) for status in DeliveryStatus.values}
        media = {medium: str(Medium(medium).label) for medium in Medium.values}
        answered = {"human": _("persona"), "machine": _("segreteria telefonica")}
        yes = _("sì")
        title = [
            _("ESERCITAZIONE") if alert.exercise else _("Allerta"),
            _cell(alert.headline),
            _("Resoconto parziale: invio in corso") if not alert_finished(alert) else "",
            _("Generato il %(when)s") % {"when": _csv_time(timezone.now())},
        ]
        header = [
            _("Canale"),
            _("Destinatario (rif.)"),
            _("Numero o indirizzo"),
            _("Lingua"),
            _("Tentativo"),
            _("Esito"),
            _("Motivo"),
            _("Risposto da"),
            _("Tasti premuti"),
            _("Ascolto confermato"),
            _("Messo in coda"),
            _("Preso in carico"),
            _("Ultimo aggiornamento"),
        ]
    zone = timezone.get_current_timezone()  # once: looked up per cell it is a third of the time
    writer = csv.writer(_Line(), delimiter=CSV_DELIMITER, lineterminator="\r\n")
    yield CSV_BOM + writer.writerow(title)
    yield writer.writerow(header)
    if alert.dispatch_id is None:
        return
    rows = (
        Delivery.objects.filter(dispatch_id=alert.dispatch_id)
        .order_by("id")
        .values_list(
            "medium",
            "recipient",
            "to",
            "language",
            "attempt",
            "status",
            "reason",
            "answered_by",
            "keys",
            "created_at",
            "claimed_at",
            "updated_at",
        )
        .iterator(chunk_size=chunk_size)
    )
    for (
        medium,
        recipient,
        to,
        language,
        attempt,
        status,
        reason,
        answered_by,
        keys,
        created_at,
        claimed_at,
        updated_at,
    ) in rows:
        yield writer.writerow(
            [
                media.get(medium, medium),
                recipient,
                _cell(to_masked(medium, to)),
                language,
                attempt,
                labels.get(status, status),
                _cell(reason_masked(reason, medium=medium, to=to)) if reason else "",
                answered.get(answered_by, answered_by),
                _cell(keys),
                yes if status == S.CONFIRMED else "",
                _csv_time(created_at, zone),
                _csv_time(claimed_at, zone),
                _csv_time(updated_at, zone),
            ]
        )


# --- the PDF summary ------------------------------------------------------------------------

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
                "reached_text": _n(reached),
                "reached_percent": _percent(reached, medium["total"]),
                "chart": status_chart_svg(title=medium["label"], lines=lines),
            }
        )
    average_rate = None
    if dispatch is not None and dispatch.finished_at:
        seconds = (dispatch.finished_at - dispatch.created_at).total_seconds()
        handed = sum(m["handed"] for m in figures["media"])
        if seconds > 0 and handed:
            average_rate = _rate_text(handed / seconds)
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
