"""Claiming queued rows for a worker run, and writing back what the provider answered."""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from sportello.channels.base import ChannelError, DeliveryStatus
from sportello.channels.dispatch.followup import delivery_finished
from sportello.channels.models import Delivery, DeliveryEvent

logger = logging.getLogger(__name__)

MAX_SEND_TRIES = 5


@dataclass(slots=True)
class Outgoing:
    """A claimed row, as much of a Delivery as a provider reads (providers take either): a bulk
    send handles thousands a second, and full model instances cost more than the sending."""

    pk: int
    medium: str
    to: str
    sender: str
    language: str
    attempts: int
    attempt: int
    recipient: str
    dispatch_id: int
    payload: dict = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.pk

    @property
    def content(self) -> dict:
        return self.payload


_CLAIM_COLUMNS = 'id, medium, "to", sender, language, attempts, attempt, recipient, dispatch_id'
# The advisory locks of the dispatch workers (PostgreSQL): pg_advisory_lock(ADVISORY_SPACE, run).
ADVISORY_SPACE = 1397772884  # "SPRT"
# Rows claimed at a time for a provider that takes one message per call (SMTP, Kannel, SMPP,
# HylaFAX, Twilio): a few seconds of work, so that the workers share the queue evenly.
EACH_CHUNK = 20


@contextmanager
def worker_run() -> Iterator[int]:
    """A number for this worker run, marked on every row it claims. On PostgreSQL the run holds
    a session advisory lock of that number for as long as it works: the lock goes with the
    database connection, so the moment the process dies (even by SIGKILL) the watchdog sees its
    rows as orphaned, and never before, however slow the provider is. (Session locks need a
    direct connection or a session-pooling PgBouncer, not transaction pooling.)"""
    run = secrets.randbelow(2**31 - 2) + 1
    locking = connection.vendor == "postgresql"
    if locking:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [ADVISORY_SPACE, run])
    try:
        yield run
    finally:
        if locking:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [ADVISORY_SPACE, run])
            except DatabaseError:  # the connection is gone, and the lock with it
                logger.warning("Dispatch worker %s: connection lost before unlocking", run)


def deliveries_claim(
    *,
    dispatch_id: int,
    medium: str,
    limit: int,
    run: int | None = None,
    in_flight: bool = False,
    after: int = 0,
) -> list[Outgoing]:
    """Take up to `limit` queued rows that may go now, in id order, for worker run `run`; no
    other worker can take them too (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite has one writer at
    a time anyway). `in_flight`: the whole claim goes to the provider in one call.

    The rows are read in order from the queue's partial index (dispatch, medium, id) WHERE
    status = 'queued': no sort of the queue, however long it is. `after`: the last id this
    worker claimed; the rows before it were handed over already (but for a few put back, which
    the caller gets with after=0 when nothing is left after it), so the scan starts there
    instead of stepping over the entries of rows claimed since the last vacuum."""
    now = timezone.now()
    table = Delivery._meta.db_table
    pick = f"""SELECT id FROM {table}
        WHERE dispatch_id = %s AND medium = %s AND status = 'queued' AND id > %s
            AND (not_before IS NULL OR not_before <= %s)
        ORDER BY id LIMIT %s"""
    mark = """status = 'sending', claimed_at = %s, claimed_by = %s, in_flight = %s,
        attempts = attempts + 1"""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # `= ANY(ARRAY(…))`: the picked ids become one array, and the update finds each row
            # by its primary key. (`id IN (…)` let the planner join the pick against a scan of
            # the whole table, on every claim: quadratic over a long alert.)
            cursor.execute(
                f"""UPDATE {table} SET {mark}
                    WHERE id = ANY(ARRAY({pick} FOR UPDATE SKIP LOCKED))
                    RETURNING {_CLAIM_COLUMNS}""",
                [now, run, in_flight, dispatch_id, medium, after, now, limit],
            )
            rows = cursor.fetchall()
        else:
            cursor.execute(pick, [dispatch_id, medium, after, now, limit])
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return []
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"UPDATE {table} SET {mark} WHERE id IN ({marks})", [now, run, in_flight, *ids]
            )
            cursor.execute(f"SELECT {_CLAIM_COLUMNS} FROM {table} WHERE id IN ({marks})", ids)
            rows = cursor.fetchall()
    return sorted((Outgoing(*row) for row in rows), key=lambda row: row.pk)


