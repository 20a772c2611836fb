"""A demo town (streets, civic numbers, the municipality's lines) for the alert tests."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from sportello.places.models import CivicNumber


@pytest.fixture
def town(db) -> CivicNumber:
    call_command("demo", "--citizens", "20", "--seed", "3", stdout=io.StringIO())
    return CivicNumber.objects.select_related("street").order_by("pk").first()


@pytest.fixture(autouse=True)
def demo_simulator(settings) -> None:
    """As in the demo: the phone simulator is open to whoever tries the system."""
    settings.SPORTELLO_PHONE_SIMULATOR_PUBLIC = True
