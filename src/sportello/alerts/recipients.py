"""Who an alert reaches, on which channels: counted for the preview, then written as delivery
rows in one statement per source.

Recipients are the verified subscriptions (status active; never a self-registration still
waiting for its call) and the public-directory contacts whose address lies in the alert's area.
Per person: a call to the mobile and to the landline; deaf subscribers granted "SMS instead of
calls" get the SMS instead of the call to their mobile; an SMS to every mobile when the alert uses
SMS; a fax to those with a fax number; an e-mail to those with an address. Directory contacts get
a call, and an SMS when their number is a mobile. A number or address is written once per
channel (the unique constraint on deliveries), however many people share it.
A re-confirmation campaign calls the directory contacts only, and only those that have not
confirmed yet: running it again is the later pass over the ones not reached.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection
from django.utils import timezone

from sportello.alerts.models import Alert, AlertKind, Contact, Subscription
from sportello.channels.base import Medium
from sportello.channels.models import Delivery, Dispatch

# Italian mobile numbers (E.164): +39 3xx. Directory contacts are matched by prefix in SQL.
MOBILE_PREFIX = "+393"


def _area_ids(alert: Alert) -> list[int] | None:
    if not alert.area:
        return []
    if alert.area.get("city"):
        return None
    from sportello.alerts.targeting import area_civic_numbers

    return area_civic_numbers(alert.area)


@contextmanager
def _target_table(ids: list[int] | None):
    """A temporary table of the civic numbers in the area (None: the whole municipality), so that
    the queries join on it instead of carrying 100,000 parameters."""
    if ids is None:
        yield ""
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS alert_target")
        cursor.execute("CREATE TEMPORARY TABLE alert_target (id bigint PRIMARY KEY)")
        if ids:
            if connection.vendor == "postgresql":
                cursor.execute("INSERT INTO alert_target SELECT unnest(%s::bigint[])", [ids])
            else:
                cursor.executemany("INSERT INTO alert_target VALUES (%s)", [(i,) for i in ids])
    try:
        yield "AND {alias}.civic_number_id IN (SELECT id FROM alert_target)"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS alert_target")


def _selects(alert: Alert, area_filter: str) -> list[tuple[str, str]]:
    """(medium, SQL selecting `to_, r, l`: number or address, recipient, language) per rule of
    the module doc."""
    subs, contacts = Subscription._meta.db_table, Contact._meta.db_table
    s_where = f"s.status = 'active' {area_filter.format(alias='s')}"
    c_where = f"c.civic_number_id IS NOT NULL {area_filter.format(alias='c')}"
    s_cols = "'s' || s.id AS r, s.language AS l"
    c_cols = "'c' || c.id AS r, 'it' AS l"
    selects: list[tuple[str, str]] = []
    if alert.kind == AlertKind.RECONFIRM:
        # Those who already pressed 1 are not asked again (2 removed them): a second campaign
        # is the later pass over the ones the first did not reach.
        return [
            (
                Medium.VOICE,
                f"SELECT c.number AS to_, {c_cols} FROM {contacts} c WHERE {c_where}"
                " AND c.confirmed_at IS NULL",
            )
        ]
    if alert.use_voice:
        selects += [
            (
                Medium.VOICE,
                f"SELECT s.mobile AS to_, {s_cols} FROM {subs} s WHERE {s_where}"
                " AND NOT s.sms_instead_of_voice",
            ),
            (
                Medium.VOICE,
                f"SELECT s.landline AS to_, {s_cols} FROM {subs} s WHERE {s_where}"
                " AND s.landline <> ''",
            ),
            (Medium.VOICE, f"SELECT c.number AS to_, {c_cols} FROM {contacts} c WHERE {c_where}"),
        ]
    if alert.use_sms or alert.use_voice:
        sms_rule = "" if alert.use_sms else " AND s.sms_instead_of_voice"
        selects.append(
            (
                Medium.SMS,
                f"SELECT s.mobile AS to_, {s_cols} FROM {subs} s WHERE {s_where}{sms_rule}",
            )
        )
    if alert.use_sms:
        selects.append(
            (
                Medium.SMS,
                f"SELECT c.number AS to_, {c_cols} FROM {contacts} c WHERE {c_where}"
                f" AND c.number LIKE '{MOBILE_PREFIX}%%'",
            )
        )
    if alert.use_fax:
        selects.append(
            (
                Medium.FAX,
                f"SELECT s.fax AS to_, {s_cols} FROM {subs} s WHERE {s_where} AND s.fax <> ''",
            )
        )
    if alert.use_email:
        selects.append(
            (
                Medium.EMAIL,
                f"SELECT s.email AS to_, {s_cols} FROM {subs} s WHERE {s_where} AND s.email <> ''",
            )
        )
    return selects


def _by_medium(alert: Alert, area_filter: str) -> dict[str, list[str]]:
    by_medium: dict[str, list[str]] = {}
    for medium, select in _selects(alert, area_filter):
        by_medium.setdefault(medium, []).append(select)
    return by_medium


def recipients_count(*, alert: Alert) -> dict[str, int]:
    """People and distinct numbers/addresses per channel, as the alert would be sent now."""
    counts: dict[str, int] = dict.fromkeys(["people", *Medium.values], 0)
    with _target_table(_area_ids(alert)) as area_filter, connection.cursor() as cursor:
        by_medium = _by_medium(alert, area_filter)
        for medium, selects in by_medium.items():
            union = " UNION ".join(f"SELECT t.to_ FROM ({q}) AS t" for q in selects)
            cursor.execute(f"SELECT COUNT(*) FROM ({union}) AS u")
            counts[medium] = cursor.fetchone()[0]
        everyone = " UNION ALL ".join(
            f"SELECT t.r FROM ({q}) AS t" for selects in by_medium.values() for q in selects
        )
        if everyone:
            cursor.execute(f"SELECT COUNT(DISTINCT r) FROM ({everyone}) AS u")
            counts["people"] = cursor.fetchone()[0]
    # The SMS fallback after unanswered calls may add SMS: the count above is the first wave.
    return counts


def recipients_materialise(*, alert: Alert, dispatch: Dispatch) -> dict[str, int]:
    """Write one queued delivery per number/address and channel; returns the rows per medium.

    One INSERT per medium: the rules' selects are merged, and DISTINCT ON keeps one row per
    number (the unique constraint would refuse a second anyway). Rows go in sorted by number, so
    the indexes on it grow at one end instead of all over; the dispatch's reference stays on the
    dispatch, not on a million rows."""
    from sportello.channels.services import default_sender

    table = Delivery._meta.db_table
    now = timezone.now()
    written: dict[str, int] = {}
    columns = (
        'medium, provider, "to", sender, purpose, reference, language, payload, status, reason,'
        " provider_id, answered_by, keys, attempts, created_at, updated_at, dispatch_id,"
        " recipient, attempt"
    )
    with _target_table(_area_ids(alert)) as area_filter, connection.cursor() as cursor:
        for medium, selects in _by_medium(alert, area_filter).items():
            union = " UNION ALL ".join(selects)
            if connection.vendor == "postgresql":
                pick = f"SELECT DISTINCT ON (t.to_) t.to_, t.l, t.r FROM ({union}) AS t"
            else:
                pick = (
                    f"SELECT t.to_ AS to_, MIN(t.l) AS l, MIN(t.r) AS r FROM ({union}) AS t"
                    " GROUP BY t.to_"
                )
            cursor.execute(
                f"""INSERT INTO {table} ({columns})
                    SELECT %s, '', p.to_, %s, %s, '', p.l, '{{}}', 'queued', '', '', '', '', 0,
                        %s, %s, %s, p.r, 1
                    FROM ({pick} ORDER BY 1) AS p""",
                [medium, default_sender(medium), dispatch.purpose, now, now, dispatch.pk],
            )
            written[medium] = max(cursor.rowcount, 0)
        if connection.vendor == "postgresql" and sum(written.values()):
            # Keep the planner informed: with statistics from before these rows, the workers'
            # write-backs (UPDATE … FROM unnest) would scan the whole table on every batch.
            cursor.execute(f"ANALYZE {table} (id, dispatch_id, medium, status)")
    return written
