"""Composing alerts on the console, as a civil-protection operator does it: the list, a new
alert from a template or blank, the texts per channel (derived, editable, the SMS length), the
English version, the recorded message, the exercise banner, and what can no longer change."""

from __future__ import annotations

import io
import shutil
import wave
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.alerts.models import Alert, AlertKind, AlertStatus, AlertTemplate
from sportello.channels.gsm import sms_segment_count

CREATE = "/allerta/operatori/allerte/nuova/"
LIST = "/allerta/operatori/allerte/"


def detail_url(alert: Alert) -> str:
    return f"/allerta/operatori/allerte/{alert.pk}/"


def edit_url(alert: Alert) -> str:
    return f"/allerta/operatori/allerte/{alert.pk}/modifica/"


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clerk(town) -> User:
    """An operator of another office: no alert permissions."""
    user = User.objects.create_user("impiegato-anagrafe", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.REGISTRY_CLERK))
    return user


def draft(operator: User, **fields) -> Alert:
    values = {
        "event": "Pioggia intensa",
        "headline": "Allerta meteo arancione",
        "description": "Piogge forti da stanotte.",
        "instruction": "Non scendere nei sottopassi.",
        "voice_text": "Allerta meteo arancione. Non scendere nei sottopassi.",
        "sms_text": "Protezione civile: allerta arancione. Non scendere nei sottopassi.",
        "email_subject": "Allerta meteo arancione",
        "email_text": "Piogge forti da stanotte.",
        "created_by": operator,
    }
    values.update(fields)
    return Alert.objects.create(**values)


def composed(**overrides) -> dict[str, str]:
    """The compose form as an operator fills it in (a checkbox left out is unticked)."""
    data = {
        "event": "Pioggia intensa",
        "category": "Met",
        "urgency": "Expected",
        "severity": "Severe",
        "certainty": "Likely",
        "headline": "Allerta meteo arancione",
        "description": "Piogge forti da stanotte fino a domani sera.",
        "instruction": "Non scendere nei sottopassi e nelle cantine.",
        "headline_en": "",
        "description_en": "",
        "instruction_en": "",
        "onset": "",
        "expires": "",
        "use_voice": "on",
        "use_sms": "on",
        "use_email": "on",
        "voice_text": "",
        "voice_text_en": "",
        "sms_text": "",
        "sms_text_en": "",
        "email_subject": "",
        "email_subject_en": "",
        "email_text": "",
        "email_text_en": "",
        "fax_text": "",
        "marks": "",
        "action": "save",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def form_values(response) -> dict[str, str]:
    """The values the page's compose form holds, as the browser would post them back."""
    form = response.context["form"]
    values = {}
    for field in form:
        if field.name in ("recording", "recording_clear"):
            continue
        value = field.value()
        if field.widget_type == "checkbox":
            if value:
                values[field.name] = "on"
            continue
        if field.widget_type == "datetime" and value and not isinstance(value, str):
            values[field.name] = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
            continue
        values[field.name] = "" if value is None else str(value)
    return values


def wav_bytes(seconds: float = 0.2) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * int(8000 * seconds))
    return buffer.getvalue()


def mp3_bytes() -> bytes:
    # An ID3v2.3 tag with no frames, then one MPEG-1 Layer III frame header (128 kbit/s, 44.1 kHz).
    return b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x64" + b"\x00" * 413


# --- who may -------------------------------------------------------------------------------


def test_only_civil_protection_operators_may_compose_and_viewers_only_look(
    operator, viewer, clerk
) -> None:
    alert = draft(operator)

    anonymous = Client().get(LIST)
    assert anonymous.status_code == 302 and "next=" in anonymous["Location"]
    for url in (LIST, CREATE, detail_url(alert), edit_url(alert)):
        assert login(clerk).get(url).status_code == 403
    assert login(viewer).get(LIST).status_code == 200
    assert login(viewer).get(detail_url(alert)).status_code == 200
    assert login(viewer).get(CREATE).status_code == 403
    assert login(viewer).post(edit_url(alert), composed(headline="Cambiato")).status_code == 403
    alert.refresh_from_db()
    assert alert.headline == "Allerta meteo arancione"


def test_the_list_shows_alerts_newest_first_with_status_and_exercise(operator) -> None:
    older = draft(operator, headline="Prima allerta")
    Alert.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=1))
    draft(operator, headline="Prova di marzo", exercise=True, status=AlertStatus.SENT)

    page = login(operator).get(LIST).content.decode()

    assert page.index("Prova di marzo") < page.index("Prima allerta")
    assert "ESERCITAZIONE" in page and "Inviata" in page and "Bozza" in page
    assert "Nuova allerta" in page and "Allerta meteo arancione" in page  # a template to start


# --- composing -----------------------------------------------------------------------------


