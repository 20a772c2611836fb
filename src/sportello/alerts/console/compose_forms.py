"""Forms of the alert console's compose pages: the alert itself (CAP content, channels, texts
per channel, recorded message), a re-confirmation campaign, scheduling and stopping."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sportello.alerts.models import Alert, AlertKind
from sportello.alerts.texts import (
    CHANNEL_FIELDS,
    CONTENT_FIELDS,
    ENGLISH_FIELDS,
    TEXT_FIELDS,
    sms_problem,
    text_normalise,
    texts_refresh,
)
from sportello.core.forms import AccessibleFormMixin

RECORDING_MAX_BYTES = 5 * 1024 * 1024
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"

# MPEG audio frame header fields that no real frame carries (ISO 11172-3 / 13818-3).
_MPEG_RESERVED_VERSION = 0b01
_MPEG_RESERVED_LAYER = 0b00


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


def _mpeg_frame_at(data: bytes, offset: int) -> bool:
    """An MPEG audio (MP3) frame header starts at `offset`: 11 sync bits, then a version, a
    layer, a bitrate and a sampling rate that exist."""
    header = data[offset : offset + 4]
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return False
    version = (header[1] >> 3) & 0b11
    layer = (header[1] >> 1) & 0b11
    bitrate = header[2] >> 4
    sampling = (header[2] >> 2) & 0b11
    return (
        version != _MPEG_RESERVED_VERSION
        and layer != _MPEG_RESERVED_LAYER
        and bitrate not in (0b0000, 0b1111)
        and sampling != 0b11
    )


def audio_kind(data: bytes) -> str | None:
    """ "wav" or "mp3" when the bytes are one, by their content (never by the file name)."""
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        # The format chunk must be there: a RIFF/WAVE header alone is easy to fake.
        position = 12
        while position + 8 <= len(data):
            chunk, size = (
                data[position : position + 4],
                int.from_bytes(data[position + 4 : position + 8], "little"),
            )
            if chunk == b"fmt " and size >= 16:
                return "wav"
            position += 8 + size + (size & 1)
        return None
    if data[:3] == b"ID3" and len(data) >= 10:
        # ID3v2: the tag's size is a "syncsafe" integer (7 bits per byte); audio follows it.
        size = 0
        for byte in data[6:10]:
            size = (size << 7) | (byte & 0x7F)
        offset = 10 + size + (10 if data[5] & 0x10 else 0)  # footer flag
        return "mp3" if _mpeg_frame_at(data, offset) else None
    return "mp3" if _mpeg_frame_at(data, 0) else None


class AlertForm(AccessibleFormMixin, forms.ModelForm):
    """A draft alert: what happens (CAP), the texts, the channels and the texts per channel.
    Texts per channel the operator has not changed follow the content (see texts_refresh)."""

    recording = forms.FileField(
        required=False,
        label=gettext_lazy("Messaggio registrato (WAV o MP3)"),
        help_text=gettext_lazy(
            "Facoltativo, al massimo 5 MB. Se c'è, la chiamata fa ascoltare la registrazione "
            "invece di leggere il testo."
        ),
        widget=forms.FileInput(attrs={"accept": ".wav,.mp3,audio/wav,audio/mpeg"}),
    )
    recording_clear = forms.BooleanField(
        required=False, label=gettext_lazy("Togli il messaggio registrato")
    )
    # Fingerprints of the texts per channel as last derived ({field: mark}), to tell which ones
    # the operator has changed since.
    marks = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Alert
        fields = ["exercise", *CONTENT_FIELDS, *CHANNEL_FIELDS, *TEXT_FIELDS]
        labels = {
            "exercise": gettext_lazy("Esercitazione (prova)"),
            "event": gettext_lazy("Evento"),
            "category": gettext_lazy("Categoria"),
            "urgency": gettext_lazy("Urgenza"),
            "severity": gettext_lazy("Gravità"),
            "certainty": gettext_lazy("Certezza"),
            "headline": gettext_lazy("Titolo"),
            "description": gettext_lazy("Descrizione"),
            "instruction": gettext_lazy("Cosa fare"),
            "headline_en": gettext_lazy("Titolo in inglese"),
            "description_en": gettext_lazy("Descrizione in inglese"),
            "instruction_en": gettext_lazy("Cosa fare, in inglese"),
            "onset": gettext_lazy("Inizio"),
            "expires": gettext_lazy("Fine validità"),
            "use_voice": gettext_lazy("Chiamate vocali (cellulari e fissi)"),
            "use_sms": gettext_lazy("SMS ai cellulari"),
            "use_fax": gettext_lazy("Fax"),
            "use_email": gettext_lazy("E-mail"),
            "confirm_requested": gettext_lazy(
                "Nella chiamata, chiedere di premere 1 per confermare l'ascolto"
            ),
            "voice_text": gettext_lazy("Testo della chiamata"),
            "voice_text_en": gettext_lazy("Testo della chiamata in inglese"),
            "sms_text": gettext_lazy("Testo dell'SMS"),
            "sms_text_en": gettext_lazy("Testo dell'SMS in inglese"),
            "email_subject": gettext_lazy("Oggetto dell'e-mail"),
            "email_subject_en": gettext_lazy("Oggetto dell'e-mail in inglese"),
            "email_text": gettext_lazy("Testo dell'e-mail"),
            "email_text_en": gettext_lazy("Testo dell'e-mail in inglese"),
            "fax_text": gettext_lazy("Testo del fax"),
        }
        help_texts = {
            "exercise": gettext_lazy(
                "Per le prove: ogni messaggio inizia con «ESERCITAZIONE» e ogni pagina e "
                "resoconto lo dichiarano."
            ),
            "event": gettext_lazy("Es. «Pioggia intensa», «Incendio boschivo»."),
            "headline": gettext_lazy(
                "Breve: apre l'SMS, la chiamata e l'oggetto dell'e-mail. Al massimo 160 caratteri."
            ),
            "description": gettext_lazy("Che cosa succede o succederà, e dove."),
            "instruction": gettext_lazy("Che cosa deve fare chi riceve l'allerta."),
            "onset": gettext_lazy("Facoltativo. Da quando vale l'allerta."),
            "expires": gettext_lazy("Facoltativo. Deve venire dopo l'inizio."),
            "headline_en": gettext_lazy(
                "Facoltativo. Chi si è iscritto in inglese riceve questi testi; se scrivi "
                "qualcosa in inglese, servono almeno titolo e descrizione."
            ),
            "voice_text": gettext_lazy(
                "Letto da una voce sintetica dopo la presentazione del Comune. Scrivi i numeri e "
                "le sigle come si pronunciano."
            ),
            "fax_text": gettext_lazy("Il fax riporta sopra il titolo; ha solo questo testo."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "instruction": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 4, "lang": "en"}),
            "instruction_en": forms.Textarea(attrs={"rows": 3, "lang": "en"}),
            "headline_en": forms.TextInput(attrs={"lang": "en"}),
            "onset": _datetime_input(),
            "expires": _datetime_input(),
            "voice_text": forms.Textarea(attrs={"rows": 5}),
            "voice_text_en": forms.Textarea(attrs={"rows": 5, "lang": "en"}),
            "sms_text": forms.Textarea(attrs={"rows": 4, "data-sms-language": "it"}),
            "sms_text_en": forms.Textarea(
                attrs={"rows": 4, "lang": "en", "data-sms-language": "en"}
            ),
            "email_subject_en": forms.TextInput(attrs={"lang": "en"}),
            "email_text": forms.Textarea(attrs={"rows": 7}),
            "email_text_en": forms.Textarea(attrs={"rows": 7, "lang": "en"}),
            "fax_text": forms.Textarea(attrs={"rows": 7}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recording_extension = ""
        for name in ("description", "instruction", "description_en", "instruction_en"):
            self.fields[name].max_length = 4000
            self.fields[name].widget.attrs["maxlength"] = 4000
        for name in TEXT_FIELDS:
            # Empty texts are derived when saved, so none is required here.
            field = self.fields[name]
            field.required = False
            field.derived = True  # type: ignore[attr-defined]  # not "optional": composed
            if not isinstance(field.widget, forms.TextInput):
                field.max_length = 6000
            if not field.help_text:
                field.help_text = _(
                    "Composto dai testi qui sopra; puoi cambiarlo. Se lo svuoti, viene composto "
                    "di nuovo."
                )
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-help"
        for name in ("sms_text", "sms_text_en"):
            # The live counter is read out with the field.
            described = self.fields[name].widget.attrs.get("aria-describedby", "")
            self.fields[name].widget.attrs["aria-describedby"] = (
                f"{described} {self[name].auto_id}-count".strip()
            )

    def clean_marks(self) -> dict[str, str]:
        try:
            marks = json.loads(self.cleaned_data["marks"] or "{}")
        except json.JSONDecodeError:
            return {}
        if not isinstance(marks, dict):
            return {}
        return {str(key): str(value) for key, value in marks.items()}

    def clean_recording(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("recording")
        if not upload:
            return None
        if upload.size > RECORDING_MAX_BYTES:
            raise ValidationError(
                _(
                    "Il file audio è troppo grande: al massimo 5 MB. Registra un messaggio più "
                    "breve."
                )
            )
        upload.seek(0)
        head = upload.read(64 * 1024)
        upload.seek(0)
        kind = audio_kind(head)
        if kind is None:
            raise ValidationError(
                _(
                    "Il file non è un audio WAV o MP3. Esporta la registrazione in uno di "
                    "questi formati e caricala di nuovo."
                )
            )
        self.recording_extension = kind
        return upload

    def _set_data(self, name: str, value: str) -> None:
        """Show `value` in the field when the page is shown again (errors, derived texts)."""
        if not getattr(self.data, "_mutable", True):
            self.data = self.data.copy()
        self.data[self.add_prefix(name)] = value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in (*CONTENT_FIELDS, *TEXT_FIELDS):
            if isinstance(data.get(name), str):
                data[name] = text_normalise(data[name])

        onset, expires = data.get("onset"), data.get("expires")
        if onset and expires and expires <= onset:
            self.add_error("expires", _("La fine validità deve venire dopo l'inizio."))
        elif expires and expires <= timezone.now():
            self.add_error(
                "expires", _("La fine validità è già passata: scegli una data e un'ora future.")
            )

        if not any(data.get(name) for name in ("use_voice", "use_sms", "use_fax", "use_email")):
            self.add_error(
                "use_voice",
                _("Scegli almeno un canale: chiamate vocali, SMS, fax o e-mail."),
            )

        # Texts follow the content only when it is all valid, and never over a text in error
        # (the operator's own words stay on the page to be corrected).
        if all(name not in self.errors for name in (*CONTENT_FIELDS, *TEXT_FIELDS)):
            draft = Alert(
                kind=AlertKind.ALERT,
                exercise=bool(data.get("exercise")),
                **{name: data.get(name) for name in CONTENT_FIELDS},
                **{name: data.get(name) or "" for name in TEXT_FIELDS},
            )
            marks = texts_refresh(alert=draft, marks=data.get("marks") or {})
            for name in TEXT_FIELDS:
                data[name] = getattr(draft, name)
                self._set_data(name, data[name])
            data["marks"] = marks
            self._set_data("marks", json.dumps(marks))

        english = [name for name in ENGLISH_FIELDS if data.get(name)]
        if english:
            for name, message in (
                (
                    "headline_en",
                    _("Manca il titolo in inglese: scrivilo, o togli i testi in inglese."),
                ),
                (
                    "description_en",
                    _("Manca la descrizione in inglese: scrivila, o togli i testi in inglese."),
                ),
            ):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, message)

        for name, language in (("sms_text", "it"), ("sms_text_en", "en")):
            text = data.get(name)
            if text:
                problem = sms_problem(text, exercise=bool(data.get("exercise")), language=language)
                if problem:
                    self.add_error(name, problem)
        return data

    def values(self) -> dict[str, Any]:
        """What the draft-saving service takes."""
        names = ("exercise", *CONTENT_FIELDS, *CHANNEL_FIELDS, *TEXT_FIELDS)
        return {name: self.cleaned_data[name] for name in names}


class ReconfirmForm(AccessibleFormMixin, forms.Form):
    """A re-confirmation campaign: its texts are the fixed voice flow; only a name is asked."""

    headline = forms.CharField(
        label=gettext_lazy("Nome della campagna"),
        max_length=160,
        help_text=gettext_lazy("Per riconoscerla nell'elenco delle allerte e nei resoconti."),
    )
    exercise = forms.BooleanField(
        required=False,
        label=gettext_lazy("Esercitazione (prova)"),
        help_text=gettext_lazy("Per provare il sistema: le pagine e i resoconti lo dichiarano."),
    )

    def values(self) -> dict[str, Any]:
        return {
            "headline": self.cleaned_data["headline"],
            "exercise": self.cleaned_data["exercise"],
        }


class ScheduleForm(AccessibleFormMixin, forms.Form):
    at = forms.DateTimeField(label=gettext_lazy("Data e ora dell'invio"), widget=_datetime_input())

    def clean_at(self) -> Any:
        value = self.cleaned_data["at"]
        if value <= timezone.now():
            raise ValidationError(
                _("L'orario dell'invio è già passato: scegli una data e un'ora future.")
            )
        return value


class StopForm(AccessibleFormMixin, forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("Confermo di voler interrompere"),
        error_messages={
            "required": gettext_lazy(
                "Per interrompere l'invio spunta «Confermo di voler interrompere» e premi di "
                "nuovo «Interrompi»."
            )
        },
    )
