"""The alert's hub page: «Invia ora», «Programma», «Approva» (four-eyes rule) and «Interrompi»
go through to the sending service, and its refusals come back as plain messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.alerts.models import Alert, AlertStatus, Subscription, SubscriptionStatus
from sportello.channels.base import DeliveryStatus
from sportello.channels.models import Delivery
from sportello.places.models import CivicNumber

pytest.importorskip("sportello.alerts.sending")

MOBILE = "+393405550001"


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def civil_protection(username: str) -> User:
    user = User.objects.create_user(username, first_name=username.title(), is_staff=True)
    user.groups.add(Group.objects.get(name=Role.CIVIL_PROTECTION))
    return user


@pytest.fixture
def operator(town) -> User:
    return civil_protection("paola")


@pytest.fixture
def colleague(town) -> User:
    return civil_protection("marco")


@pytest.fixture
def resident(town) -> Subscription:
    return Subscription.objects.create(
        status=SubscriptionStatus.ACTIVE,
        first_name="Anna",
        last_name="Neri",
        mobile=MOBILE,
        email="anna@example.it",
        civic_number=CivicNumber.objects.order_by("pk").first(),
        privacy_accepted_at=timezone.now(),
        verified_at=timezone.now(),
    )


@pytest.fixture
def alert(operator) -> Alert:
    return Alert.objects.create(
        event="Pioggia intensa",
        headline="Allerta meteo arancione",
        description="Piogge forti da stanotte.",
        instruction="Non scendere nei sottopassi.",
        voice_text="Allerta meteo arancione.",
        sms_text="Allerta arancione: non scendere nei sottopassi.",
        email_subject="Allerta meteo arancione",
        email_text="Piogge forti da stanotte.",
        area={"city": True},
        exercise=True,
        created_by=operator,
    )


def hub(alert: Alert) -> str:
    return f"/allerta/operatori/allerte/{alert.pk}/"


def test_send_now_starts_the_dispatch_and_opens_the_monitor(operator, alert, resident) -> None:
    response = login(operator).post(f"{hub(alert)}invio/", {"action": "send"})

    alert.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == f"/allerta/operatori/allerte/{alert.pk}/andamento/"
    assert alert.status == AlertStatus.SENDING and alert.sent_at is not None
    assert Delivery.objects.filter(dispatch=alert.dispatch, to=MOBILE).exists()
    page = login(operator).get(hub(alert)).content.decode()
    assert "Invia ora" not in page and "Confermo di voler interrompere" in page


def test_a_draft_without_area_is_not_sent_and_the_page_says_why(operator, alert) -> None:
    Alert.objects.filter(pk=alert.pk).update(area={})

    response = login(operator).post(f"{hub(alert)}invio/", {"action": "send"}, follow=True)

    alert.refresh_from_db()
    assert alert.status == AlertStatus.DRAFT
    assert "Indica prima l&#x27;area da avvisare." in response.content.decode()


def test_schedule_needs_a_future_time(operator, alert) -> None:
    client = login(operator)
    past = timezone.localtime() - timedelta(hours=1)

    response = client.post(
        f"{hub(alert)}invio/", {"action": "schedule", "at": past.strftime("%Y-%m-%dT%H:%M")}
    )
    alert.refresh_from_db()
    assert response.status_code == 400 and alert.status == AlertStatus.DRAFT
    assert "L&#x27;orario dell&#x27;invio è già passato" in response.content.decode()

    later = timezone.localtime() + timedelta(hours=3)
    response = client.post(
        f"{hub(alert)}invio/",
        {"action": "schedule", "at": later.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.SCHEDULED
    assert alert.scheduled_for == later.replace(second=0, microsecond=0)
    assert "Allerta programmata: partirà il" in response.content.decode()


def test_four_eyes_a_second_operator_approves(
    settings, operator, colleague, alert, resident
) -> None:
    settings.SPORTELLO_ALERT_FOUR_EYES = True
    author = login(operator)

    page = author.get(hub(alert)).content.decode()
    assert "Regola dei quattro occhi" in page
    response = author.post(f"{hub(alert)}invio/", {"action": "send"}, follow=True)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.AWAITING_APPROVAL
    assert not Delivery.objects.exists()
    page = response.content.decode()
    assert "aspetta l&#x27;approvazione" in page and ">Approva</button>" not in page

    # The author cannot approve their own alert, even by posting the form.
    author.post(f"{hub(alert)}approvazione/", follow=True)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.AWAITING_APPROVAL

    second = login(colleague)
    assert ">Approva</button>" in second.get(hub(alert)).content.decode()
    response = second.post(f"{hub(alert)}approvazione/")
    alert.refresh_from_db()
    assert response["Location"].endswith("/andamento/")
    assert alert.status == AlertStatus.SENDING and alert.approved_by == colleague
    assert Delivery.objects.filter(dispatch=alert.dispatch, to=MOBILE).exists()


def test_stop_needs_the_confirmation_box_then_cancels_what_has_not_left(
    operator, alert, resident
) -> None:
    client = login(operator)
    client.post(f"{hub(alert)}invio/", {"action": "send"})
    alert.refresh_from_db()
    waiting = Delivery.objects.filter(dispatch=alert.dispatch, status=DeliveryStatus.QUEUED)
    assert waiting.exists()  # the workers have not run: nothing has left yet

    response = client.post(f"{hub(alert)}interruzione/", {})
    alert.refresh_from_db()
    assert response.status_code == 400 and alert.status == AlertStatus.SENDING
    assert "spunta «Confermo di voler interrompere»" in response.content.decode()

    response = client.post(f"{hub(alert)}interruzione/", {"confirm": "on"}, follow=True)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.STOPPED and alert.stopped_by == operator
    assert not waiting.exists()
    page = response.content.decode()
    assert "Invio interrotto:" in page and "Interrotta il" in page
    assert "ESERCITAZIONE" in page


def test_stopping_an_alert_that_is_not_sending_says_so(operator, alert) -> None:
    response = login(operator).post(f"{hub(alert)}interruzione/", {"confirm": "on"}, follow=True)

    alert.refresh_from_db()
    assert alert.status == AlertStatus.DRAFT
    assert "non c&#x27;è niente da interrompere" in response.content.decode()


def test_an_update_starts_from_the_sent_alert_and_its_cap_says_so(
    operator, alert, resident, django_capture_on_commit_callbacks
) -> None:
    from lxml import etree

    from sportello.alerts.cap.build import alert_cap_xml
    from sportello.alerts.cap.validation import cap_validate

    client = login(operator)
    assert client.post(f"/allerta/operatori/allerte/{alert.pk}/aggiornamento/").status_code == 302
    assert Alert.objects.count() == 1  # a draft cannot be updated: it is simply edited
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/allerta/operatori/allerte/{alert.pk}/invio/")

    response = client.post(f"/allerta/operatori/allerte/{alert.pk}/aggiornamento/")

    update = Alert.objects.exclude(pk=alert.pk).get()
    assert response["Location"] == f"/allerta/operatori/allerte/{update.pk}/modifica/"
    assert update.status == AlertStatus.DRAFT and update.supersedes_id == alert.pk
    assert (update.headline, update.area) == (alert.headline, alert.area)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/allerta/operatori/allerte/{update.pk}/invio/")
    update.refresh_from_db()
    xml = alert_cap_xml(update)
    assert cap_validate(xml) == []
    ns = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
    root = etree.fromstring(xml)
    assert root.findtext("cap:msgType", namespaces=ns) == "Update"
    assert str(alert.identifier) in root.findtext("cap:references", namespaces=ns)
