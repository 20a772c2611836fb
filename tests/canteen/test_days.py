"""Canteen days: absences before the cut-off (the family) or until the run (the school); the
day's debit once for every child eating, none on a closure; the kitchen's count."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from sportello.canteen import days
from sportello.canteen.models import Absence, CanteenDay, Closure, ClosureKind, Movement
from sportello.canteen.selectors import kitchen_counts
from sportello.core.exceptions import ApplicationError

from .conftest import accepted, last_weekday

pytestmark = pytest.mark.django_db
ROME = zoneinfo.ZoneInfo("Europe/Rome")


@pytest.fixture
def two_children(canteen, family, sara, school_office):
    tommaso = accepted(sara, family.tommaso, canteen, school_office)
    giulia = accepted(sara, family.giulia, canteen, school_office, school_class=canteen.section_b)
    return tommaso, giulia


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME)


def test_the_day_debits_each_child_eating_once(two_children) -> None:
    tommaso, giulia = two_children
    monday = last_weekday(1)
    record = days.canteen_day_run(day=monday)
    assert record.meals == 2
    again = days.canteen_day_run(day=monday)
    assert again.pk == record.pk and Movement.objects.filter(day=monday).count() == 2
    tommaso.account.refresh_from_db()
    assert tommaso.account.balance == -tommaso.meal_price


def test_a_class_without_canteen_that_weekday_is_not_charged(two_children) -> None:
    friday = last_weekday(5)
    assert days.canteen_day_run(day=friday).meals == 1  # the infant section eats Mon-Thu


def test_an_absence_before_the_cutoff_saves_the_meal(two_children, sara) -> None:
    tommaso, _giulia = two_children
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    while not tommaso.school_class.eats_on(tomorrow):
        tomorrow += datetime.timedelta(days=1)
    days.absence_notify(enrolment=tommaso, day=tomorrow, user=sara)
    assert [row.meals for row in kitchen_counts(day=tomorrow) if row.school_class == "3A"] == []


def test_an_absence_after_the_cutoff_or_for_a_past_day_is_refused(two_children, sara) -> None:
    tommaso, _giulia = two_children
    monday = last_weekday(1)
    with pytest.raises(ApplicationError, match="tardi"):
        days.absence_notify(enrolment=tommaso, day=monday, user=sara, now=at(monday, 9, 1))
    days.absence_notify(enrolment=tommaso, day=monday, user=sara, now=at(monday, 8, 59))
    with pytest.raises(ApplicationError, match="già passato"):
        days.absence_notify(enrolment=tommaso, day=monday - datetime.timedelta(days=7), user=sara)
    with pytest.raises(ApplicationError, match="già stata comunicata"):
        days.absence_notify(enrolment=tommaso, day=monday, user=sara, now=at(monday, 8, 0))


def test_the_school_enters_an_absence_after_the_cutoff_until_the_run(
    two_children, school_office
) -> None:
    tommaso, _giulia = two_children
    monday = last_weekday(1)
    days.absence_notify(
        enrolment=tommaso, day=monday, user=school_office, by_school=True, now=at(monday, 10)
    )
    assert days.canteen_day_run(day=monday).meals == 1
    with pytest.raises(ApplicationError, match="già stati conteggiati"):
        Absence.objects.all().delete()
        days.absence_notify(
            enrolment=tommaso, day=monday, user=school_office, by_school=True, now=at(monday, 10)
        )


def test_a_closure_cancels_the_debit(two_children, canteen) -> None:
    monday, tuesday = last_weekday(1), last_weekday(2)
    Closure.objects.create(day=monday, kind=ClosureKind.STRIKE)
    Closure.objects.create(day=tuesday, kind=ClosureKind.OTHER, school=canteen.primary)
    assert days.canteen_day_run(day=monday).closed
    assert CanteenDay.objects.get(day=monday).meals == 0
    assert days.canteen_day_run(day=tuesday).meals == 1


def test_the_kitchen_count_by_school_class_and_diet(two_children) -> None:
    rows = kitchen_counts(day=last_weekday(1))
    assert [(row.school, row.school_class, row.diet, row.meals) for row in rows] == [
        ("Infanzia Il Girasole", "Sezione B", "Ordinaria", 1),
        ("Primaria Carducci", "3A", "Ordinaria", 1),
    ]


def test_the_beat_runs_today_only_after_the_cutoff(two_children) -> None:
    today = timezone.localdate()
    assert days.canteen_day_due(now=at(today, 8, 30)) is None
    record = days.canteen_day_due(now=at(today, 9, 5))
    assert record is not None and record.day == today
    assert days.canteen_day_due(now=at(today, 9, 10)) is None


def test_the_kitchen_gets_the_count_by_email(
    two_children, canteen, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    canteen.year.kitchen_email = "cucina@example.it"
    canteen.year.save()
    monday = last_weekday(1)
    with django_capture_on_commit_callbacks(execute=True):
        days.canteen_day_run(day=monday)
    [message] = [m for m in mailoutbox if m.to == ["cucina@example.it"]]
    assert "Primaria Carducci — 3A — Ordinaria: 1" in message.body
    assert "Totale: 2 pasti" in message.body


def test_the_command_runs_a_day_once(two_children) -> None:
    import io

    from django.core.management import call_command

    monday = last_weekday(1)
    out = io.StringIO()
    call_command("canteen_day", "--date", monday.isoformat(), stdout=out)
    call_command("canteen_day", "--date", monday.isoformat(), stdout=out)
    assert "Pasti addebitati" in out.getvalue() and "erano già addebitati (2)" in out.getvalue()
