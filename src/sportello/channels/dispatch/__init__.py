"""Bulk sending: one Dispatch, one Delivery row per recipient, channel and attempt, and the workers
that hand them to the providers as fast as each provider allows.

How it holds together (docs/channels.md, "Invii multipli"):
- The rows are written first, all together (the caller inserts them in bulk), each `queued`.
  A unique constraint (dispatch, medium, to, attempt) means nobody can be queued twice.
- `dispatch_run(dispatch, medium)` tasks, several per medium on the medium's own queue, claim
  batches: `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, so two workers never take the same
  row; claimed rows turn `sending` with `claimed_at`. Each batch is handed to the provider and the
  outcome written back in bulk.
- Caps: messages per second and simultaneous lines per medium, shared by every worker through
  Redis (channels.limits).
- Exactly once: each worker run holds a PostgreSQL advisory lock while it works and marks the
  rows it claims with its number; the lock dies with the process, so the watchdog takes back the
  rows of dead runs only, however slow the provider. A provider taking one message per call gets
  small claims, and each outcome is written the moment the provider answers, with the next row
  marked `in_flight`: after a crash only the rows in flight may have reached the provider. The
  watchdog (`dispatch_watchdog`, periodic) puts back the rows that were not in flight, asks the
  provider (`lookup`) about the others: what it has is recorded with its status (a call in
  flight is followed, never placed again), what it does not have goes back to the queue. The
  providers that cannot be asked (SMPP, Kannel, HylaFAX, e-mail) get it back in the queue too,
  marked `maybe_doubled` and counted on the monitor: a duplicate is better than a person never
  warned. E-mails carry a Message-ID of their delivery, the same if sent again.
- Calls whose end never came (a lost callback, a call answered without a key) are asked about or
  closed after SPORTELLO_LINE_HOLD_SECONDS (`calls_overdue_end`).
- Voice: busy / no answer are retried (options voice_attempts, voice_retry_minutes) as new rows
  (attempt 2, 3…) that wait until `not_before`; after the last, mobiles get the SMS instead
  (options sms_fallback), unless they already had it.
"""

from sportello.channels.dispatch.claims import deliveries_claim, worker_run
from sportello.channels.dispatch.control import QUEUES, dispatch_start, dispatch_stop
from sportello.channels.dispatch.followup import delivery_finished
from sportello.channels.dispatch.progress import dispatch_eta_seconds, dispatch_progress
from sportello.channels.dispatch.watchdog import calls_overdue_end, dispatch_watchdog
from sportello.channels.dispatch.work import dispatch_work

__all__ = [
    "QUEUES",
    "calls_overdue_end",
    "deliveries_claim",
    "delivery_finished",
    "dispatch_eta_seconds",
    "dispatch_progress",
    "dispatch_start",
    "dispatch_stop",
    "dispatch_watchdog",
    "dispatch_work",
    "worker_run",
]
