"""The 24-hour replay line: calling the alert caller ID (Livorno: 0586 1837510) plays back the
alerts sent in the last 24 hours, from the phone simulator and on Twilio alike; a subscriber hears
first, in their language, those that concern their address."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from twilio.request_validator import RequestValidator

from sportello.accounts.models import User
from sportello.alerts.models import Alert, AlertStatus, Subscription, SubscriptionStatus
from sportello.alerts.sending import alert_stop, alert_submit
from sportello.core.models import Helpline, Municipality
from sportello.places.areas.selection import area_civic_numbers
from sportello.places.areas.validation import area_clean
from sportello.places.models import CivicNumber

LINE = "0586 1837510"
LINE_E164 = "+3905861837510"
TOKEN = "auth-token-for-tests"
PUBLIC = "https://sportello.comune.example.it"
STRANGER = "0586 111222"  # not subscribed
ANNA = "+393401111111"  # subscribed, Italian
JOHN = "+393402222222"  # subscribed, English
HELPLINE_SPOKEN = "8, 0, 0, 1, 6, 8, 5, 9, 3"  # the demo's toll-free 800 168 593


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """Every process shares the list of alerts for a few seconds through the cache: each test
    starts from an empty one, as a new day would."""
    cache.clear()


@pytest.fixture
def operator(town) -> User:
    return User.objects.create_user("pc1", is_staff=True)


def sent_alert(operator: User, *, ago: timedelta, **fields) -> Alert:
    """An alert handed over to the channels `ago` before now."""
    values = {
        "event": "Pioggia intensa",
        "headline": "Allerta meteo arancione",
        "headline_en": "Orange weather alert",
        "description": "Piogge forti fino a domani sera.",
        "voice_text": "Allerta arancione per pioggia: non scendere nei sottopassi.",
        "voice_text_en": "Orange alert for rain: keep out of underpasses.",
        "sms_text": "Allerta arancione: non scendere nei sottopassi.",
        "email_text": "Piogge forti.",
        "area": {"city": True},
        "status": AlertStatus.SENT,
        "sent_at": timezone.now() - ago,
        "created_by": operator,
    }
    values.update(fields)
    return Alert.objects.create(**values)


def subscriber(civic: CivicNumber, mobile: str, **fields) -> Subscription:
    values = {
        "status": SubscriptionStatus.ACTIVE,
        "first_name": "Anna",
        "last_name": "Rossi",
        "mobile": mobile,
        "email": "anna@example.it",
        "civic_number": civic,
        "privacy_accepted_at": timezone.now(),
        "verified_at": timezone.now(),
    }
    values.update(fields)
    return Subscription.objects.create(**values)


def street_area(civic: CivicNumber) -> dict:
    return area_clean({"streets": [{"street": civic.street_id, "parity": "all"}]})


def circle_area(civic: CivicNumber, radius: float = 40) -> dict:
    point = {"type": "Point", "coordinates": [civic.longitude, civic.latitude]}
    feature = {"type": "Feature", "geometry": point, "properties": {"radius": radius}}
    return area_clean({"features": {"type": "FeatureCollection", "features": [feature]}})


def when(at: datetime) -> str:
    """How the line says when an alert went out: «oggi alle 14:35», «ieri alle 23:10»."""
    local = timezone.localtime(at)
    day = "oggi" if local.date() == timezone.localdate() else "ieri"
    return f"{day} alle {local:%H:%M}"


def other_street(town: CivicNumber) -> CivicNumber:
    return CivicNumber.objects.exclude(street=town.street).order_by("pk").first()


# --- Phone simulator ------------------------------------------------------------------------


def page_text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode()).replace("&#x27;", "'")


def heard(page: str) -> str:
    """What the simulated voice says, sentence after sentence."""
    return " ".join(re.findall(r'<p class="mb-2">(.*?)</p>', page))


def ended(page: str) -> bool:
    return "Chiamata terminata" in page and 'aria-label="Tastiera"' not in page


def dial(number: str = STRANGER, *, hidden: bool = False) -> str:
    fields = {"numero": number, "linea": LINE, "step": "start"}
    if hidden:
        fields["hidden"] = "1"
    return page_text(Client().post("/simulatore-telefono/chiama/", fields))


def press(page: str, key: str) -> str:
    """A key on the simulator's keypad ("" is «Non premere nessun tasto»)."""
    form = page[page.index('aria-label="Tastiera"') :]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    return page_text(Client().post("/simulatore-telefono/chiama/", {**fields, "digits": key}))


