"""The demo builds the canteen once: schools, classes, tariffs, and the demo citizen's eldest
child enrolled with a paid top-up and meals; the youngest is left to enrol."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.canteen.demo import demo_canteen_ensure
from sportello.canteen.models import Enrolment, EnrolmentStatus, Movement, MovementKind, School
from sportello.payments.models import PaymentPosition, PositionStatus

pytestmark = pytest.mark.django_db


def test_the_demo_enrols_the_eldest_child_with_history(municipality, family) -> None:
    User.objects.create_user("cittadino", person=family.sara, email="c@demo.invalid")
    office = User.objects.create_user("scuola", is_staff=True)
    office.groups.add(Group.objects.get(name=Role.SCHOOL_OFFICE))
    assert demo_canteen_ensure() == 1
    assert demo_canteen_ensure() == 0
    assert School.objects.count() == 3
    enrolment = Enrolment.objects.get()
    assert enrolment.child_fiscal_code == family.tommaso.codice_fiscale
    assert enrolment.status == EnrolmentStatus.ACCEPTED
    assert Movement.objects.filter(kind=MovementKind.TOP_UP).count() == 1
    assert PaymentPosition.objects.get(service="canteen").status == PositionStatus.PAID
    enrolment.account.refresh_from_db()
    meals = Movement.objects.filter(kind=MovementKind.MEAL).count()
    assert enrolment.account.balance == 6000 - meals * enrolment.meal_price
