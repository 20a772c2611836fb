"""Livorno's one number for asking to subscribe and for leaving (0586 1837596): the caller picks
one with a key, then that service runs as it would on a number of its own, in the phone
simulator and on Twilio alike."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from sportello.alerts.models import CallbackRequest, Subscription, Suppression
from sportello.core.models import Municipality
from tests.alerts.helpers import MOBILE

LINE = "0586 1837596"
LINE_E164 = "+3905861837596"
TOKEN = "auth-token-for-tests"
PUBLIC = "https://sportello.comune.example.it"
MENU = "Per chiedere l'iscrizione all'allerta premi 1. Per cancellarti dall'allerta premi 2."


def test_the_demo_town_has_one_number_for_both_services(town) -> None:
    municipality = Municipality.objects.get()
    page = page_text(Client().get("/simulatore-telefono/", {"numero": "333 123 4567"}))

    assert municipality.registration_request_line == municipality.deregistration_line == LINE_E164
    assert page.count(f'<option value="{LINE_E164}">') == 1
    assert (
        "0586 183 7596 — Richiesta di iscrizione per telefono, Cancellazione dall'allerta" in page
    )


# --- Phone simulator ------------------------------------------------------------------------


def page_text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode()).replace("&#x27;", "'")


def heard(page: str) -> str:
    """What the simulated voice says on the page, one sentence after the other."""
    return " ".join(re.findall(r'<p class="mb-2">(.*?)</p>', page))


def dial(number: str, *, hidden: bool = False) -> str:
    fields = {"numero": number, "linea": LINE, "step": "start"}
    if hidden:
        fields["hidden"] = "1"
    return page_text(Client().post("/simulatore-telefono/chiama/", fields))


def press(page: str, key: str) -> str:
    """Press a key on the simulator's keypad: the page's own hidden fields, and the key."""
    form = page[page.index('aria-label="Tastiera"') :]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    return page_text(Client().post("/simulatore-telefono/chiama/", {**fields, "digits": key}))


def test_simulator_asking_to_be_called_back_from_the_shared_number(town) -> None:
    menu = dial("0586 111222")
    assert heard(menu) == MENU

    request = press(menu, "1")
    assert "Per essere richiamato da un operatore che ti iscriverà, premi 1." in request

    done = press(request, "1")
    assert "ti richiamerà" in done and "Chiamata terminata" in done
    [callback] = CallbackRequest.objects.all()
    assert (callback.number, callback.source) == ("+390586111222", "ivr")


def test_simulator_leaving_from_the_shared_number(subscribed, town) -> None:
    menu = dial("333 123 4567")

    found = press(menu, "2")
    assert "M. B." in found and town.street.full_name in found and "Maria" not in found

    done = press(found, "1")
    assert "tutti i tuoi dati sono stati cancellati" in done
    assert not Subscription.objects.exists()
    assert Suppression.objects.count() == 1
    assert not CallbackRequest.objects.exists()


def test_simulator_leaving_can_still_be_called_off_with_2(subscribed) -> None:
    found = press(dial("333 123 4567"), "2")

    assert "resta attiva" in press(found, "2")
    assert Subscription.objects.count() == 1


def test_simulator_a_hidden_number_choosing_to_leave_is_told_what_to_do(subscribed) -> None:
    menu = dial("333 123 4567", hidden=True)

    assert heard(menu) == MENU  # the menu does not need the number
    assert "Non vediamo il tuo numero" in press(menu, "2")
    assert Subscription.objects.count() == 1


def test_simulator_wrong_keys_end_politely_and_change_nothing(subscribed) -> None:
    again = press(dial("333 123 4567"), "5")
    goodbye = press(again, "#")

    assert heard(again) == "Scelta non valida. " + MENU
    assert "Arrivederci" in goodbye and "Tastiera" not in goodbye
    assert Subscription.objects.count() == 1 and not CallbackRequest.objects.exists()


def test_separate_numbers_answer_at_once_without_a_menu(town) -> None:
    Municipality.objects.update(deregistration_line="0586 1837500")

    start = dial("0586 111222")

    leave = page_text(
        Client().post(
            "/simulatore-telefono/chiama/",
            {"numero": "0586 111222", "linea": "0586 1837500", "step": "start"},
        )
    )

    assert heard(start).startswith("Servizio di iscrizione all'allerta")
    assert heard(leave).startswith("Non troviamo iscrizioni")
    assert "ti richiamerà" in press(start, "1")
    assert CallbackRequest.objects.count() == 1


# --- Twilio ---------------------------------------------------------------------------------


@pytest.fixture
def twilio_line(settings) -> None:
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SPORTELLO_PUBLIC_URL = PUBLIC + "/"


def twilio(path: str, caller: str, **params: str) -> ET.Element:
    """A signed webhook for a call from `caller` to the shared number; the TwiML answered."""
    params = {"From": caller, "To": LINE_E164, **params}
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, params)
    response = Client().post(path, params, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 200
    return ET.fromstring(response.content)  # noqa: S314 (our own response)


def said(twiml: ET.Element) -> str:
    """What the caller hears first (Twilio itself repeats a prompt nobody answered)."""
    first = twiml.find("Gather")
    return " ".join(say.text for say in (first if first is not None else twiml).iter("Say"))


def next_path(twiml: ET.Element) -> str:
    return twiml.find("Gather").attrib["action"].removeprefix(PUBLIC)


def test_twilio_asking_to_be_called_back_from_the_shared_number(town, twilio_line) -> None:
    menu = twilio("/canali/twilio/voice/in/start/", "+390586111222")
    assert said(menu) == MENU

    request = twilio(next_path(menu), "+390586111222", Digits="1")
    assert "premi 1" in said(request)

    done = twilio(next_path(request), "+390586111222", Digits="1")
    assert "ti richiamerà" in said(done) and done.find("Hangup") is not None
    assert CallbackRequest.objects.get().number == "+390586111222"


def test_twilio_leaving_from_the_shared_number(subscribed, twilio_line) -> None:
    menu = twilio("/canali/twilio/voice/in/start/", MOBILE)

    found = twilio(next_path(menu), MOBILE, Digits="2")
    assert "M. B." in said(found)
    assert next_path(found) == "/canali/twilio/voice/in/deregistration.confirm/"

    done = twilio(next_path(found), MOBILE, Digits="1")
    assert "tutti i tuoi dati sono stati cancellati" in said(done)
    assert not Subscription.objects.exists()
    assert not CallbackRequest.objects.exists()


def test_twilio_silence_hears_the_menu_once_more_then_goodbye(subscribed, twilio_line) -> None:
    menu = twilio("/canali/twilio/voice/in/start/", MOBILE)

    again = twilio(next_path(menu), MOBILE, Digits="")
    goodbye = twilio(next_path(again), MOBILE, Digits="")

    assert said(again) == "Nessun tasto premuto. " + MENU
    assert "Arrivederci" in said(goodbye) and goodbye.find("Gather") is None
    assert Subscription.objects.count() == 1
