"""Paper forms: printable PDFs from the web form's fields; operators enter forms received at
the URP or the Protocol office, verified by a confirmation call or by their attestation."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from pypdf import PdfReader

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.alerts.models import Subscription, SubscriptionStatus, Suppression
from sportello.channels.models import Delivery
from sportello.core.models import AuditEvent
from tests.alerts.helpers import MOBILE, form


@pytest.fixture
def operator(town) -> Client:
    user = User.objects.create_user("pc", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.CIVIL_PROTECTION))
    client = Client()
    client.force_login(user)
    return client


def test_the_printable_form_has_the_web_form_fields(town) -> None:
    response = Client().get("/allerta/modulo-iscrizione.pdf")

    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    for label in ("Cellulare", "Indirizzo di casa con numero civico", "Sono una persona sorda"):
        assert label in text
    deregistration = Client().get("/allerta/modulo-cancellazione.pdf")
    assert "Cancellazione" in PdfReader(io.BytesIO(deregistration.content)).pages[0].extract_text()


def test_an_attested_paper_form_is_active_at_once(operator, town) -> None:
    page = operator.post(
        "/allerta/operatori/modulo-iscrizione/",
        form(town, protocol_number="2026/12345", verification="attestation"),
    ).content.decode()

    assert "attiva" in page
    subscription = Subscription.objects.get()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert (subscription.source, subscription.protocol_number) == ("paper", "2026/12345")
    assert AuditEvent.objects.filter(action="alert_subscription_entered").exists()


def test_a_paper_form_confirmed_by_pressing_1_in_the_call(
    operator, town, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        operator.post(
            "/allerta/operatori/modulo-iscrizione/",
            form(town, protocol_number="2026/1", verification="call"),
        )
    assert Subscription.objects.get().status == SubscriptionStatus.PENDING
    call = Delivery.objects.get(to=MOBILE, purpose="paper_confirmation")
    phone = Client()
    start = phone.post(f"/simulatore-telefono/chiamata/{call.pk}/", {"step": "start"})
    assert "Per confermare" in start.content.decode()

    phone.post(f"/simulatore-telefono/chiamata/{call.pk}/", {"step": "confirm", "digits": "1"})

    assert Subscription.objects.get().status == SubscriptionStatus.ACTIVE


def test_a_paper_deregistration_deletes_everything(operator, subscribed) -> None:
    page = operator.post(
        "/allerta/operatori/modulo-cancellazione/",
        {"number": "333 123 4567", "protocol_number": "2026/77"},
    ).content.decode()

    assert "Cancellazione eseguita" in page
    assert not Subscription.objects.exists() and Suppression.objects.count() == 1


def test_citizens_cannot_enter_paper_forms(town) -> None:
    citizen = Client()
    citizen.force_login(User.objects.create_user("persona-qualsiasi"))

    response = citizen.post("/allerta/operatori/modulo-iscrizione/", form(town))

    assert response.status_code == 403
    assert not Subscription.objects.exists()


def test_a_paper_form_without_email_is_entered(operator, town) -> None:
    page = operator.post(
        "/allerta/operatori/modulo-iscrizione/",
        form(town, email="", protocol_number="2026/9", verification="attestation"),
    ).content.decode()

    assert "attiva" in page
    assert Subscription.objects.get().email == ""


def pdf_text(response) -> str:
    return " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
    ).replace("\n", " ")


def test_the_deregistration_form_gives_the_right_keys_for_the_shared_line(town) -> None:
    text = pdf_text(Client().get("/allerta/modulo-cancellazione.pdf"))

    # Livorno's line also takes requests to subscribe (key 1 at its menu): deregistration is 2.
    assert "al menu premi 2 (cancellazione), poi premi 1 per confermare" in text


def test_the_alerts_page_links_both_paper_forms_and_names_the_request_line(town) -> None:
    page = Client().get("/allerta/").content.decode()

    assert 'href="/allerta/modulo-iscrizione.pdf"' in page
    assert 'href="/allerta/modulo-cancellazione.pdf"' in page
    assert "Oppure chiama il 0586 183 7596" in page
    assert "premi 2 per la cancellazione" in page
