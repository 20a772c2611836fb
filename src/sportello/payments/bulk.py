"""Bulk writes for payments: a canteen year's positions or a day's receipts in a few statements,
without building a model instance per row — PostgreSQL takes rows through COPY and updates as
one statement over arrays bound on the server; SQLite takes one prepared statement
(executemany).

Only table and column names (from the models' metadata) are formatted into the SQL; every value
is a parameter or a COPY row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model


def pg_cursor():
    """A cursor on Django's own PostgreSQL connection (same transaction) that binds parameters
    on the server: large arrays travel as values, not as quoted SQL text. Use it inside
    `connection.wrap_database_errors`, so that errors are Django's (IntegrityError…)."""
    import psycopg

    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def ids_reserve(model: type[Model], count: int) -> list[int]:
    """`count` new primary keys for `model`, taken from its sequence (call inside the
    transaction that inserts them; SQLite's writer lock keeps them ours until the commit)."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = cursor.fetchone()[0] + 1
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        used = cursor.fetchone()
        if used:  # ids once given are never given again (AUTOINCREMENT)
            start = max(start, used[0] + 1)
        return list(range(start, start + count))


def rows_insert(model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert `rows` (tuples of values in the order of `fields`, database-ready)."""
    if not rows:
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    names = ", ".join(connection.ops.quote_name(column.column) for column in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {meta.db_table} ({names}) FROM STDIN"
            with connection.wrap_database_errors, pg_cursor() as raw, raw.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            # SQLite is the embedded default, not the one that must be fast: Django's own
            # conversions make the values what its backend stores.
            prepared = [
                [
                    field.get_db_prep_save(value, connection)
                    for field, value in zip(columns, row, strict=True)
                ]
                for row in rows
            ]
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {meta.db_table} ({names}) VALUES ({marks})", prepared)


def options_mark_paid(pairs: Sequence[tuple[int, Any]]) -> None:
    """Mark options paid: (option id, paid at) pairs, in one statement."""
    if not pairs:
        return
    if connection.vendor == "postgresql":
        ids, moments = zip(*pairs, strict=True)
        with connection.wrap_database_errors, pg_cursor() as cursor:
            cursor.execute(
                """UPDATE payments_paymentoption AS o SET status = 'PO_PAID', paid_at = v.paid_at
                FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, paid_at)
                WHERE o.id = v.id""",
                [list(ids), list(moments)],
            )
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE payments_paymentoption SET status = 'PO_PAID', paid_at = %s WHERE id = %s",
            [(connection.ops.adapt_datetimefield_value(moment), pk) for pk, moment in pairs],
        )


def rows_where_in(
    sql: str, values: Sequence[Any], *, params: Sequence[Any] = (), fetch: bool = True
) -> list[tuple]:
    """Run `sql`, whose `{values}` slot becomes `= ANY(array)` (bound on the server) on
    PostgreSQL and `IN (…)` elsewhere, with `params` (the placeholders before the slot) and
    `values`; returns the rows (none when `fetch` is false)."""
    if not values:
        return []
    if connection.vendor == "postgresql":
        with connection.wrap_database_errors, pg_cursor() as cursor:
            cursor.execute(sql.format(values="= ANY(%s)"), [*params, list(values)])
            return cursor.fetchall() if fetch else []
    slot = f"IN ({', '.join(['%s'] * len(values))})"
    with connection.cursor() as cursor:
        cursor.execute(sql.format(values=slot), [*params, *values])
        return cursor.fetchall() if fetch else []
