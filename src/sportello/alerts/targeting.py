"""Where an alert goes, the alerts' side of it: saving a draft alert's area, and how many
recipients live at each civic number of an area (the preview map), counted in SQL.

The area itself (spec, GeoJSON, validation, which civic numbers lie inside it) is the geography
app's: sportello.places.areas, shared with the permits' zones.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils.translation import gettext as _

from sportello.alerts.models import Alert, AlertStatus, Contact, Subscription, SubscriptionStatus
from sportello.core.exceptions import ApplicationError
from sportello.core.services import audit_record
from sportello.places.areas.labels import area_summary
from sportello.places.areas.validation import area_clean

# ---------------------------------------------------------------------------------------------
# Saving the area of an alert


def alert_area_set(*, alert: Alert, area: dict, by: Any, request: Any = None) -> Alert:
    """Validate `area` and store it, with its description, on a draft alert."""
    cleaned = area_clean(area)
    description = area_summary(cleaned)
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.status != AlertStatus.DRAFT:
            raise ApplicationError(
                _("L'area si può cambiare solo finché l'allerta è in bozza."),
                extra={"status": locked.status},
            )
        locked.area = cleaned
        locked.area_description = description
        locked.save(update_fields=["area", "area_description"])
        audit_record(
            action="alert.area",
            actor=by,
            target=locked,
            request=request,
            detail={"area": description},
        )
    return locked


# ---------------------------------------------------------------------------------------------
# Recipients per address (the preview map): counts only, never who they are


def area_join(alias: str, ids: list[int] | None) -> tuple[str, str, list[Any]]:
    """SQL restricting rows of `alias` (a table with civic_number_id) to the civic numbers `ids`
    (None: no restriction): (join clause, extra WHERE condition, parameters).

    On PostgreSQL the ids go as ranges of consecutive ids, two array parameters joined with
    BETWEEN: a stradario numbers a street's civic numbers one after the other, so a drawn area
    of 15,000 civic numbers is a few hundred ranges, each one index range scan, instead of
    15,000 index probes or a list of 15,000 values to match. Elsewhere: one JSON parameter."""
    if ids is None:
        return "", "", []
    if connection.vendor == "postgresql":
        values = np.unique(np.asarray(ids, dtype=np.int64))
        breaks = np.flatnonzero(np.diff(values) != 1)
        lows = np.concatenate((values[:1], values[breaks + 1]))
        highs = np.concatenate((values[breaks], values[-1:]))
        return (
            f"JOIN unnest(%s::bigint[], %s::bigint[]) AS {alias}_area(lo, hi)"
            f" ON {alias}.civic_number_id BETWEEN {alias}_area.lo AND {alias}_area.hi",
            "",
            [lows.tolist(), highs.tolist()],
        )
    return (
        "",
        f"AND {alias}.civic_number_id IN (SELECT value FROM json_each(%s))",  # noqa: S608
        [json.dumps(ids)],
    )


@contextmanager
def area_statements() -> Iterator[None]:
    """A transaction for the statements that join on `area_join`: on PostgreSQL without JIT
    (the planner cannot tell how many rows a range holds, guesses millions, and would spend a
    second compiling a query that takes milliseconds) and with room to count in memory."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


def recipients_per_address(
    ids: list[int] | None, *, directory_only: bool = False
) -> dict[int, int]:
    """Civic number id -> how many recipients live there (verified subscriptions and directory
    contacts; only the contacts with `directory_only`, as a re-confirmation campaign calls), for
    the civic numbers `ids` (None: the whole municipality). Addresses without recipients are
    left out."""
    if ids is not None and not ids:
        return {}
    queries = []
    for table, alias, where in (
        (Subscription._meta.db_table, "s", f"s.status = '{SubscriptionStatus.ACTIVE.value}'"),
        (Contact._meta.db_table, "c", "c.civic_number_id IS NOT NULL"),
    ):
        join, condition, params = area_join(alias, ids)
        queries.append(
            (
                f"SELECT {alias}.civic_number_id, COUNT(*) FROM {table} {alias} {join} "  # noqa: S608
                f"WHERE {where} {condition} GROUP BY {alias}.civic_number_id",
                params,
            )
        )
    if directory_only:
        queries = queries[1:]
    counts: dict[int, int] = {}
    # One query per table: each keeps its own index plan, which a UNION would lose.
    with area_statements(), connection.cursor() as cursor:
        for sql, params in queries:
            cursor.execute(sql, params)
            for civic, count in cursor.fetchall():
                counts[int(civic)] = counts.get(int(civic), 0) + int(count)
    return counts


def recipients_in_area(ids: list[int] | None, *, directory_only: bool = False) -> int:
    """How many recipients live at the civic numbers `ids` (None: the whole municipality): the
    total of recipients_per_address, counted in one statement without grouping, for the count
    the operator sees while drawing."""
    if ids is not None and not ids:
        return 0
    counts = []
    params: list[Any] = []
    for table, alias, where in (
        (Subscription._meta.db_table, "s", f"s.status = '{SubscriptionStatus.ACTIVE.value}'"),
        (Contact._meta.db_table, "c", "c.civic_number_id IS NOT NULL"),
    ):
        if directory_only and alias == "s":
            continue
        join, condition, more = area_join(alias, ids)
        counts.append(
            f"(SELECT COUNT(*) FROM {table} {alias} {join} WHERE {where} {condition})"  # noqa: S608
        )
        params += more
    with area_statements(), connection.cursor() as cursor:
        cursor.execute(f"SELECT {' + '.join(counts)}", params)  # noqa: S608
        return int(cursor.fetchone()[0])
