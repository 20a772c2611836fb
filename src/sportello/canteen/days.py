"""Canteen days: absences notified by the family before the cut-off (or entered by the school),
and the day's debit, run once after the cut-off: every accepted child whose class eats that
weekday is charged one meal unless absent, their school closed, or the whole canteen closed.

The debit is set-based (one insert of the meals, one update of the balances), so a day of
20,000 children takes a few seconds; the `CanteenDay` row, inserted first, makes a second run
(a retried task, the office's button pressed twice) change nothing.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.canteen.credit import low_credit_check
from sportello.canteen.models import (
    Absence,
    CanteenDay,
    Enrolment,
    EnrolmentStatus,
    MovementKind,
    SchoolYear,
)
from sportello.canteen.selectors import day_closed, eating_enrolments, school_year_of
from sportello.core.exceptions import ApplicationError
from sportello.core.queueing import enqueue_after_commit, task_named

logger = logging.getLogger(__name__)


def _cutoff_passed(year: SchoolYear, day: datetime.date, now: datetime.datetime) -> bool:
    local = timezone.localtime(now)
    return day < local.date() or (day == local.date() and local.time() >= year.absence_cutoff)


def _absence_check(
    *, enrolment: Enrolment, day: datetime.date, by_school: bool, now: datetime.datetime
) -> None:
    if enrolment.status != EnrolmentStatus.ACCEPTED:
        raise ApplicationError(_("Le assenze si comunicano solo per le iscrizioni accolte."))
    year = enrolment.school_year
    if not year.starts <= day <= year.ends:
        raise ApplicationError(
            _("Il %(day)s non è un giorno dell'anno scolastico %(year)s.")
            % {"day": f"{day:%d/%m/%Y}", "year": year.name},
            {"field": "day"},
        )
    if CanteenDay.objects.filter(day=day).exists():
        raise ApplicationError(
            _("I pasti del %(day)s sono già stati conteggiati: l'assenza non si può più cambiare.")
            % {"day": f"{day:%d/%m/%Y}"},
            {"field": "day"},
        )
    today = timezone.localdate(now)
    if day < today:
        raise ApplicationError(
            _("Il %(day)s è già passato: l'assenza si comunica per oggi o per i giorni futuri.")
            % {"day": f"{day:%d/%m/%Y}"},
            {"field": "day"},
        )
    if not by_school and _cutoff_passed(year, day, now):
        raise ApplicationError(
            _(
                "Per oggi è tardi: le assenze si comunicano entro le %(cutoff)s. Il pasto di "
                "oggi sarà addebitato; puoi segnalare l'assenza per i prossimi giorni."
            )
            % {"cutoff": f"{year.absence_cutoff:%H:%M}"},
            {"field": "day"},
        )
    if enrolment.school_class_id and not enrolment.school_class.eats_on(day):
        raise ApplicationError(
            _("Il %(day)s la classe non ha la mensa.") % {"day": f"{day:%d/%m/%Y}"},
            {"field": "day"},
        )


def absence_notify(
    *,
    enrolment: Enrolment,
    day: datetime.date,
    user,
    by_school: bool = False,
    now: datetime.datetime | None = None,
) -> Absence:
    """The child will not eat on `day`: no meal is charged. The family may do so until the
    cut-off of that day; the school, until the day is run."""
    now = now or timezone.now()
    _absence_check(enrolment=enrolment, day=day, by_school=by_school, now=now)
    try:
        with transaction.atomic():
            return Absence.objects.create(
                enrolment=enrolment, day=day, by_school=by_school, created_by=user
            )
    except IntegrityError:
        raise ApplicationError(
            _("L'assenza del %(day)s era già stata comunicata.") % {"day": f"{day:%d/%m/%Y}"},
            {"field": "day"},
        ) from None


def absence_cancel(
    *, absence: Absence, user, by_school: bool = False, now: datetime.datetime | None = None
) -> None:
    """The child will eat after all (same deadline as notifying)."""
    now = now or timezone.now()
    _absence_check(enrolment=absence.enrolment, day=absence.day, by_school=by_school, now=now)
    absence.delete()


def canteen_day_run(*, day: datetime.date) -> CanteenDay:
    """Debit one meal to every child eating on `day`; once (a second call returns the first
    run's record and writes nothing)."""
    try:
        with transaction.atomic():
            record = CanteenDay.objects.create(day=day, closed=day_closed(day))
            record.meals = _meals_insert(day)
            _balances_debit(day)
            record.save(update_fields=["meals"])
            if record.meals:
                low_credit_check(day=day)
                year = school_year_of(day)
                if year is not None and year.kitchen_email:
                    enqueue_after_commit(
                        task_named("sportello.canteen.tasks.kitchen_count_email"),
                        day.isoformat(),
                    )
    except IntegrityError:
        return CanteenDay.objects.get(day=day)
    logger.info("Canteen day %s: %d meals debited", day, record.meals)
    return record


# Followed by Django's own SQL for the children eating; every value is a parameter.
_INSERT_MEALS = (
    "INSERT INTO canteen_movement (account_id, kind, amount, day, enrolment_id, note, created_at)"
    " SELECT e.e_account, %s, -COALESCE(e.e_price, 0), %s, e.e_id, '', %s FROM ("
)


def _meals_insert(day: datetime.date) -> int:
    """One meal row for every child eating on `day`, in one INSERT … SELECT (no rows travel
    through Python); returns how many."""
    eating = (
        eating_enrolments(day=day)
        .filter(account__isnull=False)
        .order_by()
        # Named columns, so the outer statement can read them on every backend.
        .annotate(e_id=F("pk"), e_account=F("account_id"), e_price=F("meal_price"))
        .values_list("e_id", "e_account", "e_price")
    )
    try:
        select, params = eating.query.sql_with_params()
    except EmptyResultSet:  # a closed day, or outside the school year
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"{_INSERT_MEALS}{select}) AS e",
            [
                MovementKind.MEAL.value,
                connection.ops.adapt_datefield_value(day),
                connection.ops.adapt_datetimefield_value(timezone.now()),
                *params,
            ],
        )
        return max(cursor.rowcount, 0)


def _balances_debit(day: datetime.date) -> None:
    """Every account's balance lowered by its meals of the day, in one statement."""
    # UPDATE … FROM an aggregate: one pass over the day's meals (PostgreSQL; SQLite ≥ 3.33).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE canteen_creditaccount SET balance = canteen_creditaccount.balance + m.total"
            " FROM (SELECT account_id, SUM(amount) AS total FROM canteen_movement"
            " WHERE day = %s AND kind = %s GROUP BY account_id) AS m"
            " WHERE canteen_creditaccount.id = m.account_id",
            [connection.ops.adapt_datefield_value(day), MovementKind.MEAL.value],
        )


def canteen_day_due(*, now: datetime.datetime | None = None) -> CanteenDay | None:
    """Today's run, if its cut-off has passed and it has not run yet (the beat asks often)."""
    now = timezone.localtime(now or timezone.now())
    year = school_year_of(now.date())
    if year is None or now.time() < year.absence_cutoff:
        return None
    if CanteenDay.objects.filter(day=now.date()).exists():
        return None
    return canteen_day_run(day=now.date())
