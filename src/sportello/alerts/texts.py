"""What an alert says on each channel: the voice script, SMS, e-mail and fax texts derived from
its CAP content (headline, description, instruction, validity) and then editable; how long an SMS
is; and the one function that saves a draft alert."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _

from sportello.alerts.models import (
    Alert,
    AlertCategory,
    AlertCertainty,
    AlertKind,
    AlertSeverity,
    AlertStatus,
    AlertUrgency,
)
from sportello.channels.gsm import sms_encoding, sms_length, sms_segment_count
from sportello.core.exceptions import ApplicationError
from sportello.core.selectors import municipality_get
from sportello.core.services import audit_record

# What the operator composes; the rest of an Alert (status, area, dispatch…) is set elsewhere.
CONTENT_FIELDS = (
    "event",
    "category",
    "urgency",
    "severity",
    "certainty",
    "headline",
    "description",
    "instruction",
    "headline_en",
    "description_en",
    "instruction_en",
    "onset",
    "expires",
)
CHANNEL_FIELDS = ("use_voice", "use_sms", "use_fax", "use_email", "confirm_requested")
TEXT_FIELDS = (
    "voice_text",
    "voice_text_en",
    "sms_text",
    "sms_text_en",
    "email_subject",
    "email_subject_en",
    "email_text",
    "email_text_en",
    "fax_text",
)
ENGLISH_FIELDS = ("headline_en", "description_en", "instruction_en") + tuple(
    field for field in TEXT_FIELDS if field.endswith("_en")
)

# An SMS longer than this many parts is refused: handsets reassemble it unreliably, and an
# alert that long belongs in the call or the e-mail.
SMS_MAX_SEGMENTS = 6
# A derived SMS is cut to this many parts (the operator may write a longer one).
SMS_DERIVED_SEGMENTS = 2

# The words the derived texts put around the operator's own. They are part of the message, in the
# message's language (Italian texts for Italian fields, English for the _en ones), whatever the
# language of the operator's screen: so they are content, not interface strings to translate.
_WORDS = {
    "it": {
        "sender": "Protezione civile {town}",
        "what": "Cosa fare",
        "from_until": "Dalle {start} alle {end}.",
        "from": "Dalle {start}.",
        "until": "Fino alle {end}.",
        "moment": "{time} di {date}",
        "moment_short": "{time} del {date}",
        "english": "In inglese (English)",
    },
    "en": {
        "sender": "{town} civil protection",
        "what": "What to do",
        "from_until": "From {start} until {end}.",
        "from": "From {start}.",
        "until": "Until {end}.",
        "moment": "{time} on {date}",
        "moment_short": "{time} on {date}",
        "english": "",
    },
}

# Characters that would turn an SMS into UCS-2 (70 characters a part instead of 160), replaced
# in derived texts by their GSM-7 look-alikes. Typed by word processors, and capital accented
# vowels other than É are missing from the GSM alphabet.
_GSM_FRIENDLY = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u00a0": " ",
        "\u00c8": "E'",
        "\u00c0": "A'",
        "\u00cc": "I'",
        "\u00d2": "O'",
        "\u00d9": "U'",
        "\u00e1": "a",
        "\u00ed": "i",
        "\u00f3": "o",
        "\u00fa": "u",
    }
)


def text_normalise(text: str) -> str:
    """Line ends as a browser's textarea counts them (\\n; forms send \\r\\n), no stray spaces."""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    if text and text[-1] not in ".!?:;":
        text += "."
    return text


def _paragraphs(*texts: str) -> str:
    return "\n\n".join(text.strip() for text in texts if text and text.strip())


def _moment(value: datetime.datetime, language: str, *, short: bool) -> str:
    local = timezone.localtime(value)
    words = _WORDS[language]
    with translation.override(language):
        if short:
            return words["moment_short"].format(
                time=dateformat.format(local, "H:i"), date=dateformat.format(local, "j/n")
            )
        date = dateformat.format(local, "l j F")
        # Italian writes days and months in lower case («venerdì 27 novembre»).
        return words["moment"].format(
            time=dateformat.format(local, "H:i"), date=date.lower() if language == "it" else date
        )


def validity_text(alert: Alert, language: str, *, short: bool = False) -> str:
    """«Dalle 14:00 di lunedì 3 marzo alle 23:59 di martedì 4 marzo.» (or the SMS form
    «Dalle 14:00 del 3/3 …»); empty when the alert has neither onset nor expiry."""
    words = _WORDS[language]
    start = _moment(alert.onset, language, short=short) if alert.onset else ""
    end = _moment(alert.expires, language, short=short) if alert.expires else ""
    if start and end:
        return words["from_until"].format(start=start, end=end)
    if start:
        return words["from"].format(start=start)
    if end:
        return words["until"].format(end=end)
    return ""


