"""Background work for the canteen: the day's debit after the cut-off (the beat asks every few
minutes on school mornings; the run happens once), the warnings of low credit, and the notices
for negative balances on the first day of each month."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def canteen_day_due() -> int:
    """Run today's debit if the cut-off has passed (idempotent); returns the meals debited."""
    from sportello.canteen.days import canteen_day_due as due

    record = due()
    return record.meals if record else 0


@shared_task(acks_late=True)
def canteen_day_run(day: str) -> int:
    """Run the debit of one day (ISO date), e.g. from the office's button."""
    from sportello.canteen.days import canteen_day_run as run

    return run(day=datetime.date.fromisoformat(day)).meals


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=60, max_retries=5)
def low_credit_notify(account_ids: list[int]) -> int:
    from sportello.canteen.credit import low_credit_send

    return sum(low_credit_send(account_id=pk) for pk in account_ids)


@shared_task(acks_late=True)
def canteen_month_debts() -> int:
    """On the first of the month: notices for the balances left negative by the month before."""
    from sportello.canteen.credit import month_debts_create

    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    return month_debts_create(month=last_month)


@shared_task(acks_late=True)
def kitchen_count_email(day: str) -> int:
    """The day's count per school, class and diet, by e-mail to the kitchen (a delivery of
    `channels`, with its attempts)."""
    from django.template.loader import render_to_string
    from django.utils.translation import gettext as _

    from sportello.canteen.selectors import kitchen_counts, school_year_of
    from sportello.channels.base import Medium
    from sportello.channels.services import delivery_create

    when = datetime.date.fromisoformat(day)
    year = school_year_of(when)
    if year is None or not year.kitchen_email:
        return 0
    rows = kitchen_counts(day=when)
    text = render_to_string(
        "canteen/email/kitchen.txt",
        {"day": when, "rows": rows, "total": sum(row.meals for row in rows)},
    )
    delivery_create(
        medium=Medium.EMAIL,
        to=year.kitchen_email,
        purpose="canteen_kitchen_count",
        reference=day,
        payload={"subject": _("Pasti del %(day)s") % {"day": f"{when:%d/%m/%Y}"}, "text": text},
    )
    return len(rows)
