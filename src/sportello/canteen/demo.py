"""The canteen part of the demo town: the running school year (enrolments open all year, as
for late enrolments), three schools with their classes, the tariffs by ISEE band, the diets,
the holidays; and the demo citizen's eldest minor child enrolled and accepted, with a top-up
paid and three weeks of meals and one absence, so that every page has something to show. The
youngest child, if there is another, is left for the visitor to enrol. Idempotent."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from sportello.canteen.models import (
    CanteenDay,
    Closure,
    ClosureKind,
    DietOption,
    Enrolment,
    Grade,
    Movement,
    School,
    SchoolClass,
    SchoolYear,
    TariffBand,
)

SCHOOLS = [
    (
        "Scuola dell'infanzia Arcobaleno",
        Grade.INFANZIA,
        "Via dei Pini 4",
        ["Sezione A", "Sezione B"],
        "12345",
    ),
    (
        "Scuola primaria Collodi",
        Grade.PRIMARIA,
        "Via del Mare 12",
        ["1A", "2A", "3A", "4A", "5A"],
        "12345",
    ),
    (
        "Scuola secondaria di primo grado Mazzini",
        Grade.SECONDARIA,
        "Piazza Garibaldi 2",
        ["1A", "2A", "3A"],
        "13",
    ),
]
# ISEE up to (euros, None: no limit) → meal for residents, for non-residents (cents).
BANDS = [
    (Decimal("5000"), 100, 350),
    (Decimal("10000"), 220, 450),
    (Decimal("18000"), 360, 500),
    (Decimal("26000"), 450, 550),
    (None, 520, 620),
]
DIETS = ["Senza carne di maiale", "Senza carne", "Vegetariana", "Vegana"]


def _school_year(today: datetime.date) -> SchoolYear:
    first = today.year if today.month >= 9 else today.year - 1
    starts = datetime.date(first, 9, 15)
    ends = datetime.date(first + 1, 6, 10)
    year, created = SchoolYear.objects.get_or_create(
        name=f"{first}/{(first + 1) % 100:02d}",
        defaults={
            "starts": starts,
            "ends": ends,
            "enrolment_opens": starts - datetime.timedelta(days=90),
            "enrolment_closes": ends - datetime.timedelta(days=30),
            "absence_cutoff": datetime.time(9, 0),
            "low_credit_threshold": 1000,
            "sibling_reduction_percent": 20,
        },
    )
    if created:
        TariffBand.objects.bulk_create(
            TariffBand(school_year=year, isee_up_to=limit, resident_price=r, non_resident_price=n)
            for limit, r, n in BANDS
        )
        holidays = [datetime.date(first, 11, 1), datetime.date(first, 12, 8)]
        day = datetime.date(first, 12, 23)
        while day <= datetime.date(first + 1, 1, 6):
            holidays.append(day)
            day += datetime.timedelta(days=1)
        holidays += [datetime.date(first + 1, 4, 25), datetime.date(first + 1, 5, 1)]
        Closure.objects.bulk_create(
            Closure(day=day, kind=ClosureKind.HOLIDAY, note="Calendario scolastico regionale")
            for day in holidays
        )
    return year


def demo_canteen_ensure(*, citizen_username: str = "cittadino") -> int:
    """Build the canteen of the demo town; returns how many children were enrolled (0 when
    already done or without a demo citizen)."""
    from sportello.accounts.models import User
    from sportello.canteen import credit, days, services
    from sportello.registry.selectors import family_minors_in_care

    today = timezone.localdate()
    with transaction.atomic():
        year = _school_year(today)
        for name, grade, address, classes, weekdays in SCHOOLS:
            school, _created = School.objects.get_or_create(
                name=name, defaults={"grade": grade, "address": address}
            )
            for class_name in classes:
                SchoolClass.objects.get_or_create(
                    school=school, name=class_name, defaults={"canteen_days": weekdays}
                )
        for diet in DIETS:
            DietOption.objects.get_or_create(name=diet)
    user = User.objects.filter(username=citizen_username).select_related("person").first()
    office = User.objects.filter(username="scuola").first()
    if user is None or user.person is None:
        return 0
    minors = list(family_minors_in_care(person=user.person))
    if not minors or Enrolment.objects.filter(parent=user).exists():
        return 0
    child = minors[0]  # the eldest; a younger one is left for the visitor
    enrol_day = min(today, year.enrolment_closes)
    school_class = SchoolClass.objects.get(school__name=SCHOOLS[1][0], name="3A")
    enrolment = services.enrolment_start(
        user=user, school_year=year, child_id=child.pk, today=enrol_day
    )
    services.enrolment_update(
        enrolment=enrolment,
        school_class=school_class,
        diet_kind="ethical",
        diet_option=DietOption.objects.get(name="Vegetariana"),
        diet_notes="",
        diet_certificate=None,
        no_isee=False,
        isee_value=Decimal("14250.00"),
        dsu_protocol="INPS-ISEE-2026-00031337A-00",
        rules_accepted=True,
    )
    services.enrolment_submit(enrolment=enrolment, user=user, today=enrol_day)
    services.enrolments_accept(enrolment_ids=[enrolment.pk], operator=office)
    enrolment.refresh_from_db()
    _history(enrolment, user=user, office=office, today=today, credit=credit, days=days)
    return 1


def _history(enrolment: Enrolment, *, user, office, today, credit, days) -> None:
    """A top-up of €60 paid three weeks ago (recorded as paid at the counter, so the payments'
    ledger agrees), then the meals of the canteen days since, with one absence."""
    from sportello.canteen.models import Absence
    from sportello.payments.hooks import PaymentEvent
    from sportello.payments.models import PaymentOption
    from sportello.payments.services import payment_record_offline

    start = min(max(today - datetime.timedelta(days=21), enrolment.school_year.starts), today)
    option_id = credit.top_up_request(account=enrolment.account, user=user, amount="60")
    option = PaymentOption.objects.select_related("position").get(pk=option_id)
    payment_record_offline(
        option=option, operator=office, paid_on=start, reference="Demo: pagato allo sportello"
    )
    # The hook runs again from the payments' task later: crediting is idempotent.
    credit.canteen_position_paid(
        PaymentEvent(option.position_id, option.pk, credit.SERVICE, "", position_paid=True)
    )
    Movement.objects.filter(payment_position_id=option.position_id).update(day=start)
    day, absent = start, None
    while day < today:
        if enrolment.school_class.eats_on(day) and not CanteenDay.objects.filter(day=day).exists():
            if absent is None:
                absent = Absence.objects.create(enrolment=enrolment, day=day, created_by=user)
            days.canteen_day_run(day=day)
        day += datetime.timedelta(days=1)
