"""What more than one voice flow says: the helpline, digits one by one, the alert message."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from sportello.channels.ivr import Play, Say
from sportello.core.selectors import municipality_get


def helpline_number() -> str:
    municipality = municipality_get()
    helpline = municipality.helplines.first() if municipality else None
    return helpline.phone if helpline else ""


def digits_spoken(code: str) -> str:
    return ", ".join(code)


def digits_phone(number: str) -> str:
    return ", ".join(ch for ch in number if ch.isdigit())


def alert_message_parts(alert, language: str) -> list:
    from sportello.alerts.sending import exercise_marker

    municipality = municipality_get()
    english = language == "en" and alert.voice_text_en
    lang = "en" if english else "it"
    with translation.override(lang):
        parts: list = []
        if alert.exercise:
            parts.append(
                Say(exercise_marker(lang) + _("Questa è una prova, non un'emergenza."), lang)
            )
        if alert.supersedes_id:
            parts.append(
                Say(
                    _("Aggiornamento: questo messaggio sostituisce quello precedente."),
                    lang,
                )
            )
        parts.append(
            Say(
                _("Messaggio della protezione civile del %(name)s.")
                % {"name": municipality.name if municipality else ""},
                lang,
            )
        )
        if alert.voice_recording:
            from django.urls import reverse

            from sportello.channels.providers.twilio import public_url

            parts.append(Play(public_url(reverse("alerts:recording", args=[alert.identifier]))))
        else:
            parts.append(Say(alert.voice_text_en if english else alert.voice_text, lang))
    return parts