def test_the_demo_lists_the_alert_number_as_the_replay_line(town) -> None:
    page = page_text(Client().get("/simulatore-telefono/", {"numero": "333 123 4567"}))

    assert Municipality.objects.get().alert_caller_id == LINE_E164
    assert "0586 183 7510 — Ascolto delle allerte delle ultime 24 ore" in page


def test_no_alerts_in_the_last_24_hours(operator) -> None:
    sent_alert(operator, ago=timedelta(hours=25))  # too old
    sent_alert(operator, ago=timedelta(hours=1), status=AlertStatus.DRAFT, sent_at=None)

    page = dial()

    assert "Nessuna allerta nelle ultime 24 ore. Arrivederci." in heard(page)
    assert "Allerta meteo" not in page
    assert ended(page)


def test_two_alerts_newest_first_each_with_the_time_it_was_sent(operator) -> None:
    older = sent_alert(operator, ago=timedelta(hours=23), voice_text="Vento forte sulla costa.")
    newer = sent_alert(
        operator, ago=timedelta(minutes=20), headline="Acqua non potabile", voice_text="Bollire."
    )

    first = heard(dial())
    second = heard(press(dial(), "2"))

    assert first.startswith(
        "Servizio di riascolto delle allerte di protezione civile del Comune di Livorno. "
        "Nelle ultime 24 ore sono state inviate 2 allerte. "
        f"Allerta 1 di 2, inviata {when(newer.sent_at)}. Acqua non potabile"
    )
    assert "Bollire." in first and "Vento forte" not in first
    assert "Per la prossima allerta premi 2." in first
    assert second.startswith(f"Allerta 2 di 2, inviata {when(older.sent_at)}. Allerta meteo")
    assert "Vento forte sulla costa." in second
    assert "Era l'ultima allerta." in second and "premi 2" not in second


def test_without_keys_every_alert_plays_in_turn_then_goodbye(operator) -> None:
    sent_alert(operator, ago=timedelta(hours=2), voice_text="Primo messaggio.")
    sent_alert(operator, ago=timedelta(hours=1), voice_text="Secondo messaggio.")

    first = dial()
    second = press(first, "")
    goodbye = press(second, "")

    assert "Secondo messaggio." in heard(first)
    assert "Primo messaggio." in heard(second)
    assert heard(goodbye) == "Non ci sono altre allerte. Arrivederci." and ended(goodbye)


def test_keys_repeat_next_helpline_and_end(operator) -> None:
    sent_alert(operator, ago=timedelta(hours=2), voice_text="Primo messaggio.")
    sent_alert(operator, ago=timedelta(hours=1), voice_text="Secondo messaggio.")
    first = dial()

    again = press(first, "1")
    helpline = press(first, "9")
    after_helpline = press(helpline, "2")
    goodbye = press(first, "0")

    assert heard(again).startswith("Allerta 1 di 2")
    assert "Secondo messaggio." in heard(again) and "Servizio di riascolto" not in heard(again)
    assert heard(helpline).startswith(
        f"Il numero di assistenza è {HELPLINE_SPOKEN}. Ripeto: {HELPLINE_SPOKEN}."
    )
    assert "Per la prossima allerta premi 2." in heard(helpline)
    assert "Primo messaggio." in heard(after_helpline)
    assert heard(goodbye) == "Grazie per aver chiamato. Arrivederci." and ended(goodbye)


def test_wrong_keys_are_told_and_the_choices_repeated(operator) -> None:
    sent_alert(operator, ago=timedelta(hours=1), voice_text="Unico messaggio.")
    first = dial()

    wrong = press(first, "5")
    star = press(first, "*")
    two_at_the_end = press(first, "2")

    assert heard(wrong).startswith("Tasto non valido. Per riascoltare questa allerta premi 1.")
    assert "Unico messaggio." not in heard(wrong) and not ended(wrong)
    assert heard(star).startswith("Tasto non valido.")
    assert heard(two_at_the_end).startswith("Non ci sono altre allerte. Per riascoltare")
    assert "Unico messaggio." in heard(press(wrong, "1"))


