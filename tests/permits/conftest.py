"""Actors of the permit tests: the payments' household (Sara, head of the family, her husband
Paolo, their children) living in Via del Centro 10, inside the ZTL «Centro storico»; an
outsider living outside every zone; the mobility office; and small helpers for uploads."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from sportello.accounts.roles import Role
from sportello.permits.models import PermitKind, PermitType, Zone, ZoneKind
from sportello.permits.services import zone_area_set
from sportello.places.models import CivicNumber, Street
from tests.payments import conftest as payments_conftest
from tests.payments.conftest import Household, citizen_of, logged_in, operator

# The payments' actors and settings, shared (fixtures are found by name in this module).
household = payments_conftest.household
municipality = payments_conftest.municipality
outsider = payments_conftest.outsider
payment_settings = payments_conftest.payment_settings
receipt_for = payments_conftest.receipt_for
page_text = payments_conftest.page_text


def upload(name: str = "libretto.png", kind: str = "png", size: int = 0) -> SimpleUploadedFile:
    if kind == "png":
        buffer = io.BytesIO()
        Image.new("RGB", (20, 10), "white").save(buffer, "PNG")
        data = buffer.getvalue()
    elif kind == "pdf":
        from pypdf import PdfWriter

        buffer = io.BytesIO()
        writer = PdfWriter()
        writer.add_blank_page(width=100, height=100)
        writer.write(buffer)
        data = buffer.getvalue()
    else:
        data = b"MZ\x90\x00 not a document" + b"x" * size
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def centre(household: Household) -> Zone:
    """The ZTL: the street Sara's family lives in, from number 1 up to hers at least (the
    factories number civic numbers in sequence, so hers depends on the tests run before)."""
    zone = Zone.objects.create(code="ztl-centro", name="Centro storico", kind=ZoneKind.ZTL)
    residence = household.sara.residence
    zone_area_set(
        zone=zone,
        area={
            "streets": [
                {
                    "street": residence.street_id,
                    "from": 1,
                    "to": max(50, int(residence.number)),
                    "parity": "all",
                }
            ]
        },
    )
    return zone


@pytest.fixture
def resident_type(centre: Zone) -> PermitType:
    return PermitType.objects.create(
        zone=centre,
        kind=PermitKind.RESIDENT,
        title="Residenti ZTL",
        fees=["0.00", "60.00", "150.00"],
    )


@pytest.fixture
def cude_type(centre: Zone) -> PermitType:
    return PermitType.objects.create(
        zone=centre,
        kind=PermitKind.DISABLED,
        title="CUDE",
        fees=["0.00"],
        residents_only=False,
        office_check=True,
    )


@pytest.fixture
def sara_user(household: Household):
    return citizen_of(household.sara)


@pytest.fixture
def mobility_client(db):
    return logged_in(operator("mobilita", Role.MOBILITY_OFFICE))


def far_civic() -> CivicNumber:
    street = Street.objects.create(street_type="Via", name="Lontana", search_name="via lontana")
    return CivicNumber.objects.create(street=street, number=3, latitude=43.5, longitude=10.35)


@pytest.fixture(autouse=True)
def italian() -> None:
    """Messages are checked in Italian: a page asked for in English leaves its language active
    in the thread after the response."""
    from django.utils import translation

    translation.activate("it")