def _town() -> str:
    municipality = municipality_get()
    return municipality.short_name if municipality else ""


def _sms_fit(text: str, *, prefix: str, segments: int) -> str:
    """The text, cut at a word with «...» so that prefix + text fits in `segments` parts."""
    text = " ".join(text.split())
    if sms_segment_count(prefix + text) <= segments:
        return text
    words = text.split(" ")
    while len(words) > 1:
        words.pop()
        candidate = " ".join(words).rstrip(".,;:") + "..."
        if sms_segment_count(prefix + candidate) <= segments:
            return candidate
    # One word longer than the whole SMS: cut it.
    while text and sms_segment_count(prefix + text + "...") > segments:
        text = text[:-1]
    return text + "..."


def _marker(language: str) -> str:
    # Imported here: alerts.sending may well use this module (alert_texts_derive) in turn.
    from sportello.alerts.sending import exercise_marker

    return exercise_marker(language)


def _language_texts(alert: Alert, language: str) -> dict[str, str]:
    english = language == "en"
    headline = alert.headline_en if english else alert.headline
    description = alert.description_en if english else alert.description
    instruction = alert.instruction_en if english else alert.instruction
    if not headline:
        return {}
    words = _WORDS[language]
    what = f"{words['what']}: {_sentence(instruction)}" if instruction else ""
    voice = " ".join(
        part
        for part in (
            _sentence(headline),
            validity_text(alert, language),
            _sentence(description),
            what,
        )
        if part
    )
    sender = words["sender"].format(town=_town()).strip()
    body = " ".join(
        part
        for part in (
            _sentence(headline),
            validity_text(alert, language, short=True),
            _sentence(instruction or description),
        )
        if part
    )
    sms = f"{sender}: {body}".translate(_GSM_FRIENDLY)
    marker = _marker(language) if alert.exercise else ""
    email = _paragraphs(description, f"{words['what']}:\n{instruction.strip()}" if what else "")
    return {
        "voice": voice,
        "sms": _sms_fit(sms, prefix=marker, segments=SMS_DERIVED_SEGMENTS),
        "subject": " ".join(headline.split()),
        "email": email,
        "fax": _paragraphs(validity_text(alert, language), email),
    }


def texts_derived(*, alert: Alert) -> dict[str, str]:
    """Every per-channel text as derived from the alert's content now, whatever it holds."""
    if alert.kind == AlertKind.RECONFIRM:
        return dict.fromkeys(TEXT_FIELDS, "")
    italian = _language_texts(alert, "it")
    english = _language_texts(alert, "en")
    fax = italian.get("fax", "")
    if english:
        fax = _paragraphs(
            fax,
            f"{_WORDS['it']['english']}\n\n"
            + _paragraphs(_sentence(alert.headline_en), english.get("fax", "")),
        )
    return {
        "voice_text": italian.get("voice", ""),
        "voice_text_en": english.get("voice", ""),
        "sms_text": italian.get("sms", ""),
        "sms_text_en": english.get("sms", ""),
        "email_subject": italian.get("subject", ""),
        "email_subject_en": english.get("subject", ""),
        "email_text": italian.get("email", ""),
        "email_text_en": english.get("email", ""),
        "fax_text": fax,
    }


def alert_texts_derive(*, alert: Alert) -> None:
    """Fill the alert's empty per-channel texts from its headline, description, instruction and
    validity (English ones only when the English headline is there); the SMS is kept short."""
    for field, value in texts_derived(alert=alert).items():
        if not getattr(alert, field):
            setattr(alert, field, value)


def text_mark(text: str) -> str:
    """A short fingerprint of a text, to tell later whether the operator changed it."""
    return hashlib.sha256(text_normalise(text).encode("utf-8")).hexdigest()[:16]


def texts_refresh(*, alert: Alert, marks: dict[str, str]) -> dict[str, str]:
    """Re-derive the per-channel texts the operator has not changed since they were derived
    (their fingerprint is still in `marks`) or left empty; keep the ones they wrote. So a new
    headline reaches the SMS unless the SMS was written by hand. Returns the new marks."""
    derived = texts_derived(alert=alert)
    for field in TEXT_FIELDS:
        current = getattr(alert, field) or ""
        if not current.strip() or text_mark(current) == marks.get(field):
            setattr(alert, field, derived[field])
    return {field: text_mark(value) for field, value in derived.items()}


# --- SMS length ----------------------------------------------------------------------------


def sms_sent_text(text: str, *, exercise: bool, language: str) -> str:
    """The SMS as the phones receive it: exercises carry the «ESERCITAZIONE - » marker."""
    return (_marker(language) if exercise else "") + text


