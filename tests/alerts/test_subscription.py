"""Subscribing to the alerts on the web: the verification call reads a code, the code completes
the subscription; limits, wrong numbers and addresses; deregistration by calling the line."""

from __future__ import annotations

import pytest
from django.test import Client

from sportello.alerts.models import Subscription, SubscriptionStatus, Suppression, VerificationCode
from sportello.channels.base import DeliveryStatus
from sportello.channels.models import Delivery
from sportello.core.models import AuditEvent
from tests.alerts.helpers import MOBILE, answer_call, form, spoken_code


def test_the_verification_call_reads_the_code_and_the_code_completes_it(
    town, django_capture_on_commit_callbacks
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/allerta/iscrizione/", form(town))

    verify_page = client.get("/allerta/iscrizione/verifica/").content.decode()
    assert "+39 333 123 4567" in verify_page
    call = Delivery.objects.get(to=MOBILE, purpose="verification")
    assert call.status == DeliveryStatus.RINGING
    assert call.sender == "+390586820000" or call.sender  # the alert caller ID
    page = answer_call(client, call)
    code = spoken_code(page)
    assert page.count(", ".join(code)) == 2  # read twice, digit by digit
    # The code is stored only as a hash.
    verification = VerificationCode.objects.get()
    assert code not in verification.code_hash and code not in str(call.payload)

    done = client.post("/allerta/iscrizione/verifica/", {"code": code}, follow=True)

    assert "Iscrizione completata" in done.content.decode()
    subscription = Subscription.objects.get()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.civic_number == town
    assert subscription.mobile == MOBILE
    # Confirmed on two channels: the page, and an e-mail.
    [confirmation] = Delivery.objects.filter(purpose="subscription_done")
    assert (confirmation.medium, confirmation.to) == ("email", "maria@example.it")
    assert "iscrizione è attiva" in confirmation.payload["subject"]
    assert "/allerta/gestisci/" in confirmation.payload["text"]


def test_a_wrong_code_is_refused_and_after_five_a_new_call_is_needed(
    town, django_capture_on_commit_callbacks
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/allerta/iscrizione/", form(town))
    for left in (4, 3, 2, 1):
        page = client.post("/allerta/iscrizione/verifica/", {"code": "000000"}).content.decode()
        assert f"Tentativi rimasti: {left}" in page
    client.post("/allerta/iscrizione/verifica/", {"code": "000000"})
    call = Delivery.objects.get(to=MOBILE)
    code = spoken_code(answer_call(client, call))

    page = client.post("/allerta/iscrizione/verifica/", {"code": code}).content.decode()

    assert "chiedi una nuova chiamata" in page
    assert Subscription.objects.get().status == SubscriptionStatus.PENDING


def test_the_code_is_never_read_to_an_answering_machine(
    town, django_capture_on_commit_callbacks
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/allerta/iscrizione/", form(town))
    call = Delivery.objects.get(to=MOBILE)

    page = answer_call(client, call, answered_by="machine")

    assert "Il tuo codice" not in page and "nuova chiamata" in page
    call.refresh_from_db()
    assert call.status == DeliveryStatus.VOICEMAIL


def test_calls_are_limited_per_number(town, django_capture_on_commit_callbacks) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/allerta/iscrizione/", form(town))
        client.post("/allerta/iscrizione/verifica/", {"call_again": "1"})
        client.post("/allerta/iscrizione/verifica/", {"call_again": "1"})
        page = client.post("/allerta/iscrizione/verifica/", {"call_again": "1"}).content.decode()

    assert "già chiamato questo numero 3 volte" in page
    assert Delivery.objects.filter(to=MOBILE).count() == 3


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mobile", "0586 820000", "non è un numero di cellulare"),
        ("mobile", "+44 7911 123456", "solo numeri italiani"),
        ("mobile", "12", "non sembra valido"),
        ("landline", "333 765 4321", "non è un numero fisso"),
        ("address", "Via Che Non Esiste 1", "Nessuna strada"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_stored(town, field, value, message) -> None:
    page = Client().post("/allerta/iscrizione/", form(town, **{field: value})).content.decode()

    assert message in page
    assert not Subscription.objects.exists()
    assert not Delivery.objects.exists()


def test_a_subscribed_number_is_answered_as_any_other_and_its_owner_is_called(
    subscribed, town, django_capture_on_commit_callbacks
) -> None:
    stranger = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = stranger.post("/allerta/iscrizione/", form(town))
    page = stranger.get("/allerta/iscrizione/verifica/").content.decode()

    assert response.status_code == 302 and response["Location"] == "/allerta/iscrizione/verifica/"
    assert "Ti stiamo chiamando al +39 333 123 4567" in page
    assert "già iscritto" not in page
    notice = Delivery.objects.filter(to=MOBILE).order_by("-pk").first()
    assert "già iscritto" in answer_call(Client(), notice)
    wrong = stranger.post("/allerta/iscrizione/verifica/", {"code": "123456"}).content.decode()
    assert "Tentativi rimasti: 4" in wrong
    assert Subscription.objects.count() == 1
    # Whoever wants to change their data finds the way on the form itself.
    assert "Gestisci la tua iscrizione" in Client().get("/allerta/iscrizione/").content.decode()


def test_deregistration_by_phone_deletes_everything_and_suppresses_the_number(
    subscribed, town
) -> None:
    client = Client()
    start = client.post(
        "/simulatore-telefono/chiama/",
        {"numero": "333 123 4567", "flow": "deregistration", "step": "start"},
    ).content.decode()
    assert "M. B." in start and "premi 1" in start
    assert town.street.full_name in start
    assert "Maria" not in start  # masked

    done = client.post(
        "/simulatore-telefono/chiama/",
        {"numero": "333 123 4567", "flow": "deregistration", "step": "confirm", "digits": "1"},
    ).content.decode()

    assert "tutti i tuoi dati sono stati cancellati" in done
    assert not Subscription.objects.exists()
    assert not Delivery.objects.filter(to=MOBILE).exists()
    assert not VerificationCode.objects.exists()
    assert Suppression.objects.count() == 1
    assert MOBILE not in Suppression.objects.get().number_hash
    event = AuditEvent.objects.get(action="alert_subscription_deleted")
    assert "Maria" not in str(event.detail) and MOBILE not in str(event.detail)


def test_deregistration_line_for_unknown_and_hidden_numbers(subscribed) -> None:
    client = Client()
    unknown = client.post(
        "/simulatore-telefono/chiama/",
        {"numero": "333 999 8888", "flow": "deregistration", "step": "start"},
    ).content.decode()
    hidden = client.post(
        "/simulatore-telefono/chiama/",
        {"numero": "333 123 4567", "hidden": "1", "flow": "deregistration", "step": "start"},
    ).content.decode()

    assert "Non troviamo iscrizioni" in unknown
    assert "Non vediamo il tuo numero" in hidden
    assert Subscription.objects.count() == 1


def test_a_number_the_street_lacks_offers_its_nearest_civic_numbers(town) -> None:
    client = Client()
    missing = 9000 + town.number
    page = client.post(
        "/allerta/iscrizione/", form(town, address=f"{town.street.name} {missing}")
    ).content.decode()

    assert "Scegli il tuo indirizzo tra questi" in page
    assert 'type="radio" name="civic_number_id"' in page
    chosen = client.post(
        "/allerta/iscrizione/",
        form(town, address=f"{town.street.name} {missing}", civic_number_id=str(town.pk)),
    )
    assert chosen.status_code == 302
    assert Subscription.objects.get().civic_number == town


@pytest.mark.redis
def test_the_code_waits_in_redis_as_in_production(
    town, settings, django_capture_on_commit_callbacks
) -> None:
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": "sportello-tests",
        }
    }
    caches["default"].clear()
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/allerta/iscrizione/", form(town))
    import redis

    server = redis.Redis(host="127.0.0.1", port=6379, db=15)
    assert server.keys("*verification-code*")  # really in Redis, shared by every machine
    code = spoken_code(answer_call(client, Delivery.objects.get(to=MOBILE)))

    client.post("/allerta/iscrizione/verifica/", {"code": code})

    assert Subscription.objects.get().status == SubscriptionStatus.ACTIVE
    assert (
        caches["default"].get(
            f"sportello:alerts:verification-code:{VerificationCode.objects.get().pk}"
        )
        is None
    )


def test_the_form_links_the_privacy_notice_of_the_alerts(town) -> None:
    form_page = Client().get("/allerta/iscrizione/").content.decode()
    notice = Client().get("/allerta/informativa/").content.decode()

    assert 'href="/allerta/informativa/"' in form_page
    assert "art. 13 GDPR" in notice and "consenso esplicito" in notice


def test_subscriptions_never_verified_are_purged_with_their_calls(
    town, settings, django_capture_on_commit_callbacks
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from sportello.alerts.tasks import alerts_pending_purge

    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/allerta/iscrizione/", form(town))
        Client().post(
            "/allerta/iscrizione/", form(town, mobile="333 765 4321", email="b@example.it")
        )
    old = Subscription.objects.get(mobile=MOBILE)
    Subscription.objects.filter(pk=old.pk).update(
        created_at=timezone.now()
        - timedelta(hours=settings.SPORTELLO_PENDING_SUBSCRIPTION_HOURS + 1)
    )

    purged = alerts_pending_purge()

    assert purged == 1
    assert list(Subscription.objects.values_list("mobile", flat=True)) == ["+393337654321"]
    assert not VerificationCode.objects.filter(number=MOBILE).exists()
    assert not Delivery.objects.filter(to=MOBILE).exists()


def test_a_misspelt_street_gets_the_nearest_names_and_their_civic_numbers(town) -> None:
    from sportello.places.models import Street

    street = Street.objects.get(pk=town.street_id)
    typo = street.name[:2] + street.name[3] + street.name[2] + street.name[4:]  # two swapped
    client = Client()

    page = client.post(
        "/allerta/iscrizione/", form(town, address=f"{street.street_type} {typo} {town.number}")
    ).content.decode()

    assert "Forse intendevi" in page and street.full_name in page
    assert 'type="radio" name="civic_number_id"' in page
    chosen = client.post(
        "/allerta/iscrizione/",
        form(town, address=f"{street.street_type} {typo} {town.number}", civic_number_id=town.pk),
    )
    assert chosen.status_code == 302
    assert Subscription.objects.get().civic_number == town


def test_via_grnade_is_via_grande(town) -> None:
    from sportello.places.models import Street
    from sportello.places.selectors import address_geocode, address_search

    assert Street.objects.filter(street_type="Via", name="Grande").exists()

    result = address_geocode(text="Via Grnade 10")

    assert "Forse intendevi: Via Grande" in result.reason
    assert [match.label for match in address_search(query="via grnade")][:1] == ["Via Grande"]


def test_a_deaf_person_who_asked_for_sms_gets_the_code_by_sms(
    town, django_capture_on_commit_callbacks
) -> None:
    import re as regex

    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/allerta/iscrizione/",
            form(town, deaf="on", sms_instead_of_voice_requested="on"),
        )
    page = client.get("/allerta/iscrizione/verifica/").content.decode()
    [sms] = Delivery.objects.filter(to=MOBILE, purpose="verification")
    simulator = Client().get("/simulatore-telefono/", {"numero": "333 123 4567"}).content.decode()

    assert sms.medium == "sms"
    assert "Ti abbiamo mandato un SMS al +39 333 123 4567" in page
    assert "ricevuto per SMS" in page
    code = regex.search(r"il tuo codice di verifica è (\d{6})", simulator).group(1)
    done = client.post("/allerta/iscrizione/verifica/", {"code": code})
    assert done["Location"] == "/allerta/iscrizione/completata/"
    assert Subscription.objects.get().status == SubscriptionStatus.ACTIVE
    sms.refresh_from_db()
    assert code not in str(sms.payload)  # not kept once used
