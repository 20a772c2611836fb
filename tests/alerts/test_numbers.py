"""Only ordinary lines are ever called, texted or faxed: premium-rate, shared-cost and other
special numbers are refused wherever a number comes in (web form, API, paper entry, directory
import) and by the providers; letters in a number are refused, not turned into digits."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.alerts.directory import directory_import
from sportello.alerts.models import Contact, Subscription
from sportello.channels.base import DeliveryStatus, Medium
from sportello.channels.models import Delivery
from sportello.channels.services import delivery_create
from tests.alerts.helpers import form
from tests.channels.smtp_peer import SmtpPeer, free_port

PAID = ["899 123456", "892 424", "166 123456", "178 1234567", "199 123456", "848 123456"]
PAID_MESSAGE = "a pagamento o a costo condiviso"


@pytest.mark.parametrize("fax", PAID)
def test_the_web_form_refuses_a_premium_fax_number(town, fax) -> None:
    page = Client().post("/allerta/iscrizione/", form(town, deaf="on", fax=fax)).content.decode()

    assert PAID_MESSAGE in page
    assert not Subscription.objects.exists() and not Delivery.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("mobile", "333 ABC 4567"), ("fax", "0586 8A0000")])
def test_letters_in_a_number_are_refused_not_converted(town, field, value) -> None:
    page = Client().post("/allerta/iscrizione/", form(town, **{field: value})).content.decode()

    assert "solo con cifre, senza lettere" in page
    assert not Subscription.objects.exists() and not Delivery.objects.exists()


def test_the_api_refuses_a_premium_landline(town) -> None:
    data = {
        "first_name": "Maria",
        "last_name": "Bianchi",
        "mobile": "333 123 4567",
        "email": "maria@example.it",
        "address": f"{town.street.name} {town.number}",
        "landline": "899 123456",
        "privacy": True,
    }
    answer = Client().post("/api/v1/allerta/iscrizioni/nuova/", data, "application/json")

    assert answer.status_code == 400
    assert PAID_MESSAGE in answer.json()["landline"][0]["message"]
    assert not Subscription.objects.exists()


def test_the_paper_entry_refuses_a_premium_fax(town) -> None:
    user = User.objects.create_user("pc", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.CIVIL_PROTECTION))
    operator = Client()
    operator.force_login(user)

    page = operator.post(
        "/allerta/operatori/modulo-iscrizione/",
        form(
            town,
            deaf="on",
            fax="166 123456",
            protocol_number="2026/1",
            verification="attestation",
        ),
    ).content.decode()

    assert PAID_MESSAGE in page
    assert not Subscription.objects.exists()


def test_the_directory_import_rejects_premium_and_lettered_numbers(town) -> None:
    address = f"{town.street.name} {town.number}"
    rows = [
        "nome;indirizzo;numero",
        f"Rossi Mario;{address};0586 123456",
        f"Servizio Oroscopo;{address};899 123456",
        f"Numero Unico;{address};840 000000",
        f"Lettere;{address};0586 ABC123",
    ]

    report = directory_import(file=io.BytesIO("\n".join(rows).encode()))

    assert report.created == 1
    assert [row.line for row in report.rejected] == [3, 4, 5]
    assert PAID_MESSAGE in report.rejected[0].reason
    assert list(Contact.objects.values_list("number", flat=True)) == ["+390586123456"]


def test_a_premium_fax_already_on_file_is_not_sent_to_the_gateway(
    db, settings, django_capture_on_commit_callbacks
) -> None:
    peer = SmtpPeer(port=free_port())
    settings.SPORTELLO_CHANNELS = {"fax": "sportello.channels.providers.fax_email.EmailToFax"}
    settings.SPORTELLO_FAX_EMAIL = {
        "smtp_url": peer.url,
        "sender": "fax@comune.example.it",
        "domain": "fax.provider.example.it",
    }
    peer.start()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            delivery = delivery_create(
                medium=Medium.FAX,
                to="+39899123456",
                sender="+390586000111",
                purpose="alert",
                payload={"document": "fax/none.pdf", "subject": "Allerta"},
            )
        delivery.refresh_from_db()
    finally:
        peer.stop()

    assert delivery.status == DeliveryStatus.FAILED
    assert peer.messages == []