def record_sent(provider_name: str, rows: list[tuple[int, str, str]]) -> None:
    """Write back (id, status, provider_id) in one statement; a status a callback already moved
    past `sending` is left as it is."""
    if not rows:
        return
    now = timezone.now()
    table = Delivery._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The outcomes as one JSON text (the driver would quote 15,000 values one by one).
            # The planner takes a set-returning function for 100 rows whatever the table's
            # statistics say, so each row is found by its primary key, never by a scan.
            cursor.execute(
                f"""UPDATE {table} AS d SET
                        status = CASE WHEN d.status = 'sending' THEN v.status ELSE d.status END,
                        provider = %s, provider_id = v.provider_id, in_flight = false,
                        updated_at = %s
                    FROM (SELECT (e->>0)::bigint AS id, e->>1 AS status, e->>2 AS provider_id
                          FROM json_array_elements(%s::json) AS e) AS v
                    WHERE d.id = v.id""",
                [provider_name, now, json.dumps([[pk, str(st), pid] for pk, st, pid in rows])],
            )
        else:
            cursor.executemany(
                f"""UPDATE {table} SET
                        status = CASE WHEN status = 'sending' THEN %s ELSE status END,
                        provider = %s, provider_id = %s, in_flight = %s, updated_at = %s
                    WHERE id = %s""",
                [(status, provider_name, pid, False, now, pk) for pk, status, pid in rows],
            )


def record_failures(failures: list[tuple[Outgoing, ChannelError]]) -> tuple[int, str]:
    """Permanent errors (or too many tries) fail the row with its reason; transient ones put it
    back in the queue with a delay. Returns (transient count, last transient reason)."""
    now = timezone.now()
    transient, reason = 0, ""
    for delivery, error in failures:
        if error.permanent or delivery.attempts >= MAX_SEND_TRIES:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.FAILED,
                reason=error.message[:250],
                in_flight=False,
                updated_at=now,
            )
            DeliveryEvent.objects.create(
                delivery_id=delivery.pk,
                status=DeliveryStatus.FAILED,
                detail={"error": error.message},
            )
            delivery_finished(delivery_id=delivery.pk)
        else:
            transient, reason = transient + 1, error.message
            Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
                status=DeliveryStatus.QUEUED,
                not_before=now + timedelta(seconds=min(300, 5 * 2**delivery.attempts)),
                reason=error.message[:250],
                claimed_by=None,
                in_flight=False,
                updated_at=now,
            )
    return transient, reason


def record_step(
    provider_name: str, handed: tuple[int, str, str] | None, following: int | None
) -> None:
    """One message at a time: write the outcome of the one the provider just accepted and mark
    the next one in flight, in one statement. After a crash, only a row marked in flight can
    have reached the provider without us knowing."""
    done_pk, status, provider_id = handed or (0, "", "")
    ids = [pk for pk in (done_pk, following) if pk]
    if not ids:
        return
    table = Delivery._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {table} SET
                    status = CASE WHEN id = %s AND status = 'sending' THEN %s ELSE status END,
                    provider = CASE WHEN id = %s THEN %s ELSE provider END,
                    provider_id = CASE WHEN id = %s THEN %s ELSE provider_id END,
                    in_flight = (id = %s), updated_at = %s
                WHERE id IN ({marks})""",
            [
                done_pk, status, done_pk, provider_name, done_pk, provider_id,
                following or 0, timezone.now(), *ids,
            ],
        )  # fmt: skip


def claim_renew(run: int) -> None:
    """Without advisory locks (SQLite) the lease is a time: a live worker renews it."""
    Delivery.objects.filter(claimed_by=run, status=DeliveryStatus.SENDING).update(
        claimed_at=timezone.now()
    )
