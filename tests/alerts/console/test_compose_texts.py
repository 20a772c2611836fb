"""The texts an alert derives for each channel, and the checks on what an operator uploads:
the SMS stays short and in the GSM alphabet, the times read as people say them, a recording is
audio by its content and not by its name."""

from __future__ import annotations

import datetime
import io
import wave
from zoneinfo import ZoneInfo

import pytest

from sportello.alerts.console.compose_forms import audio_kind
from sportello.alerts.models import Alert
from sportello.alerts.texts import alert_texts_derive, sms_counter_text
from sportello.channels.gsm import sms_encoding, sms_segment_count

ROME = ZoneInfo("Europe/Rome")


def alert(**fields) -> Alert:
    values = {
        "headline": "Allerta meteo arancione",
        "description": "Piogge forti da stanotte.",
        "instruction": "Non scendere nei sottopassi.",
    }
    values.update(fields)
    return Alert(**values)


@pytest.mark.django_db
def test_the_derived_sms_is_short_and_in_the_gsm_alphabet() -> None:
    long_instruction = "Resta in casa, lontano da finestre e cantine. " * 20
    derived = alert(
        headline="È allerta «rossa» – subito…",
        instruction=long_instruction,
        exercise=True,
    )

    alert_texts_derive(alert=derived)

    assert derived.sms_text.startswith('Protezione civile: E\' allerta "rossa" - subito...')
    assert sms_encoding(derived.sms_text) == "GSM-7"
    assert sms_segment_count("ESERCITAZIONE - " + derived.sms_text) == 2
    assert derived.sms_text.endswith("...")
    assert derived.voice_text.count("Resta in casa") == 20  # the call says it all


@pytest.mark.django_db
def test_times_read_as_people_say_them_in_each_language() -> None:
    derived = alert(
        onset=datetime.datetime(2026, 3, 2, 14, 0, tzinfo=ROME),
        expires=datetime.datetime(2026, 3, 3, 23, 59, tzinfo=ROME),
        headline_en="Orange weather alert",
        description_en="Heavy rain from tonight.",
    )

    alert_texts_derive(alert=derived)

    assert "Dalle 14:00 di lunedì 2 marzo alle 23:59 di martedì 3 marzo." in derived.voice_text
    assert "Dalle 14:00 del 2/3 alle 23:59 del 3/3." in derived.sms_text
    assert "From 14:00 on Monday 2 March until 23:59 on Tuesday 3 March." in (derived.voice_text_en)
    assert derived.email_subject_en == "Orange weather alert"
    assert derived.email_text_en == "Heavy rain from tonight."  # no instruction, no heading


@pytest.mark.django_db
def test_texts_the_operator_wrote_are_never_replaced() -> None:
    derived = alert(sms_text="Scritto a mano.", email_subject="Oggetto mio")

    alert_texts_derive(alert=derived)

    assert derived.sms_text == "Scritto a mano." and derived.email_subject == "Oggetto mio"
    assert derived.voice_text.startswith("Allerta meteo arancione.")


def test_the_counter_counts_as_a_phone_does() -> None:
    assert sms_counter_text("a" * 160) == "160 caratteri, GSM-7, 1 SMS"
    assert sms_counter_text("a" * 161) == "161 caratteri, GSM-7, 2 SMS"
    assert sms_counter_text("€") == "2 caratteri, GSM-7, 1 SMS"
    assert sms_counter_text("È") == "1 caratteri, UCS-2, 1 SMS"
    assert sms_counter_text("a", exercise=True) == "17 caratteri, GSM-7, 1 SMS"
    assert "troppo lungo" in sms_counter_text("a" * (6 * 153 + 1))


def _wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(1)
        out.setframerate(8000)
        out.writeframes(b"\x80" * 800)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (_wav(), "wav"),
        (b"ID3\x04\x00\x00\x00\x00\x00\x05" + b"\x00" * 5 + b"\xff\xfb\x90\x64", "mp3"),
        (b"\xff\xf3\x84\x64" + b"\x00" * 100, "mp3"),  # MPEG-2 Layer III, no tag
        (b"RIFF\x24\x00\x00\x00WAVEdata\x00\x00\x00\x00", None),  # no format chunk
        (b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"not a frame", None),
        (b"\xff\xff\xff\xff", None),  # sync bits, but no such bitrate
        (b"%PDF-1.7\n", None),
        (b"", None),
    ],
)
def test_a_recording_is_audio_by_its_content(content: bytes, kind: str | None) -> None:
    assert audio_kind(content) == kind
