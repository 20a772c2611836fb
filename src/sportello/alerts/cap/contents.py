"""The texts and figures of a CAP message's <info> blocks as the fields of a draft alert."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.utils.translation import gettext as _

from sportello.alerts.cap.reading import CapInfo
from sportello.alerts.models import AlertCategory, AlertCertainty, AlertSeverity, AlertUrgency

HEADLINE_MAX = 160
_EVENT_MAX = 120


def text_cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _choice(value: str, choices: type, default: str) -> str:
    return value if value in choices.values else default


def alert_values(info: CapInfo, english: CapInfo | None) -> dict[str, Any]:
    headline = info.headline or info.event
    values: dict[str, Any] = {
        "event": text_cut(info.event, _EVENT_MAX),
        "category": _choice(info.category, AlertCategory, AlertCategory.OTHER),
        "urgency": _choice(info.urgency, AlertUrgency, AlertUrgency.UNKNOWN),
        "severity": _choice(info.severity, AlertSeverity, AlertSeverity.UNKNOWN),
        "certainty": _choice(info.certainty, AlertCertainty, AlertCertainty.UNKNOWN),
        "headline": text_cut(headline, HEADLINE_MAX),
        "description": info.description or headline,
        "instruction": info.instruction,
        "onset": info.onset,
        "expires": info.expires,
    }
    if english is not None and (english.headline or english.event):
        english_headline = english.headline or english.event
        values.update(
            headline_en=text_cut(english_headline, HEADLINE_MAX),
            description_en=english.description or english_headline,
            instruction_en=english.instruction,
        )
    return values


# Marks the Italian fields of a draft imported without Italian texts (see cap_import).
TO_TRANSLATE = "[DA TRADURRE]"


def infos_merged(infos: list[CapInfo], notes: list[str]) -> CapInfo | None:
    """One block for the draft from every <info> of a language, none dropped: the first's
    headline and figures, every block's description and instruction in order, all areas."""
    if not infos:
        return None
    if len(infos) == 1:
        return infos[0]
    first = infos[0]
    notes.append(
        _(
            "Il messaggio ha %(count)d blocchi di testo in «%(language)s»: la bozza li riporta "
            "tutti, uno dopo l'altro. Controlla che il testo si legga bene."
        )
        % {"count": len(infos), "language": first.language}
    )

    def joined(name: str, with_headline: bool) -> str:
        parts = []
        for info in infos:
            text = getattr(info, name).strip()
            title = (info.headline or info.event).strip()
            if text and with_headline and title:
                text = f"{title}: {text}"
            if text and text not in parts:
                parts.append(text)
        return "\n\n".join(parts)

    return dataclasses.replace(
        first,
        description=joined("description", with_headline=True),
        instruction=joined("instruction", with_headline=False),
        areas=[area for info in infos for area in info.areas],
    )
