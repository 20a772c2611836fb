"""The school office's pages: accept in bulk, reject with a reason, the kitchen's count (page
and CSV), the day's button (once), absences entered by the school. Others may not enter."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from sportello.canteen.models import CanteenDay, EnrolmentStatus

from .conftest import accepted, enrol, last_weekday

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_citizen_cannot_open_the_office(canteen, sara_client) -> None:
    assert sara_client.get(reverse("canteen:office")).status_code == 403


def test_accept_in_bulk(canteen, family, sara, office_client) -> None:
    one = enrol(sara, family.tommaso, canteen)
    two = enrol(sara, family.giulia, canteen)
    page = text(office_client.get(reverse("canteen:office")))
    assert one.protocol in page and two.protocol in page
    response = office_client.post(reverse("canteen:office"), {"enrolment": [one.pk, two.pk]})
    assert response.status_code == 302
    one.refresh_from_db()
    assert one.status == EnrolmentStatus.ACCEPTED


def test_reject_with_a_reason(canteen, family, sara, office_client) -> None:
    one = enrol(sara, family.tommaso, canteen)
    url = reverse("canteen:office_enrolment", args=[one.pk])
    assert office_client.post(url, {"action": "reject", "reason": ""}).status_code == 400
    office_client.post(url, {"action": "reject", "reason": "Documenti incompleti"})
    one.refresh_from_db()
    assert one.status == EnrolmentStatus.REJECTED and one.rejection_reason == "Documenti incompleti"


def test_kitchen_page_csv_and_the_day_button(
    canteen, family, sara, school_office, office_client
) -> None:
    accepted(sara, family.tommaso, canteen, school_office)
    monday = last_weekday(1)
    page = text(office_client.get(reverse("canteen:kitchen"), {"day": monday.isoformat()}))
    assert "Primaria Carducci" in page and "Addebita ora" in page
    csv = office_client.get(
        reverse("canteen:kitchen"), {"day": monday.isoformat(), "formato": "csv"}
    )
    assert csv.content.decode("utf-8-sig").splitlines()[1] == "Primaria Carducci;3A;Ordinaria;1"
    office_client.post(reverse("canteen:day_run"), {"day": monday.isoformat()})
    office_client.post(reverse("canteen:day_run"), {"day": monday.isoformat()})
    assert CanteenDay.objects.get(day=monday).meals == 1


def test_the_school_enters_an_absence(canteen, family, sara, school_office, office_client) -> None:
    enrolment = accepted(sara, family.tommaso, canteen, school_office)
    import datetime

    from django.utils import timezone

    day = timezone.localdate() + datetime.timedelta(days=1)
    while not canteen.class_3a.eats_on(day):
        day += datetime.timedelta(days=1)
    response = office_client.post(
        reverse("canteen:office_absence"), {"protocol": enrolment.protocol, "day": day.isoformat()}
    )
    assert response.status_code == 302 and enrolment.absences.filter(by_school=True).exists()


def test_a_refund_with_its_reason(canteen, family, sara, school_office, office_client) -> None:
    enrolment = accepted(sara, family.tommaso, canteen, school_office)
    url = reverse("canteen:office_enrolment", args=[enrolment.pk])
    bad = office_client.post(
        url, {"action": "movement", "movement-kind": "refund", "movement-amount": "x"}
    )
    assert bad.status_code == 400
    office_client.post(
        url,
        {
            "action": "movement",
            "movement-kind": "refund",
            "movement-amount": "3,60",
            "movement-note": "Gita scolastica",
        },
    )
    enrolment.account.refresh_from_db()
    assert enrolment.account.balance == 360
    assert "Gita scolastica" in text(office_client.get(url))


def test_the_office_configures_in_the_back_office(canteen, office_client) -> None:
    assert office_client.get("/backoffice/canteen/schoolyear/").status_code == 200
    assert office_client.get("/backoffice/canteen/closure/add/").status_code == 200
