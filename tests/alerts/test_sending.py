"""Sending an alert: who gets what on which channel, exercise marking, voice retries and the SMS
fallback, stopping, the four-eyes rule, and recovery after a worker died mid-batch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from sportello.accounts.models import User
from sportello.alerts.models import (
    Alert,
    AlertKind,
    AlertStatus,
    Contact,
    Subscription,
    SubscriptionStatus,
    Suppression,
)
from sportello.alerts.recipients import recipients_count
from sportello.alerts.sending import alert_approve, alert_stop, alert_submit
from sportello.channels.base import ChannelError, DeliveryStatus, Medium, ProviderResult
from sportello.channels.dispatch import dispatch_progress, dispatch_watchdog
from sportello.channels.models import Delivery, Dispatch, SimulatorHandoff
from sportello.channels.services import delivery_status_update
from sportello.core.exceptions import ApplicationError
from sportello.places.models import CivicNumber

ANNA_MOBILE, ANNA_LANDLINE = "+393401111111", "+390551111111"
BRUNO_MOBILE = "+393402222222"  # deaf, SMS instead of calls granted
CARLA_MOBILE = "+393403333333"  # self-registered, never verified
DIRECTORY_LANDLINE, DIRECTORY_MOBILE = "+390552222222", "+393404444444"


def _subscription(civic: CivicNumber, mobile: str, **fields) -> Subscription:
    values = {
        "status": SubscriptionStatus.ACTIVE,
        "first_name": "Test",
        "last_name": mobile[-4:],
        "mobile": mobile,
        "email": f"{mobile[-4:]}@example.it",
        "civic_number": civic,
        "privacy_accepted_at": timezone.now(),
        "verified_at": timezone.now(),
    }
    values.update(fields)
    return Subscription.objects.create(**values)


@pytest.fixture
def people(town) -> dict:
    civic = CivicNumber.objects.order_by("pk")
    return {
        "anna": _subscription(civic[0], ANNA_MOBILE, landline=ANNA_LANDLINE, language="en"),
        "bruno": _subscription(
            civic[1], BRUNO_MOBILE, deaf=True, sms_instead_of_voice=True, email=""
        ),
        "carla": _subscription(civic[2], CARLA_MOBILE, status=SubscriptionStatus.PENDING),
        "landline": Contact.objects.create(
            name="Rossi", number=DIRECTORY_LANDLINE, address_text="x", civic_number=civic[3]
        ),
        "mobile": Contact.objects.create(
            name="Verdi", number=DIRECTORY_MOBILE, address_text="y", civic_number=civic[4]
        ),
        # Also subscribed: the number must be called once, not twice.
        "twin": Contact.objects.create(
            name="Anna", number=ANNA_MOBILE, address_text="z", civic_number=civic[0]
        ),
    }


@pytest.fixture
def operator(town) -> User:
    return User.objects.create_user("pc1", is_staff=True)


def _alert(operator: User, **fields) -> Alert:
    values = {
        "event": "Pioggia intensa",
        "headline": "Allerta meteo arancione",
        "description": "Piogge forti fino a domani sera.",
        "instruction": "Non scendere nei sottopassi.",
        "voice_text": "Allerta arancione per pioggia.",
        "voice_text_en": "Orange alert for rain.",
        "sms_text": "Allerta arancione: non scendere nei sottopassi.",
        "sms_text_en": "Orange alert: keep out of underpasses.",
        "email_subject": "Allerta meteo arancione",
        "email_text": "Piogge forti fino a domani sera.",
        "area": {"city": True},
        "created_by": operator,
    }
    values.update(fields)
    return Alert.objects.create(**values)


def _sent(alert: Alert, operator: User, capture) -> Alert:
    with capture(execute=True):
        alert_submit(alert=alert, by=operator)
    alert.refresh_from_db()
    return alert


def _to(medium: str, alert: Alert) -> list[str]:
    return sorted(
        Delivery.objects.filter(dispatch=alert.dispatch, medium=medium).values_list("to", flat=True)
    )


def test_each_person_gets_each_channel_once_and_the_unverified_nothing(
    people, operator, django_capture_on_commit_callbacks
) -> None:
    alert = _sent(_alert(operator), operator, django_capture_on_commit_callbacks)

    assert alert.status == AlertStatus.SENDING
    assert _to(Medium.VOICE, alert) == sorted(
        [ANNA_MOBILE, ANNA_LANDLINE, DIRECTORY_LANDLINE, DIRECTORY_MOBILE]
    )
    assert _to(Medium.SMS, alert) == sorted([ANNA_MOBILE, BRUNO_MOBILE, DIRECTORY_MOBILE])
    assert _to(Medium.EMAIL, alert) == ["1111@example.it"]
    assert not Delivery.objects.filter(to=CARLA_MOBILE, dispatch=alert.dispatch).exists()
    # Handed over to the simulator: messages delivered, calls ringing, each exactly once.
    statuses = dict(
        Delivery.objects.filter(dispatch=alert.dispatch).values_list("to", "status").distinct()
    )
    assert statuses[BRUNO_MOBILE] == DeliveryStatus.DELIVERED
    assert statuses[ANNA_LANDLINE] == DeliveryStatus.RINGING
    simulated = Delivery.objects.filter(dispatch=alert.dispatch).exclude(medium=Medium.EMAIL)
    assert SimulatorHandoff.objects.count() == simulated.count()


def test_the_preview_counts_what_is_then_sent(people, operator) -> None:
    counts = recipients_count(alert=_alert(operator))

    assert counts == {"people": 5, "voice": 4, "sms": 3, "fax": 0, "email": 1}


def test_english_speakers_get_the_english_text_and_an_exercise_says_so(
    people, operator, django_capture_on_commit_callbacks
) -> None:
    alert = _sent(_alert(operator, exercise=True), operator, django_capture_on_commit_callbacks)

    client = Client()
    page = client.get(f"/simulatore-telefono/?numero={ANNA_MOBILE}").content.decode()
    assert "EXERCISE - Orange alert: keep out of underpasses." in page
    bruno = Client().get(f"/simulatore-telefono/?numero={BRUNO_MOBILE}").content.decode()
    assert "ESERCITAZIONE - Allerta arancione: non scendere nei sottopassi." in bruno
    call = Delivery.objects.get(dispatch=alert.dispatch, medium=Medium.VOICE, to=ANNA_LANDLINE)
    spoken = client.post(f"/simulatore-telefono/chiamata/{call.pk}/", {"step": "start"})
    assert "EXERCISE" in spoken.content.decode()
    assert "Orange alert for rain." in spoken.content.decode()


def test_pressing_1_confirms_and_voicemail_is_not_counted_as_heard(
    people, operator, django_capture_on_commit_callbacks
) -> None:
    alert = _sent(
        _alert(operator, confirm_requested=True), operator, django_capture_on_commit_callbacks
    )
    client = Client()
    heard = Delivery.objects.get(dispatch=alert.dispatch, medium=Medium.VOICE, to=ANNA_MOBILE)
    machine = Delivery.objects.get(dispatch=alert.dispatch, medium=Medium.VOICE, to=ANNA_LANDLINE)

    page = client.post(f"/simulatore-telefono/chiamata/{heard.pk}/", {"step": "start"})
    assert "premi 1" in page.content.decode().lower() or "press 1" in page.content.decode().lower()
    client.post(f"/simulatore-telefono/chiamata/{heard.pk}/", {"step": "confirm", "digits": "1"})
    client.post(
        f"/simulatore-telefono/chiamata/{machine.pk}/", {"step": "start", "answered_by": "machine"}
    )

    heard.refresh_from_db()
    machine.refresh_from_db()
    assert heard.status == DeliveryStatus.CONFIRMED
    assert machine.status == DeliveryStatus.VOICEMAIL
    media = dispatch_progress(alert.dispatch)["media"][Medium.VOICE]
    assert media["confirmed"] == 1 and media["voicemail"] == 1


def test_unanswered_calls_are_retried_then_mobiles_get_the_sms(
    people, operator, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SPORTELLO_VOICE_ATTEMPTS = 2
    alert = _sent(_alert(operator, use_sms=False), operator, django_capture_on_commit_callbacks)
    first = Delivery.objects.get(dispatch=alert.dispatch, medium=Medium.VOICE, to=ANNA_MOBILE)

    with django_capture_on_commit_callbacks(execute=True):
        delivery_status_update(delivery=first, status=DeliveryStatus.NO_ANSWER)
    second = Delivery.objects.get(dispatch=alert.dispatch, to=ANNA_MOBILE, attempt=2)
    assert second.status == DeliveryStatus.QUEUED  # waits the retry interval
    assert second.not_before > timezone.now() + timedelta(minutes=4)
    assert not Delivery.objects.filter(dispatch=alert.dispatch, to=ANNA_MOBILE, medium="sms")

    Delivery.objects.filter(pk=second.pk).update(not_before=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_watchdog_now(alert)
        second.refresh_from_db()
        assert second.status == DeliveryStatus.RINGING
        delivery_status_update(delivery=second, status=DeliveryStatus.BUSY)

    sms = Delivery.objects.get(dispatch=alert.dispatch, to=ANNA_MOBILE, medium=Medium.SMS)
    assert sms.status == DeliveryStatus.DELIVERED
    assert sms.content["text"] == "Orange alert: keep out of underpasses."
    assert Delivery.objects.filter(dispatch=alert.dispatch, to=ANNA_MOBILE).count() == 3
    # A landline has no SMS: after its last attempt nothing more is sent.
    landline = Delivery.objects.get(dispatch=alert.dispatch, to=ANNA_LANDLINE)
    with django_capture_on_commit_callbacks(execute=True):
        delivery_status_update(delivery=landline, status=DeliveryStatus.BUSY)
    retry = Delivery.objects.get(dispatch=alert.dispatch, to=ANNA_LANDLINE, attempt=2)
    with django_capture_on_commit_callbacks(execute=True):
        delivery_status_update(delivery=retry, status=DeliveryStatus.NO_ANSWER)
    assert not Delivery.objects.filter(dispatch=alert.dispatch, to=ANNA_LANDLINE, medium="sms")


def dispatch_watchdog_now(alert: Alert) -> None:
    """Run the dispatch for what may go now, as the workers restarted by the watchdog would."""
    from sportello.channels.dispatch import dispatch_work

    for medium in Medium.values:
        dispatch_work(dispatch_id=alert.dispatch_id, medium=medium)


def test_stopping_cancels_what_was_not_handed_over(
    people, operator, django_capture_on_commit_callbacks
) -> None:
    alert = _alert(operator)
    with django_capture_on_commit_callbacks(execute=False):  # the workers never start
        alert_submit(alert=alert, by=operator)

    canceled = alert_stop(alert=alert, by=operator)

    alert.refresh_from_db()
    assert alert.status == AlertStatus.STOPPED
    rows = Delivery.objects.filter(dispatch=alert.dispatch)
    assert canceled == rows.count() == rows.filter(status=DeliveryStatus.CANCELED).count()
    assert not SimulatorHandoff.objects.exists()
    with pytest.raises(ApplicationError):
        alert_stop(alert=alert, by=operator)


def test_four_eyes_needs_another_operator(
    people, operator, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SPORTELLO_ALERT_FOUR_EYES = True
    alert = _alert(operator)
    alert_submit(alert=alert, by=operator)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.AWAITING_APPROVAL
    assert not Delivery.objects.filter(purpose="alert").exists()

    with pytest.raises(ApplicationError, match="altro operatore"):
        alert_approve(alert=alert, by=operator)
    with django_capture_on_commit_callbacks(execute=True):
        alert_approve(alert=alert, by=User.objects.create_user("pc2"))

    alert.refresh_from_db()
    assert alert.status == AlertStatus.SENDING
    assert Delivery.objects.filter(dispatch=alert.dispatch).exists()


def test_an_alert_without_area_or_text_is_refused(people, operator) -> None:
    with pytest.raises(ApplicationError, match="area"):
        alert_submit(alert=_alert(operator, area={}), by=operator)
    with pytest.raises(ApplicationError, match="SMS"):
        alert_submit(alert=_alert(operator, sms_text=""), by=operator)
    assert not Dispatch.objects.exists()


def test_a_scheduled_alert_goes_at_its_time(
    people, operator, django_capture_on_commit_callbacks
) -> None:
    from sportello.alerts.sending import alerts_due_send

    alert = _alert(operator)
    alert_submit(alert=alert, by=operator, at=timezone.now() + timedelta(hours=1))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.SCHEDULED
    assert alerts_due_send() == 0

    Alert.objects.filter(pk=alert.pk).update(scheduled_for=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert alerts_due_send() == 1
    assert Delivery.objects.filter(purpose="alert", status=DeliveryStatus.DELIVERED).exists()


def test_a_crashed_worker_is_reconciled_not_resent(
    people, operator, settings, django_capture_on_commit_callbacks
) -> None:
    """Rows a dead worker left "sending": the one the provider received is recorded from the
    provider, the one it never received goes out once; nobody gets two."""
    alert = _alert(operator, use_voice=False, use_email=False)
    with django_capture_on_commit_callbacks(execute=False):
        alert_submit(alert=alert, by=operator)
    alert.refresh_from_db()
    rows = list(Delivery.objects.filter(dispatch=alert.dispatch).order_by("pk"))
    handed, lost = rows[0], rows[1]
    long_ago = timezone.now() - timedelta(minutes=10)
    # A worker run that held no lock any more (PostgreSQL) and whose lease ran out (SQLite), dead
    # while its batch was with the simulator.
    Delivery.objects.filter(pk__in=[handed.pk, lost.pk]).update(
        status=DeliveryStatus.SENDING, claimed_at=long_ago, claimed_by=12345, in_flight=True
    )
    SimulatorHandoff.objects.create(delivery_id=handed.pk, medium=handed.medium)

    with django_capture_on_commit_callbacks(execute=True):
        figures = dispatch_watchdog()
    assert figures["reconciled"] == 1 and figures["requeued"] == 1
    dispatch_watchdog_now(alert)

    for row in rows:
        row.refresh_from_db()
        assert row.status == DeliveryStatus.DELIVERED
        assert SimulatorHandoff.objects.filter(delivery_id=row.pk).count() == 1


class DownProvider:
    name = "down"

    def send(self, delivery):
        raise ChannelError("Connessione rifiutata dal gestore SMS")


class WrongNumberProvider:
    name = "picky"

    def send(self, delivery):
        if delivery.to == BRUNO_MOBILE:
            raise ChannelError("Numero inesistente", permanent=True)
        return ProviderResult(provider_id=f"P{delivery.pk}")


def test_a_provider_down_is_reported_while_the_other_channels_go_on(
    people, operator, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SPORTELLO_CHANNELS = {
        **settings.SPORTELLO_CHANNELS,
        "sms": "tests.alerts.test_sending.DownProvider",
        "email": "sportello.channels.providers.simulator.Simulator",
    }
    alert = _sent(_alert(operator, use_voice=False), operator, django_capture_on_commit_callbacks)

    progress = dispatch_progress(alert.dispatch)
    assert "rifiutata" in progress["problems"][Medium.SMS]
    assert progress["media"][Medium.SMS]["queued"] == 3  # waiting to be retried, not lost
    assert progress["media"][Medium.EMAIL]["delivered"] == 1
    assert progress["problems"][Medium.EMAIL] is None


def test_a_permanent_error_fails_only_that_message_with_its_reason(
    people, operator, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SPORTELLO_CHANNELS = {
        **settings.SPORTELLO_CHANNELS,
        "sms": "tests.alerts.test_sending.WrongNumberProvider",
    }
    alert = _sent(_alert(operator, use_voice=False), operator, django_capture_on_commit_callbacks)

    bruno = Delivery.objects.get(dispatch=alert.dispatch, to=BRUNO_MOBILE)
    assert bruno.status == DeliveryStatus.FAILED and bruno.reason == "Numero inesistente"
    others = Delivery.objects.filter(dispatch=alert.dispatch, medium="sms").exclude(pk=bruno.pk)
    assert {row.status for row in others} == {DeliveryStatus.SENT}


def test_reconfirmation_keeps_with_1_and_removes_with_2(
    people, operator, django_capture_on_commit_callbacks
) -> None:
    alert = _sent(
        _alert(operator, kind=AlertKind.RECONFIRM), operator, django_capture_on_commit_callbacks
    )
    calls = Delivery.objects.filter(dispatch=alert.dispatch)
    assert sorted(calls.values_list("to", flat=True)) == sorted(
        [ANNA_MOBILE, DIRECTORY_LANDLINE, DIRECTORY_MOBILE]
    )  # directory contacts only
    client = Client()
    keep = calls.get(to=DIRECTORY_LANDLINE)
    drop = calls.get(to=DIRECTORY_MOBILE)
    question = client.post(f"/simulatore-telefono/chiamata/{keep.pk}/", {"step": "start"})
    assert "premi 2" in question.content.decode()
    client.post(f"/simulatore-telefono/chiamata/{keep.pk}/", {"step": "answer", "digits": "1"})
    client.post(f"/simulatore-telefono/chiamata/{drop.pk}/", {"step": "start"})
    page = client.post(
        f"/simulatore-telefono/chiamata/{drop.pk}/", {"step": "answer", "digits": "2"}
    )

    assert "non riceverai più" in page.content.decode()
    assert Contact.objects.get(number=DIRECTORY_LANDLINE).confirmed_at is not None
    assert not Contact.objects.filter(number=DIRECTORY_MOBILE).exists()
    assert Suppression.objects.count() == 1
    keep.refresh_from_db()
    assert keep.status == DeliveryStatus.CONFIRMED


def test_a_second_campaign_calls_only_those_not_reached_by_the_first(
    people, operator, django_capture_on_commit_callbacks
) -> None:
    first = _sent(
        _alert(operator, kind=AlertKind.RECONFIRM), operator, django_capture_on_commit_callbacks
    )
    answered = Delivery.objects.get(dispatch=first.dispatch, to=DIRECTORY_LANDLINE)
    url = f"/simulatore-telefono/chiamata/{answered.pk}/"
    Client().post(url, {"step": "answer", "digits": "1"})

    second = _sent(
        _alert(operator, kind=AlertKind.RECONFIRM), operator, django_capture_on_commit_callbacks
    )

    assert sorted(_to(Medium.VOICE, second)) == sorted([ANNA_MOBILE, DIRECTORY_MOBILE])


def test_a_drill_campaign_says_so_and_removes_nobody(
    people, operator, django_capture_on_commit_callbacks
) -> None:
    alert = _sent(
        _alert(operator, kind=AlertKind.RECONFIRM, exercise=True),
        operator,
        django_capture_on_commit_callbacks,
    )
    call = Delivery.objects.get(dispatch=alert.dispatch, to=DIRECTORY_MOBILE)
    client = Client()

    question = client.post(f"/simulatore-telefono/chiamata/{call.pk}/", {"step": "start"})
    answer = client.post(
        f"/simulatore-telefono/chiamata/{call.pk}/", {"step": "answer", "digits": "2"}
    )

    from html import unescape

    asked, told = unescape(question.content.decode()), unescape(answer.content.decode())
    assert "ESERCITAZIONE" in asked and "ESERCITAZIONE" in told
    # What 2 does is said before it is pressed, and it is what happens.
    assert "premendo 2 il numero non viene tolto ora" in asked
    assert "resta nell'elenco" in told
    contact = Contact.objects.get(number=DIRECTORY_MOBILE)
    assert contact.removal_requested_at is not None
    assert not Suppression.objects.exists()
    assert Delivery.objects.filter(pk=call.pk).exists()
    alert.refresh_from_db()
    assert alert.removal_requests == 1


def test_the_campaign_report_counts_who_pressed_2(
    people, operator, django_capture_on_commit_callbacks
) -> None:
    from sportello.alerts.reports.monitor import alert_progress, monitor_figures

    alert = _sent(
        _alert(operator, kind=AlertKind.RECONFIRM), operator, django_capture_on_commit_callbacks
    )
    drop = Delivery.objects.get(dispatch=alert.dispatch, to=DIRECTORY_MOBILE)
    Client().post(f"/simulatore-telefono/chiamata/{drop.pk}/", {"step": "answer", "digits": "2"})
    alert.refresh_from_db()

    figures = monitor_figures(alert=alert, progress=alert_progress(alert=alert))
    from django.contrib.auth.models import Group

    from sportello.accounts.roles import Role

    operator.groups.add(Group.objects.get(name=Role.CIVIL_PROTECTION))
    client = Client()
    client.force_login(operator)
    page = client.get(f"/allerta/operatori/allerte/{alert.pk}/andamento/").content.decode()

    assert not Contact.objects.filter(number=DIRECTORY_MOBILE).exists()  # really removed
    assert figures["removal_requests"] == 1
    assert "Hanno chiesto di non ricevere più avvisi (tasto 2)" in page