def test_without_a_helpline_9_is_not_offered_and_is_a_wrong_key(operator) -> None:
    sent_alert(operator, ago=timedelta(hours=1))
    Helpline.objects.all().delete()
    first = dial()

    assert "assistenza" not in heard(first)
    assert heard(press(first, "9")).startswith("Tasto non valido.")


def test_a_subscriber_hears_first_the_alert_on_their_address_and_is_told_so(operator, town) -> None:
    subscriber(town, ANNA)
    elsewhere = other_street(town)
    mine = sent_alert(
        operator, ago=timedelta(hours=5), area=street_area(town), voice_text="Evacuare la via."
    )
    sent_alert(
        operator, ago=timedelta(hours=1), area=street_area(elsewhere), voice_text="Altra zona."
    )
    assert town.pk in area_civic_numbers(mine.area)

    first = heard(dial(ANNA))
    second = heard(press(dial(ANNA), "2"))

    assert (
        "Nelle ultime 24 ore sono state inviate 2 allerte. "
        "1 riguarda il tuo indirizzo: la senti per prima." in first
    )
    assert f"Allerta 1 di 2, inviata {when(mine.sent_at)}. " in first
    assert "Questa allerta riguarda il tuo indirizzo." in first and "Evacuare la via." in first
    assert "Altra zona." in second and "riguarda il tuo indirizzo" not in second


def test_a_landline_inside_a_circle_and_city_wide_alerts_concern_the_caller(operator, town) -> None:
    subscriber(town, ANNA, landline="+390586123456")
    far = CivicNumber.objects.exclude(pk=town.pk).order_by("-latitude").first()
    sent_alert(operator, ago=timedelta(hours=3), area=circle_area(town), voice_text="Cerchio.")
    sent_alert(operator, ago=timedelta(hours=2), area=circle_area(far), voice_text="Lontano.")
    sent_alert(operator, ago=timedelta(hours=1), voice_text="Tutto il Comune.")

    first = heard(dial("0586 123456"))
    second = heard(press(dial("0586 123456"), "2"))
    third = heard(press(press(dial("0586 123456"), "2"), "2"))

    assert "2 riguardano il tuo indirizzo: le senti per prime." in first
    assert "Tutto il Comune." in first and "Questa allerta riguarda il tuo indirizzo." in first
    assert "Cerchio." in second and "Questa allerta riguarda il tuo indirizzo." in second
    assert "Lontano." in third and "riguarda il tuo indirizzo" not in third


def test_an_english_subscriber_hears_the_english_text(operator, town) -> None:
    subscriber(town, JOHN, language="en")
    sent_alert(operator, ago=timedelta(hours=1))

    page = dial(JOHN)

    assert (
        '<blockquote class="sportello-box" lang="en"><p class="mb-2">Orange weather alert' in page
    )
    assert "Orange alert for rain: keep out of underpasses." in heard(page)
    assert "non scendere nei sottopassi" not in heard(page)
    assert "Alert 1 of 1" in heard(page) and "Allerta 1 di 1" not in heard(page)


def test_an_alert_without_english_text_is_read_in_italian(operator, town) -> None:
    subscriber(town, JOHN, language="en")
    sent_alert(operator, ago=timedelta(hours=1), headline_en="", voice_text_en="")

    page = dial(JOHN)

    assert '<blockquote class="sportello-box" lang="it"><p class="mb-2">Allerta meteo' in page
    assert "Allerta arancione per pioggia" in heard(page)


def test_an_exercise_is_announced_as_a_drill(operator) -> None:
    sent_alert(operator, ago=timedelta(hours=1), exercise=True)

    said = heard(dial())

    assert "Esercitazione: Allerta meteo arancione" in said
    assert "ESERCITAZIONE - Questa è una prova, non un'emergenza." in said


def test_a_stopped_alert_is_played_and_said_stopped_one_never_sent_is_not(operator) -> None:
    stopped = sent_alert(
        operator,
        ago=timedelta(hours=2),
        status=AlertStatus.STOPPED,
        stopped_at=timezone.now() - timedelta(hours=1),
        voice_text="Fermata.",
    )
    sent_alert(operator, ago=timedelta(hours=1), status=AlertStatus.STOPPED, sent_at=None)

    said = heard(dial())

    assert "è stata inviata 1 allerta" in said
    assert f"Questa allerta è stata interrotta {when(stopped.stopped_at)}." in said
    assert "Fermata." in said