def test_a_template_fills_the_form_with_its_texts_for_every_channel(operator) -> None:
    template = AlertTemplate.objects.get(name="Allerta meteo arancione")
    client = login(operator)

    response = client.get(CREATE, {"modello": template.pk})
    page = response.content.decode()
    values = form_values(response)

    assert values["headline"] == "Allerta meteo arancione"
    assert values["severity"] == "Severe"
    assert values["sms_text"].startswith("Protezione civile Livorno: Allerta meteo arancione.")
    assert "sottopassi" in values["sms_text"]
    assert sms_segment_count(values["sms_text"]) <= 2
    assert values["voice_text"].startswith("Allerta meteo arancione.")
    assert values["email_subject"] == "Allerta meteo arancione"
    assert values["sms_text_en"].startswith("Livorno civil protection: Orange weather alert.")
    assert "caratteri, GSM-7" in page  # the counter, before any script runs

    response = client.post(f"{CREATE}?modello={template.pk}", {**values, "action": "save"})

    alert = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(alert)
    assert alert.created_by == operator and alert.status == AlertStatus.DRAFT
    assert alert.sms_text == values["sms_text"] and alert.voice_text_en
    assert "Cosa fare:" in alert.email_text and "In inglese (English)" in alert.fax_text


def test_texts_left_empty_are_composed_from_the_message_when_saved(operator) -> None:
    onset = timezone.localtime() + timedelta(hours=2)
    login(operator).post(
        CREATE,
        composed(
            onset=onset.strftime("%Y-%m-%dT%H:%M"),
            expires=(onset + timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )

    alert = Alert.objects.get()
    assert alert.voice_text.startswith("Allerta meteo arancione. Dalle ")
    assert "Cosa fare: Non scendere nei sottopassi e nelle cantine." in alert.voice_text
    assert alert.sms_text.startswith("Protezione civile Livorno: Allerta meteo arancione. Dalle ")
    assert alert.email_subject == "Allerta meteo arancione"
    assert alert.email_text.startswith("Piogge forti da stanotte")
    assert alert.fax_text.startswith("Dalle ")
    assert alert.voice_text_en == alert.sms_text_en == ""


def test_untouched_texts_follow_a_new_headline_and_edited_ones_stay(operator) -> None:
    client = login(operator)
    response = client.get(CREATE, {"modello": AlertTemplate.objects.get(name="Evacuazione").pk})
    values = form_values(response)
    values["email_text"] = "Testo scritto a mano dall'operatore."
    values["headline"] = "Evacuazione di via del Porto"

    response = client.post(CREATE, {**values, "action": "derive"})

    assert not Alert.objects.exists()  # «Aggiorna i testi» saves nothing
    shown = form_values(response)
    assert shown["sms_text"].startswith("Protezione civile Livorno: Evacuazione di via del Porto.")
    assert shown["voice_text"].startswith("Evacuazione di via del Porto.")
    assert shown["email_text"] == "Testo scritto a mano dall'operatore."

    client.post(CREATE, {**shown, "action": "save"})
    alert = Alert.objects.get()
    assert alert.email_subject == "Evacuazione di via del Porto"
    assert alert.email_text == "Testo scritto a mano dall'operatore."


def test_an_sms_longer_than_six_parts_is_refused_with_the_reason(operator) -> None:
    long_text = "Piove forte in tutta la città, restate a casa. " * 22  # ~1,030 characters

    response = login(operator).post(CREATE, composed(sms_text=long_text))

    assert response.status_code == 400
    page = response.content.decode()
    assert "L&#x27;SMS è troppo lungo: richiede 7 SMS" in page
    assert "il massimo è 6" in page
    assert not Alert.objects.exists()


def test_the_exercise_marker_counts_in_the_sms_length(operator) -> None:
    text = "a" * (6 * 153 - 5)  # fits six parts, but not with «ESERCITAZIONE - » in front

    assert login(operator).post(CREATE, composed(sms_text=text)).status_code == 302
    response = login(operator).post(CREATE, composed(sms_text=text, exercise="on"))

    assert response.status_code == 400 and "richiede 7 SMS" in response.content.decode()
    assert Alert.objects.count() == 1


def test_english_half_written_is_refused(operator) -> None:
    response = login(operator).post(
        CREATE, composed(description_en="Heavy rain from tonight.", sms_text_en="Rain.")
    )

    assert response.status_code == 400
    assert "Manca il titolo in inglese" in response.content.decode()
    assert not Alert.objects.exists()

    response = login(operator).post(
        CREATE,
        composed(headline_en="Orange weather alert", description_en="Heavy rain from tonight."),
    )
    alert = Alert.objects.get()
    assert response.status_code == 302
    assert alert.sms_text_en.startswith("Livorno civil protection: Orange weather alert.")


def test_expiry_before_onset_and_no_channel_are_refused(operator) -> None:
    onset = timezone.localtime() + timedelta(days=1)
    response = login(operator).post(
        CREATE,
        composed(
            onset=onset.strftime("%Y-%m-%dT%H:%M"),
            expires=(onset - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            use_voice=None,
            use_sms=None,
            use_email=None,
        ),
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "La fine validità deve venire dopo l&#x27;inizio." in page
    assert "Scegli almeno un canale" in page
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("messaggio.wav", b"RIFF\x10\x00\x00\x00WAVEnot really audio", "non è un audio WAV o MP3"),
        ("messaggio.mp3", b"<html>not a song</html>", "non è un audio WAV o MP3"),
        ("grande.wav", b"RIFF" + b"\x00" * (5 * 1024 * 1024 + 1), "troppo grande"),
    ],
)
def test_a_recording_that_is_not_audio_or_too_big_is_refused(
    operator, name, content, problem
) -> None:
    upload = SimpleUploadedFile(name, content, content_type="audio/wav")

    response = login(operator).post(CREATE, {**composed(), "recording": upload})

    assert response.status_code == 400 and problem in response.content.decode()
    assert not Alert.objects.exists()


@pytest.mark.parametrize(("content", "extension"), [(wav_bytes(), "wav"), (mp3_bytes(), "mp3")])
def test_a_wav_or_mp3_recording_is_kept_and_can_be_heard(
    operator, settings, tmp_path, content, extension
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    upload = SimpleUploadedFile("whatever.bin", content, content_type="application/octet-stream")
    client = login(operator)

    client.post(CREATE, {**composed(), "recording": upload})

    alert = Alert.objects.get()
    assert alert.voice_recording.name.endswith(f"{alert.identifier}.{extension}")
    heard = client.get(f"/allerta/operatori/allerte/{alert.pk}/registrazione/")
    assert b"".join(heard.streaming_content) == content
    assert "registrazione/" in client.get(detail_url(alert)).content.decode()


# --- exercise, editing, re-confirmation ----------------------------------------------------


def test_a_drill_shows_the_exercise_banner_on_every_page(operator) -> None:
    alert = draft(operator, exercise=True)
    plain = draft(operator, headline="Allerta vera")
    client = login(operator)

    for url in (detail_url(alert), edit_url(alert)):
        page = client.get(url).content.decode()
        assert 'id="exercise-banner"' in page and "ESERCITAZIONE" in page
        assert "hidden" not in page.split('id="exercise-banner"')[1].split(">")[0]
    # On a real alert the banner is there only for the script to show once «Esercitazione» is
    # ticked, and hidden until then.
    assert "ESERCITAZIONE</strong>" not in client.get(detail_url(plain)).content.decode()
    edit_page = client.get(edit_url(plain)).content.decode()
    assert 'id="exercise-banner" hidden' in edit_page


def test_an_alert_already_sent_can_no_longer_be_edited(operator) -> None:
    alert = draft(operator, status=AlertStatus.SENDING)
    client = login(operator)

    response = client.get(edit_url(alert), follow=True)
    assert "non si può modificare" in response.content.decode()
    assert "Modifica</a>" not in response.content.decode()

    response = client.post(edit_url(alert), composed(headline="Cambiata dopo l'invio"), follow=True)
    alert.refresh_from_db()
    assert alert.headline == "Allerta meteo arancione"
    assert "non si può modificare" in response.content.decode()


def test_a_draft_can_be_edited_and_keeps_its_author(operator) -> None:
    alert = draft(operator)
    other = User.objects.create_user("collega", is_staff=True)
    other.groups.add(Group.objects.get(name=Role.CIVIL_PROTECTION))
    client = login(other)
    response = client.get(edit_url(alert))
    values = form_values(response)

    client.post(edit_url(alert), {**values, "headline": "Allerta meteo rossa", "action": "save"})

    alert.refresh_from_db()
    assert alert.headline == "Allerta meteo rossa" and alert.created_by == operator
    # The SMS was written by hand in this draft, so it stays as it was.
    assert alert.sms_text.startswith("Protezione civile: allerta arancione.")


def test_a_reconfirmation_campaign_has_fixed_texts_and_calls_only(operator) -> None:
    client = login(operator)
    page = client.get(CREATE, {"modello": "riconferma"}).content.decode()
    assert "preme 1 per continuare" in page and "sms_text" not in page

    client.post(f"{CREATE}?modello=riconferma", {"headline": "Riconferma 2026", "exercise": "on"})

    alert = Alert.objects.get()
    assert alert.kind == AlertKind.RECONFIRM and alert.exercise
    assert (alert.use_voice, alert.use_sms, alert.use_fax, alert.use_email) == (
        True,
        False,
        False,
        False,
    )
    assert alert.sms_text == alert.email_text == ""


# --- hearing the call ----------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_the_voice_script_can_be_heard_before_sending(operator) -> None:
    alert = draft(operator)
    client = login(operator)

    response = client.get(detail_url(alert))
    url = response.context["listen_it"]
    audio = client.get(url)

    assert url in response.content.decode()
    assert audio["Content-Type"] == "audio/wav" and audio.content[:4] == b"RIFF"
    assert client.get(url.replace("t=", "t=x")).status_code == 404  # only texts we signed


def test_without_espeak_the_page_says_the_preview_is_missing(operator, monkeypatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    alert = draft(operator)

    page = login(operator).get(edit_url(alert)).content.decode()

    assert "manca il sintetizzatore vocale espeak-ng" in page
    assert "Allerta meteo arancione. Non scendere nei sottopassi." in page


def test_the_marks_field_survives_garbage(operator) -> None:
    response = login(operator).post(CREATE, composed(marks="{not json"))

    assert response.status_code == 302
    assert Alert.objects.get().sms_text.startswith("Protezione civile Livorno: Allerta meteo")