def sms_counter_text(text: str, *, exercise: bool = False, language: str = "it") -> str:
    """«148 caratteri, GSM-7, 1 SMS», as the live counter on the page shows it."""
    sent = sms_sent_text(text, exercise=exercise, language=language)
    segments = sms_segment_count(sent) if sent else 0
    figures = _("%(chars)s caratteri, %(encoding)s, %(segments)s SMS") % {
        "chars": sms_length(sent),
        "encoding": sms_encoding(sent),
        "segments": segments,
    }
    if segments > SMS_MAX_SEGMENTS:
        figures += " — " + _("troppo lungo: al massimo %(max)s SMS") % {"max": SMS_MAX_SEGMENTS}
    return figures


def sms_problem(text: str, *, exercise: bool, language: str) -> str | None:
    """Why this SMS text cannot be sent, in plain Italian; None when it can."""
    sent = sms_sent_text(text, exercise=exercise, language=language)
    segments = sms_segment_count(sent)
    if segments <= SMS_MAX_SEGMENTS:
        return None
    message = _(
        "L'SMS è troppo lungo: richiede %(segments)s SMS (%(chars)s caratteri, %(encoding)s), "
        "il massimo è %(max)s. Accorcialo: i dettagli vanno nella chiamata e nell'e-mail."
    ) % {
        "segments": segments,
        "chars": sms_length(sent),
        "encoding": sms_encoding(sent),
        "max": SMS_MAX_SEGMENTS,
    }
    if sms_encoding(sent) == "UCS-2":
        message += " " + _(
            "Contiene caratteri fuori dall'alfabeto GSM (per esempio virgolette curve, emoji o "
            "lettere maiuscole accentate come È): senza di essi ogni SMS porta 160 caratteri "
            "invece di 70."
        )
    return message


# --- saving --------------------------------------------------------------------------------


def _reconfirm_content() -> dict[str, Any]:
    """A re-confirmation campaign's fixed content: the call itself is the `reconfirm` voice
    flow; this only says, on the console and in reports, what it is."""
    return {
        "event": _("Riconferma dei contatti"),
        "category": AlertCategory.OTHER,
        "urgency": AlertUrgency.FUTURE,
        "severity": AlertSeverity.MINOR,
        "certainty": AlertCertainty.OBSERVED,
        "description": _(
            "Una chiamata ai numeri degli elenchi telefonici pubblici nell'area: chi risponde "
            "preme 1 per continuare a ricevere gli avvisi di protezione civile, 2 per essere "
            "tolto subito dall'elenco. Chi non risponde resta da richiamare."
        ),
        "instruction": "",
        "use_voice": True,
        "use_sms": False,
        "use_fax": False,
        "use_email": False,
        "confirm_requested": False,
        **{field: "" for field in ENGLISH_FIELDS},
        **{field: "" for field in TEXT_FIELDS},
    }


@transaction.atomic
def alert_draft_save(
    *,
    alert: Alert | None,
    values: dict[str, Any],
    by: Any,
    kind: str = AlertKind.ALERT,
    recording: UploadedFile | None = None,
    recording_extension: str = "",
    recording_clear: bool = False,
) -> Alert:
    """Create a draft alert (alert=None) or change one that is still a draft; the per-channel
    texts left empty are derived. `values` holds CONTENT_FIELDS, CHANNEL_FIELDS, TEXT_FIELDS and
    `exercise` (for a re-confirmation campaign only `headline` and `exercise`)."""
    if alert is None:
        alert = Alert(created_by=by, kind=kind)
        action = "alert.create"
    else:
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.status != AlertStatus.DRAFT:
            raise ApplicationError(
                _("L'allerta non è più in bozza (stato: %(status)s): non si può modificare.")
                % {"status": alert.get_status_display()}
            )
        action = "alert.edit"
    if alert.kind == AlertKind.RECONFIRM:
        values = {**_reconfirm_content(), **values}
    allowed = {*CONTENT_FIELDS, *CHANNEL_FIELDS, *TEXT_FIELDS, "exercise"}
    for field, value in values.items():
        if field not in allowed:
            raise ValueError(f"{field} is not a field an operator composes")
        setattr(alert, field, value)
    alert_texts_derive(alert=alert)
    if recording_clear or alert.kind == AlertKind.RECONFIRM:
        alert.voice_recording = ""
    if recording is not None and alert.kind == AlertKind.ALERT:
        # Named by us, not by the uploader: the file is served to the voice provider.
        alert.voice_recording.save(f"{alert.identifier}.{recording_extension}", recording, False)
    alert.save()
    audit_record(actor=by, action=action, target=alert)
    return alert
