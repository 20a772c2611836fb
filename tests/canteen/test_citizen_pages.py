"""The family's pages: the public service page offers the login; the enrolment in three steps
with a draft kept and a summary before confirming; the confirmation on screen with the rating;
the status in «Area personale»; top-up, absence and statement from the child's credit page."""

from __future__ import annotations

import datetime
import html

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sportello.canteen.models import Enrolment, EnrolmentStatus
from sportello.core.personal_area import personal_items

from .conftest import accepted, certificate_file

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_service_page_offers_the_login(canteen) -> None:
    response = Client().get(reverse("canteen:service"))
    assert response.status_code == 200
    assert "Accedi al servizio" in text(response)
    assert Client().get(reverse("canteen:home")).status_code == 302


def test_enrolment_in_three_steps_with_summary_and_confirmation(
    canteen, family, sara_client, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    response = sara_client.post(
        reverse("canteen:enrolment_start"), {"child": str(family.tommaso.pk)}
    )
    enrolment = Enrolment.objects.get()
    assert response["Location"] == reverse("canteen:enrolment_edit", args=[enrolment.pk])
    data = {
        "school_class": canteen.class_3a.pk,
        "diet_kind": "medical",
        "diet_notes": "Niente arachidi",
        "diet_certificate": certificate_file(),
        "isee_value": "12.500,00",
        "dsu_protocol": "INPS-ISEE-2026-1",
        "rules_accepted": "on",
        "action": "save",
    }
    response = sara_client.post(reverse("canteen:enrolment_edit", args=[enrolment.pk]), data)
    assert response["Location"] == reverse("canteen:home")  # the draft is kept
    assert "Riprendi la domanda" in text(sara_client.get(reverse("canteen:home")))
    data["action"] = "next"
    data.pop("diet_certificate")  # already uploaded
    response = sara_client.post(reverse("canteen:enrolment_edit", args=[enrolment.pk]), data)
    summary_url = reverse("canteen:enrolment_summary", args=[enrolment.pk])
    assert response["Location"] == summary_url
    summary = text(sara_client.get(summary_url))
    assert "Conferma e invia la domanda" in summary and "€ 2,80" in summary
    with django_capture_on_commit_callbacks(execute=True):
        done = sara_client.post(summary_url)
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.SUBMITTED
    page = text(done)
    assert enrolment.protocol in page and 'data-element="feedback"' in page
    assert any(enrolment.protocol in message.subject for message in mailoutbox)
    items = personal_items(user=enrolment.parent)
    assert any(item.status == "Inviata" for item in items)


@pytest.mark.parametrize(
    ("isee", "message"),
    [("dodicimila", "deve essere un numero"), ("-3", "non può essere negativo")],
)
def test_a_bad_isee_is_explained(canteen, family, sara, sara_client, isee, message) -> None:
    sara_client.post(reverse("canteen:enrolment_start"), {"child": str(family.tommaso.pk)})
    enrolment = Enrolment.objects.get()
    response = sara_client.post(
        reverse("canteen:enrolment_edit", args=[enrolment.pk]),
        {"diet_kind": "none", "isee_value": isee, "action": "next"},
    )
    assert response.status_code == 400 and message in text(response)


def test_a_child_of_another_family_cannot_be_chosen(canteen, family, bruno, sara_client) -> None:
    response = sara_client.post(
        reverse("canteen:enrolment_start"),
        {"child": "altro", "fiscal_code": bruno.codice_fiscale},
    )
    assert response.status_code == 400 and "non fa parte della tua famiglia" in text(response)
    assert not Enrolment.objects.exists()


def test_the_credit_page_tops_up_and_notifies_an_absence(
    canteen, family, sara, sara_client, school_office
) -> None:
    enrolment = accepted(sara, family.tommaso, canteen, school_office)
    account_url = reverse("canteen:account", args=[enrolment.account_id])
    page = text(sara_client.get(account_url))
    assert "Ricarica con pagoPA" in page and "€ 0,00" in page
    response = sara_client.post(
        reverse("canteen:top_up", args=[enrolment.account_id]), {"amount": "0,01"}
    )
    assert response.status_code == 400 and "ricarica minima" in text(response)
    response = sara_client.post(
        reverse("canteen:top_up", args=[enrolment.account_id]), {"amount": "20"}
    )
    assert response["Location"].startswith(reverse("payments:summary") + "?option=")
    day = timezone.localdate() + datetime.timedelta(days=1)
    while not canteen.class_3a.eats_on(day):
        day += datetime.timedelta(days=1)
    response = sara_client.post(
        reverse("canteen:absence", args=[enrolment.account_id]), {"day": day.isoformat()}
    )
    assert response.status_code == 302
    assert enrolment.absences.filter(day=day).exists()
    response = sara_client.post(
        reverse("canteen:absence", args=[enrolment.account_id]),
        {"day": (timezone.localdate() - datetime.timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 400 and "già passato" in text(response)


def test_an_outsider_sees_nothing_of_the_family(
    canteen, family, sara, school_office, bruno
) -> None:
    from .conftest import citizen_of, logged_in

    enrolment = accepted(sara, family.tommaso, canteen, school_office)
    outsider = logged_in(citizen_of(bruno.family.members.get(relationship="head")))
    assert outsider.get(reverse("canteen:account", args=[enrolment.account_id])).status_code == 404
    assert outsider.get(reverse("canteen:enrolment", args=[enrolment.pk])).status_code == 404


def test_the_statement_downloads(canteen, family, sara, sara_client, school_office) -> None:
    from sportello.canteen.credit import movement_correct
    from sportello.canteen.models import MovementKind

    enrolment = accepted(sara, family.tommaso, canteen, school_office)
    movement_correct(
        account=enrolment.account,
        operator=school_office,
        amount=500,
        kind=MovementKind.REFUND,
        note="Rimborso",
    )
    year = timezone.localdate().year
    response = sara_client.get(reverse("canteen:statement", args=[enrolment.account_id, year]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12.500,50", "12500.50"),
        ("12500,50", "12500.50"),
        ("12500.50", "12500.50"),
        ("12.500", "12500"),
        ("€ 8000", "8000"),
    ],
)
def test_amounts_as_people_type_them(typed, expected) -> None:
    from sportello.canteen.forms import amount_normalise

    assert amount_normalise(typed) == expected