def test_a_recorded_message_is_played(operator) -> None:
    alert = sent_alert(operator, ago=timedelta(hours=1))
    alert.voice_recording.save("messaggio.wav", ContentFile(b"RIFF-demo"), save=True)

    page = dial()

    assert "(messaggio registrato)" in page
    assert f"/allerta/registrazioni/{alert.identifier}/" in page
    assert "Allerta arancione per pioggia" not in heard(page)


def test_an_alert_sent_by_sms_only_is_read_from_its_sms(operator) -> None:
    sent_alert(operator, ago=timedelta(hours=1), use_voice=False, voice_text="", voice_text_en="")

    assert "Allerta arancione: non scendere nei sottopassi." in heard(dial())


def test_a_hidden_number_hears_the_general_list_in_italian(operator, town) -> None:
    subscriber(town, JOHN, language="en")
    sent_alert(operator, ago=timedelta(hours=1))

    said = heard(dial(JOHN, hidden=True))

    assert "Allerta arancione per pioggia" in said and "Orange" not in said
    assert "indirizzo" not in said


def test_a_step_that_no_longer_exists_starts_again_without_failing(operator) -> None:
    sent_alert(operator, ago=timedelta(hours=1), voice_text="Unico messaggio.")
    base = {"numero": STRANGER, "linea": LINE}

    for step, digits in [("alert-999999", "2"), ("nonsense", "1"), ("alert-x", ""), ("", "")]:
        page = page_text(
            Client().post("/simulatore-telefono/chiama/", {**base, "step": step, "digits": digits})
        )
        assert heard(page).startswith("Servizio di riascolto") and "Unico messaggio." in page


def test_after_sending_an_alert_the_alert_number_plays_it(
    operator, town, django_capture_on_commit_callbacks
) -> None:
    """The story of the issue: send an alert, call the alert number back, hear it."""
    alert = Alert.objects.create(
        event="Vento",
        headline="Vento forte",
        description="Raffiche fino a 90 km/h.",
        voice_text="Vento forte: resta in casa.",
        sms_text="Vento forte: resta in casa.",
        email_text="Raffiche.",
        area={"city": True},
        use_email=False,
        created_by=operator,
    )
    with django_capture_on_commit_callbacks(execute=True):
        alert_submit(alert=alert, by=operator)
    alert.refresh_from_db()

    said = heard(dial())

    assert f"Allerta 1 di 1, inviata {when(alert.sent_at)}. Vento forte" in said
    assert "Vento forte: resta in casa." in said

    alert_stop(alert=alert, by=operator)
    cache.clear()  # a few seconds later
    assert "Questa allerta è stata interrotta" in heard(dial())


def test_on_a_number_shared_with_other_lines_the_menu_offers_the_replay(operator) -> None:
    Municipality.objects.update(alert_caller_id="+3905861837596")  # also the other two lines
    sent_alert(operator, ago=timedelta(hours=1), voice_text="Unico messaggio.")
    fields = {"numero": STRANGER, "linea": "0586 1837596", "step": "start"}

    menu = page_text(Client().post("/simulatore-telefono/chiama/", fields))
    alerts = press(menu, "3")
    helpline = press(alerts, "9")

    assert "Per ascoltare le allerte delle ultime 24 ore premi 3." in heard(menu)
    assert "Unico messaggio." in heard(alerts)
    assert heard(helpline).startswith("Il numero di assistenza è")


# --- Twilio ---------------------------------------------------------------------------------


@pytest.fixture
def twilio_line(settings) -> None:
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SPORTELLO_PUBLIC_URL = PUBLIC + "/"


