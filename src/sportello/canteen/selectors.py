"""Reads for the canteen: the school year open for enrolment, a family's enrolments and credit
accounts, the kitchen's count of the day, the office's lists, the paid amounts of a year."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.canteen.models import (
    Absence,
    Closure,
    CreditAccount,
    DietKind,
    Enrolment,
    EnrolmentStatus,
    Movement,
    MovementKind,
    SchoolYear,
)
from sportello.registry.selectors import family_minors_in_care


def school_year_of(day: datetime.date) -> SchoolYear | None:
    return SchoolYear.objects.filter(starts__lte=day, ends__gte=day).first()


def day_closed(day: datetime.date) -> bool:
    """Closed for everyone (a holiday, a strike of the kitchen) by the calendar."""
    return Closure.objects.filter(day=day, school__isnull=True).exists()


def eating_enrolments(*, day: datetime.date):
    """The accepted enrolments eating on `day`: their class eats that weekday, they are not
    absent, their school is not closed. Nobody, on a day the calendar closes."""
    year = school_year_of(day)
    if year is None or day_closed(day):
        return Enrolment.objects.none()
    closed_schools = Closure.objects.filter(day=day, school__isnull=False).values("school")
    absent = Absence.objects.filter(day=day).values("enrolment")
    return (
        Enrolment.objects.filter(
            school_year=year,
            status=EnrolmentStatus.ACCEPTED,
            school_class__canteen_days__contains=str(day.isoweekday()),
        )
        .exclude(school_class__school__in=closed_schools)
        .exclude(pk__in=absent)
    )


def school_year_enrolling(*, today: datetime.date | None = None) -> SchoolYear | None:
    """The school year whose enrolment window is open today."""
    today = today or timezone.localdate()
    return (
        SchoolYear.objects.filter(enrolment_opens__lte=today, enrolment_closes__gte=today)
        .order_by("starts")
        .first()
    )


def school_year_current(*, today: datetime.date | None = None) -> SchoolYear | None:
    """The school year running today, else the next one, else the latest."""
    today = today or timezone.localdate()
    return (
        SchoolYear.objects.filter(ends__gte=today).order_by("starts").first()
        or SchoolYear.objects.order_by("-starts").first()
    )


def _household_filter(user) -> Q:
    """Enrolments a parent sees: those they made, and those of the minors of their family."""
    codes = []
    if getattr(user, "person_id", None):
        codes = list(
            family_minors_in_care(person=user.person).values_list("codice_fiscale", flat=True)
        )
    return Q(parent=user) | Q(
        child_fiscal_code__in=codes,
        status__in=[EnrolmentStatus.SUBMITTED, EnrolmentStatus.ACCEPTED],
    )


def enrolments_of(*, user) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(_household_filter(user))
        .exclude(~Q(parent=user), status=EnrolmentStatus.DRAFT)
        .select_related("school_year", "school_class__school", "diet_option", "account")
        .order_by("-school_year__starts", "child_first_name", "-pk")
    )


def enrolment_of(*, user, pk: int) -> Enrolment | None:
    return enrolments_of(user=user).filter(pk=pk).first()


def accounts_of(*, user) -> QuerySet[CreditAccount]:
    ids = enrolments_of(user=user).filter(account__isnull=False).values("account")
    return CreditAccount.objects.filter(pk__in=ids).order_by("child_name")


def account_of(*, user, pk: int) -> CreditAccount | None:
    return accounts_of(user=user).filter(pk=pk).first()


def account_movements(*, account: CreditAccount, limit: int = 200) -> list[Movement]:
    return list(account.movements.order_by("-day", "-pk")[:limit])


def account_enrolment_current(*, account: CreditAccount) -> Enrolment | None:
    return (
        account.enrolments.filter(status=EnrolmentStatus.ACCEPTED)
        .select_related("school_year", "school_class__school")
        .order_by("-school_year__starts")
        .first()
    )


@dataclass(frozen=True)
class KitchenRow:
    school: str
    school_class: str
    diet: str
    meals: int


def kitchen_counts(*, day: datetime.date) -> list[KitchenRow]:
    """How many meals each school and class eats on `day`, by diet (one query)."""
    rows = (
        eating_enrolments(day=day)
        .values(
            "school_class__school__name", "school_class__name", "diet_kind", "diet_option__name"
        )
        .annotate(meals=Count("pk"))
        .order_by(
            "school_class__school__name", "school_class__name", "diet_kind", "diet_option__name"
        )
    )
    labels = {DietKind.NONE: _("Ordinaria"), DietKind.MEDICAL: _("Sanitaria")}
    return [
        KitchenRow(
            school=row["school_class__school__name"],
            school_class=row["school_class__name"],
            diet=row["diet_option__name"] or labels.get(row["diet_kind"], row["diet_kind"]),
            meals=row["meals"],
        )
        for row in rows
    ]


def enrolments_for_office(
    *, school_year: SchoolYear | None, status: str = "", search: str = ""
) -> QuerySet[Enrolment]:
    queryset = Enrolment.objects.exclude(status=EnrolmentStatus.DRAFT).select_related(
        "school_year", "school_class__school", "diet_option", "account"
    )
    if school_year is not None:
        queryset = queryset.filter(school_year=school_year)
    if status:
        queryset = queryset.filter(status=status)
    if search.strip():
        term = search.strip()
        queryset = queryset.filter(
            Q(child_fiscal_code__iexact=term)
            | Q(child_last_name__icontains=term)
            | Q(protocol__iexact=term)
        )
    return queryset.order_by("submitted_at", "pk")


def paid_in_year(*, account: CreditAccount, year: int) -> list[Movement]:
    """What the family actually paid in calendar year `year` (top-ups and debts paid)."""
    return list(
        account.movements.filter(
            kind__in=[MovementKind.TOP_UP, MovementKind.DEBT_PAID], day__year=year
        ).order_by("day", "pk")
    )


def statement_years(*, account: CreditAccount) -> list[int]:
    dates = account.movements.filter(kind__in=[MovementKind.TOP_UP, MovementKind.DEBT_PAID]).dates(
        "day", "year"
    )
    return sorted({day.year for day in dates}, reverse=True)


def meals_in_year(*, account: CreditAccount, year: int) -> tuple[int, int]:
    """How many meals were eaten in `year` and what they cost (cents)."""
    result = account.movements.filter(kind=MovementKind.MEAL, day__year=year).aggregate(
        meals=Count("pk"), cost=Sum("amount")
    )
    return result["meals"] or 0, -(result["cost"] or 0)


def personal_area_canteen(*, user) -> list:
    """The family's enrolments for «Area personale»."""
    from django.urls import reverse

    from sportello.core.personal_area import PersonalItem

    if not getattr(user, "person_id", None):
        return []
    return [
        PersonalItem(
            service=_("Mensa scolastica"),
            title=f"{enrolment.child_name}, {enrolment.school_year.name}",
            status=enrolment.get_status_display().capitalize(),
            when=enrolment.submitted_at or enrolment.created_at,
            url=reverse("canteen:enrolment", args=[enrolment.pk]),
            done=enrolment.status != EnrolmentStatus.DRAFT,
        )
        for enrolment in enrolments_of(user=user)[:5]
    ]
