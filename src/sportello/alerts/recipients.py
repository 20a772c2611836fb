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
from dataclasses import dataclass

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
    from sportello.places.areas.selection import area_civic_numbers

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


@dataclass(frozen=True)
class _Rule:
    """One rule of the module doc: `medium` goes to column `to` of every row of `source` ("s":
    verified subscriptions, "c": placed directory contacts) that meets `where`."""

    medium: str
    source: str
    to: str
    where: str = ""


def _rules(alert: Alert) -> list[_Rule]:
    if alert.kind == AlertKind.RECONFIRM:
        # Those who already pressed 1 are not asked again (2 removed them): a second campaign
        # is the later pass over the ones the first did not reach.
        return [_Rule(Medium.VOICE, "c", "number", "c.confirmed_at IS NULL")]
    rules: list[_Rule] = []
    if alert.use_voice:
        rules += [
            _Rule(Medium.VOICE, "s", "mobile", "NOT s.sms_instead_of_voice"),
            _Rule(Medium.VOICE, "s", "landline", "s.landline <> ''"),
            _Rule(Medium.VOICE, "c", "number"),
        ]
    if alert.use_sms or alert.use_voice:
        sms_rule = "" if alert.use_sms else "s.sms_instead_of_voice"
        rules.append(_Rule(Medium.SMS, "s", "mobile", sms_rule))
    if alert.use_sms:
        rules.append(_Rule(Medium.SMS, "c", "number", f"c.number LIKE '{MOBILE_PREFIX}%%'"))
    if alert.use_fax:
        rules.append(_Rule(Medium.FAX, "s", "fax", "s.fax <> ''"))
    if alert.use_email:
        rules.append(_Rule(Medium.EMAIL, "s", "email", "s.email <> ''"))
    return rules


def _selects(alert: Alert, area_filter: str) -> list[tuple[str, str]]:
    """(medium, SQL selecting `to_, r, l`: number or address, recipient, language) per rule."""
    tables = {"s": Subscription._meta.db_table, "c": Contact._meta.db_table}
    wheres = {
        "s": f"s.status = 'active' {area_filter.format(alias='s')}",
        "c": f"c.civic_number_id IS NOT NULL {area_filter.format(alias='c')}",
    }
    columns = {"s": "'s' || s.id AS r, s.language AS l", "c": "'c' || c.id AS r, 'it' AS l"}
    return [
        (
            rule.medium,
            f"SELECT {rule.source}.{rule.to} AS to_, {columns[rule.source]} "
            f"FROM {tables[rule.source]} {rule.source} WHERE {wheres[rule.source]}"
            + (f" AND {rule.where}" if rule.where else ""),
        )
        for rule in _rules(alert)
    ]


def _by_medium(alert: Alert, area_filter: str) -> dict[str, list[str]]:
    by_medium: dict[str, list[str]] = {}
    for medium, select in _selects(alert, area_filter):
        by_medium.setdefault(medium, []).append(select)
    return by_medium


def recipients_count(*, alert: Alert) -> dict[str, int]:
    """People and distinct numbers/addresses per channel, as the alert would be sent now."""
    return recipients_preview(alert=alert, ids=_area_ids(alert), per_address=False)[0]


def recipients_preview(
    *, alert: Alert, ids: list[int] | None, per_address: bool = True
) -> tuple[dict[str, int], dict[int, int]]:
    """What the console's preview shows, in one statement: people and distinct numbers or
    addresses per channel, and (`per_address`) civic number id -> recipients living there
    (verified subscriptions and placed directory contacts; a re-confirmation campaign counts the
    contacts only), as alerts.targeting.recipients_per_address counts them. `ids`: the alert's
    area as places.areas.selection.area_civic_numbers gives it (None: the whole comune).

    The area's subscriptions and contacts are read once each (from covering indexes on
    PostgreSQL, one index range scan per run of consecutive civic numbers: targeting.area_join),
    and every figure is counted from those rows in memory: one hashed DISTINCT over all the
    (channel, number) pairs, people as the rows that get at least one message."""
    from sportello.alerts.targeting import area_join, area_statements

    counts: dict[str, int] = dict.fromkeys(["people", *Medium.values], 0)
    rules = _rules(alert)
    if ids is not None and not ids:
        return counts, {}
    subs, contacts = Subscription._meta.db_table, Contact._meta.db_table
    s_join, s_condition, s_params = area_join("s", ids)
    c_join, c_condition, c_params = area_join("c", ids)
    directory_only = alert.kind == AlertKind.RECONFIRM
    media = list(Medium.values)
    # Channels as small numbers: the pairs are hashed, and a number hashes faster than a name.
    pairs = " UNION ALL ".join(
        f"SELECT {media.index(rule.medium)} AS m, {rule.source}.{rule.to} AS to_"
        f" FROM {rule.source}" + (f" WHERE {rule.where}" if rule.where else "")
        for rule in rules
    )
    per_medium = ", ".join(
        f"SUM(CASE WHEN d.m = {index} THEN 1 ELSE 0 END)" for index in range(len(media))
    )
    people = ["0"]
    for source in ("s", "c"):
        wheres = [rule.where or "TRUE" for rule in rules if rule.source == source]
        if wheres:
            condition = " OR ".join(f"({where})" for where in wheres)
            people.append(f"(SELECT COUNT(*) FROM {source} WHERE {condition})")
    nothing = ", ".join(["CAST(NULL AS bigint)"] * len(media))
    # Rows: ("counts", NULL, people, one count per medium) and ("address", civic id, count, …).
    parts = [
        f"SELECT 'counts', CAST(NULL AS bigint), {' + '.join(people)}, "
        + (
            f"{per_medium} FROM (SELECT DISTINCT p.m, p.to_ FROM ({pairs}) AS p) AS d"
            if pairs
            else nothing
        )
    ]
    if per_address:
        living = [] if directory_only else ["SELECT civic_number_id FROM s"]
        living.append("SELECT civic_number_id FROM c")
        parts.append(
            f"SELECT 'address', a.civic_number_id, COUNT(*), {nothing} FROM ("
            + " UNION ALL ".join(living)
            + ") AS a GROUP BY a.civic_number_id"
        )
    sql = f"""WITH s AS MATERIALIZED (
            SELECT s.mobile, s.landline, s.fax, s.email, s.sms_instead_of_voice,
                s.civic_number_id
            FROM {subs} s {s_join} WHERE s.status = 'active' {s_condition}),
        c AS MATERIALIZED (
            SELECT c.number, c.confirmed_at, c.civic_number_id
            FROM {contacts} c {c_join} WHERE c.civic_number_id IS NOT NULL {c_condition})
        {" UNION ALL ".join(parts)}"""
    addresses: dict[int, int] = {}
    with area_statements(), connection.cursor() as cursor:
        cursor.execute(sql, [*s_params, *c_params])
        for kind, civic, count, *by_medium in cursor.fetchall():
            if kind == "address":
                addresses[int(civic)] = int(count)
            else:
                counts["people"] = int(count)
                counts.update(
                    (medium, int(n or 0)) for medium, n in zip(media, by_medium, strict=True)
                )
    # The SMS fallback after unanswered calls may add SMS: the count above is the first wave.
    return counts, addresses


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