def twilio(path: str, caller: str, **params: str) -> ET.Element:
    """A signed webhook for a call from `caller` to the alert number; the TwiML answered."""
    params = {"From": caller, "To": LINE_E164, "CallSid": "CA" + "1" * 32, **params}
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, params)
    response = Client().post(path, params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    return ET.fromstring(response.content)  # noqa: S314 (our own response)


def said(twiml: ET.Element) -> str:
    first = twiml.find("Gather")
    return " ".join(say.text or "" for say in (first if first is not None else twiml).iter("Say"))


def next_path(twiml: ET.Element) -> str:
    return twiml.find("Gather").attrib["action"].removeprefix(PUBLIC)


START = "/canali/twilio/voice/in/start/"


def test_twilio_a_whole_call(operator, town, twilio_line) -> None:
    subscriber(town, ANNA)
    older = sent_alert(operator, ago=timedelta(hours=3), voice_text="Primo messaggio.")
    newer = sent_alert(operator, ago=timedelta(hours=1), voice_text="Secondo messaggio.")

    start = twilio(START, ANNA)
    again = twilio(next_path(start), ANNA, Digits="1")
    second = twilio(next_path(again), ANNA, Digits="2")
    helpline = twilio(next_path(second), ANNA, Digits="9")
    wrong = twilio(next_path(helpline), ANNA, Digits="7")
    goodbye = twilio(next_path(wrong), ANNA, Digits="0")

    gather = start.find("Gather")
    assert gather.attrib["actionOnEmptyResult"] == "true"
    assert next_path(start) == f"/canali/twilio/voice/in/alert-{newer.pk}/"
    assert f"inviata {when(newer.sent_at)}" in said(start) and "Secondo messaggio." in said(start)
    assert "Riguardano tutte il tuo indirizzo." in said(start)  # city-wide: both are hers
    assert all(say.attrib["language"] == "it-IT" for say in start.iter("Say"))
    assert "Secondo messaggio." in said(again)
    assert f"inviata {when(older.sent_at)}" in said(second) and "Primo messaggio." in said(second)
    assert HELPLINE_SPOKEN in said(helpline)
    assert said(wrong).startswith("Tasto non valido.")
    assert said(goodbye) == "Grazie per aver chiamato. Arrivederci."
    assert goodbye.find("Gather") is None and goodbye.find("Hangup") is not None


def test_twilio_silence_goes_on_to_the_next_alert_then_goodbye(operator, twilio_line) -> None:
    sent_alert(operator, ago=timedelta(hours=3), voice_text="Primo messaggio.")
    sent_alert(operator, ago=timedelta(hours=1), voice_text="Secondo messaggio.")

    start = twilio(START, "+390586111222")
    second = twilio(next_path(start), "+390586111222")  # actionOnEmptyResult: no Digits
    goodbye = twilio(next_path(second), "+390586111222", Digits="")

    assert "Primo messaggio." in said(second)
    assert said(goodbye) == "Non ci sono altre allerte. Arrivederci."
    assert goodbye.find("Hangup") is not None


def test_twilio_english_subscriber(operator, town, twilio_line) -> None:
    subscriber(town, JOHN, language="en")
    sent_alert(operator, ago=timedelta(hours=1))

    start = twilio(START, JOHN)

    spoken = {say.text: say.attrib["language"] for say in start.find("Gather").iter("Say")}
    assert spoken["Orange weather alert."] == "en-GB"
    assert spoken["Orange alert for rain: keep out of underpasses."] == "en-GB"
    assert set(spoken.values()) == {"en-GB"}  # the framing too


def test_twilio_hidden_caller_and_no_alerts(operator, town, twilio_line) -> None:
    subscriber(town, JOHN, language="en")

    start = twilio(START, "anonymous")

    assert "Nessuna allerta nelle ultime 24 ore. Arrivederci." in said(start)
    assert start.find("Gather") is None and start.find("Hangup") is not None


def test_twilio_recorded_message_is_played_from_our_public_address(operator, twilio_line) -> None:
    alert = sent_alert(operator, ago=timedelta(hours=1))
    alert.voice_recording.save("messaggio.wav", ContentFile(b"RIFF-demo"), save=True)

    start = twilio(START, "+390586111222")

    [play] = start.find("Gather").iter("Play")
    assert play.text == f"{PUBLIC}/allerta/registrazioni/{alert.identifier}/"


def test_twilio_unsigned_or_forged_requests_are_refused(operator, twilio_line) -> None:
    sent_alert(operator, ago=timedelta(hours=1))
    params = {"From": ANNA, "To": LINE_E164}

    unsigned = Client().post(START, params)
    forged = Client().post(START, params, headers={"X-Twilio-Signature": "bm90LXZhbGlk"})

    assert unsigned.status_code == forged.status_code == 403
