"""Several flows on one number: the caller first hears a menu of them, picks one with a key, and
that flow then runs as if its own number had been called, on Twilio and in the phone simulator.
A number with one flow answers with it at once, as before."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from twilio.request_validator import RequestValidator

from sportello.channels import ivr

pytestmark = pytest.mark.django_db

TOKEN = "auth-token-for-tests"
PUBLIC = "https://sportello.comune.example.it"
SHARED = "0586 111222"
SHARED_E164 = "+390586111222"
SINGLE = "0586 333444"
MOBILE = "+393331234567"


def lookup(call: ivr.Call, step: str, digits: str) -> ivr.Prompt:
    """A two-step flow that says which step and keys reached it."""
    if step == "start":
        return ivr.Prompt([ivr.Say("Ricerca pratiche. Premi 1 per cercare.")], ivr.Gather("search"))
    return ivr.Prompt([ivr.Say(f"Ricerca: passo {step}, tasti {digits or 'nessuno'}.")])


def booking(call: ivr.Call, step: str, digits: str) -> ivr.Prompt:
    if step == "start":
        return ivr.Prompt([ivr.Say("Prenotazioni. Premi 1 per prenotare.")], ivr.Gather("book"))
    if step == "book" and digits == "1":
        return ivr.Prompt([ivr.Say(f"Prenotato per {call.caller or 'nessuno'}.")])
    return ivr.Prompt([ivr.Say(f"Prenotazioni: passo {step}, tasti {digits or 'nessuno'}.")])


ivr.flow_register("test_menu_lookup", lookup)
ivr.flow_register("test_menu_booking", booking)


@pytest.fixture(autouse=True)
def lines(monkeypatch, settings) -> None:
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SPORTELLO_PUBLIC_URL = PUBLIC + "/"
    settings.SPORTELLO_PHONE_SIMULATOR_PUBLIC = True
    monkeypatch.setattr(ivr, "_INBOUND", {})  # only this file's lines, until the test ends
    ivr.inbound_register(
        "test_menu_lookup", label="Ricerca", choice="cercare una pratica", number=lambda: SHARED
    )
    ivr.inbound_register("test_menu_booking", label="Prenotazioni", number=lambda: SHARED)
    ivr.inbound_register("test_menu_single", label="Solo", number=lambda: SINGLE)
    ivr.flow_register("test_menu_single", lookup)


# --- Twilio ---------------------------------------------------------------------------------


def twilio(path: str, **params: str) -> ET.Element:
    """POST as Twilio does, signed over our public address; the TwiML answered."""
    params = {"From": MOBILE, "To": SHARED_E164, **params}
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


def test_twilio_a_shared_number_offers_its_flows_and_runs_the_chosen_one() -> None:
    menu = twilio("/canali/twilio/voice/in/start/")

    [gather] = menu.findall("Gather")  # said once: no key also comes back to us
    assert said(menu) == "Per cercare una pratica premi 1. Per Prenotazioni premi 2."
    assert gather.attrib["actionOnEmptyResult"] == "true"
    assert gather.find("Say").attrib["language"] == "it-IT"

    booking_start = twilio(next_path(menu), Digits="2")
    assert said(booking_start) == "Prenotazioni. Premi 1 per prenotare."
    assert next_path(booking_start) == "/canali/twilio/voice/in/test_menu_booking.book/"
    assert "actionOnEmptyResult" not in booking_start.find("Gather").attrib  # its own manners

    done = twilio(next_path(booking_start), Digits="1")
    assert said(done) == f"Prenotato per {MOBILE}."
    assert done.find("Gather") is None and done.find("Hangup") is not None


def test_twilio_a_wrong_key_or_none_repeats_the_menu_once_then_says_goodbye() -> None:
    menu = twilio("/canali/twilio/voice/in/start/")

    again = twilio(next_path(menu), Digits="7")
    silence = twilio(next_path(again), Digits="")

    assert said(again).startswith("Scelta non valida. Per cercare una pratica premi 1.")
    assert "Arrivederci" in said(silence) and "premi" not in said(silence)
    assert silence.find("Gather") is None and silence.find("Hangup") is not None


def test_twilio_no_key_at_first_is_told_so_and_a_key_still_chooses() -> None:
    menu = twilio("/canali/twilio/voice/in/start/")

    again = twilio(next_path(menu))
    lookup_start = twilio(next_path(again), Digits="1")

    assert said(again).startswith("Nessun tasto premuto. Per cercare")
    assert said(lookup_start) == "Ricerca pratiche. Premi 1 per cercare."


def test_twilio_a_number_with_one_flow_has_no_menu() -> None:
    start = twilio("/canali/twilio/voice/in/start/", To="+390586333444")

    assert said(start) == "Ricerca pratiche. Premi 1 per cercare."
    assert next_path(start) == "/canali/twilio/voice/in/search/"
    assert len(start.findall("Gather")) == 2  # repeated by Twilio, as every flow's prompt
    assert said(twilio("/canali/twilio/voice/in/search/", To="+390586333444", Digits="1")) == (
        "Ricerca: passo search, tasti 1."
    )


def test_twilio_steps_of_a_flow_not_on_the_number_get_the_menu_again() -> None:
    menu = twilio("/canali/twilio/voice/in/verification.start/")

    assert said(menu) == "Per cercare una pratica premi 1. Per Prenotazioni premi 2."


# --- Phone simulator ------------------------------------------------------------------------


def page_text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def press(page: str, key: str) -> str:
    """Press a key on the simulator's keypad: the page's own hidden fields, and the key."""
    form = page[page.index('aria-label="Tastiera"') :]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    return page_text(Client().post("/simulatore-telefono/chiama/", {**fields, "digits": key}))


def test_the_simulator_lists_each_number_once_with_its_labels() -> None:
    page = page_text(Client().get("/simulatore-telefono/", {"numero": "333 123 4567"}))

    assert page.count(f'<option value="{SHARED}">') == 1
    assert f"{SHARED} — Ricerca, Prenotazioni</option>" in page
    assert f"{SINGLE} — Solo</option>" in page


def test_the_simulator_speaks_the_menu_and_the_chosen_flow() -> None:
    menu = page_text(
        Client().post(
            "/simulatore-telefono/chiama/",
            {"numero": "333 123 4567", "linea": SHARED, "step": "start"},
        )
    )
    assert "Per cercare una pratica premi 1." in menu and "Per Prenotazioni premi 2." in menu
    assert "Non premere nessun tasto" in menu

    booking_start = press(menu, "2")
    assert "Prenotazioni. Premi 1 per prenotare." in booking_start
    assert "Non premere nessun tasto" not in booking_start

    assert f"Prenotato per {MOBILE}." in press(booking_start, "1")


def test_the_simulator_says_goodbye_after_two_wrong_keys() -> None:
    menu = page_text(
        Client().post(
            "/simulatore-telefono/chiama/",
            {"numero": "333 123 4567", "linea": SHARED, "step": "start"},
        )
    )

    again = press(menu, "9")
    goodbye = press(again, "")

    assert "Scelta non valida." in again
    assert "Non abbiamo ricevuto una scelta valida" in goodbye
    assert "Chiamata terminata" in goodbye and "Tastiera" not in goodbye


def test_the_simulator_refuses_a_number_of_no_line() -> None:
    response = Client().post(
        "/simulatore-telefono/chiama/", {"numero": "333 123 4567", "linea": "0586 000000"}
    )

    assert response.status_code == 404
