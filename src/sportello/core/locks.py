"""Named locks held until the current transaction ends, so that "count, then insert" limits hold
when many requests arrive at once.

PostgreSQL: transaction-level advisory locks (pg_advisory_xact_lock), one per name, taken in
sorted order so that two requests never wait for each other in a circle. SQLite: nothing to do,
since every transaction there begins IMMEDIATE (settings) and so writers already take turns.
"""

from __future__ import annotations

import hashlib

from django.db import connection, transaction


def transaction_lock(*names: str) -> None:
    """Wait for, then hold until commit or rollback, the locks called `names`.

    Must run inside `transaction.atomic()`: outside one the lock would end at once."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transaction_lock() needs an open transaction (transaction.atomic)")
    if connection.vendor != "postgresql":
        return
    keys = sorted({_key(name) for name in names})
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _key(name: str) -> int:
    # A signed 64-bit integer, as pg_advisory_xact_lock(bigint) wants.
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
