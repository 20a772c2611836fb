"""A subscriber views, changes or deletes their data after a new verification call; operators
grant SMS instead of calls to deaf subscribers, who are told by e-mail."""

from __future__ import annotations

import re

from django.contrib.auth.models import Group
from django.test import Client

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.alerts.models import Subscription
from sportello.channels.models import Delivery
from tests.alerts.helpers import MOBILE, answer_call, form, spoken_code


def _verified_manager(client: Client, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/allerta/gestisci/", {"mobile": "333 123 4567"})
    assert response["Location"] == "/allerta/gestisci/verifica/"
    call = Delivery.objects.filter(to=MOBILE, purpose="verification").latest("pk")
    code = spoken_code(answer_call(client, call))
    response = client.post("/allerta/gestisci/verifica/", {"code": code})
    assert response["Location"] == "/allerta/gestisci/dati/"


def test_change_the_address_and_e_mail_after_a_call(
    subscribed, town, django_capture_on_commit_callbacks
) -> None:
    client = Client()
    _verified_manager(client, django_capture_on_commit_callbacks)
    other = type(town).objects.exclude(pk=town.pk).select_related("street").first()

    page = client.post(
        "/allerta/gestisci/dati/",
        {
            "email": "nuova@example.it",
            "address": f"{other.street.name} {other.number}",
            "language": "en",
        },
    ).content.decode()

    assert "Dati aggiornati" in page
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.civic_number, subscription.language) == (
        "nuova@example.it",
        other,
        "en",
    )


def test_delete_on_the_web_after_a_call(subscribed, django_capture_on_commit_callbacks) -> None:
    client = Client()
    _verified_manager(client, django_capture_on_commit_callbacks)

    page = client.post("/allerta/gestisci/dati/", {"delete": "1"}).content.decode()

    assert "Iscrizione cancellata" in page
    assert not Subscription.objects.exists()


def test_an_unsubscribed_number_is_not_called_and_nobody_learns_it(town) -> None:
    client = Client()
    response = client.post("/allerta/gestisci/", {"mobile": "333 000 1111"}, follow=True)

    assert "Se il +39 333 000 1111 è iscritto" in response.content.decode().replace("&#x27;", "'")
    assert not Delivery.objects.exists()
    assert client.get("/allerta/gestisci/dati/")["Location"] == "/allerta/gestisci/"


def test_the_data_page_needs_the_call(subscribed) -> None:
    assert Client().get("/allerta/gestisci/dati/")["Location"] == "/allerta/gestisci/"


def test_operator_grants_sms_and_the_subscriber_is_told_by_e_mail(
    town, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/allerta/iscrizione/",
            form(town, deaf="on", sms_instead_of_voice_requested="on", fax="0586 123456"),
        )
    sms = Delivery.objects.get(to=MOBILE)  # the code comes by SMS, as asked
    code = re.search(r"codice di verifica è (\d{6})", sms.payload["text"]).group(1)
    client.post("/allerta/iscrizione/verifica/", {"code": code})
    subscription = Subscription.objects.get()
    assert subscription.deaf and subscription.sms_instead_of_voice_requested
    assert subscription.fax == "+390586123456"
    operator = User.objects.create_user("pc", is_staff=True)
    operator.groups.add(Group.objects.get(name=Role.CIVIL_PROTECTION))
    staff = Client()
    staff.force_login(operator)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            "/backoffice/alerts/subscription/",
            {"action": "grant_sms", "_selected_action": [subscription.pk]},
        )

    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.sms_instead_of_voice and not subscription.sms_instead_of_voice_requested
    [message] = mailoutbox
    assert message.to == ["maria@example.it"] and "accolta" in message.body


def test_sms_instead_of_calls_is_for_deaf_subscribers(town) -> None:
    page = (
        Client()
        .post("/allerta/iscrizione/", form(town, sms_instead_of_voice_requested="on"))
        .content.decode()
    )

    assert "persone sorde" in page
    assert not Subscription.objects.exists()
