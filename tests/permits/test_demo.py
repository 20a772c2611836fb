"""The demo town's permits: a ZTL over the centre and a ZSC around it; the demo citizen lives
inside the ZTL and has one car whose permit expires next month."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from sportello.accounts.models import User
from sportello.permits.models import Permit, PermitType, Zone
from sportello.permits.selectors import renewable, zones_of_civic_number

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_zones_and_the_citizens_expiring_permit():
    call_command("demo", "--citizens", "20", "--seed", "1", stdout=io.StringIO())
    assert set(Zone.objects.values_list("kind", flat=True)) == {"ZTL", "ZSC"}
    assert all(zone.civic_count > 0 for zone in Zone.objects.all())
    resident = PermitType.objects.get(zone__code="ztl-centro", kind="resident")
    assert resident.fees == ["0.00", "60.00", "150.00"]
    citizen = User.objects.get(username="cittadino")
    zones = zones_of_civic_number(civic_number_id=citizen.person.residence_id)
    assert "ztl-centro" in [zone.code for zone in zones]
    permit = Permit.objects.get(holder=citizen.person)
    assert permit.valid_until == timezone.localdate() + datetime.timedelta(days=30)
    assert renewable(permit)
    # Run again: nothing doubles.
    call_command("demo", "--if-empty", stdout=io.StringIO())
    assert Permit.objects.count() == 1 and Zone.objects.count() == 2
