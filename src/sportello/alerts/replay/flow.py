"""The 24-hour replay call: welcome, each alert with its menu, the helpline."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sportello.alerts.flows.speech import alert_message_parts, digits_phone
from sportello.alerts.models import Alert, AlertStatus
from sportello.alerts.replay.selectors import (
    ReplayCaller,
    ReplayItem,
    ReplayLine,
    replay_caller,
    replay_items,
    replay_line,
)
from sportello.channels.ivr import Call, Gather, Pause, Prompt, Say
from sportello.channels.phones import phone_e164

_GATHER_SECONDS = 6
_KEYS = "0123456789*#"


def _when(value: datetime.datetime, now: datetime.datetime) -> str:
    """«oggi alle 14:35», «ieri alle 23:10» (local time)."""
    local = timezone.localtime(value)
    today = timezone.localtime(now).date()
    time = date_format(local, "H:i")
    if local.date() == today:
        return _("oggi alle %(time)s") % {"time": time}
    if local.date() == today - datetime.timedelta(days=1):
        return _("ieri alle %(time)s") % {"time": time}
    return _("il %(date)s alle %(time)s") % {"date": date_format(local, "j F"), "time": time}


def _menu(*, last: bool, helpline: str, say_last: bool = True) -> str:
    choices = []
    if last and say_last:
        choices.append(_("Era l'ultima allerta."))
    choices.append(_("Per riascoltare questa allerta premi 1."))
    if not last:
        choices.append(_("Per la prossima allerta premi 2."))
    if helpline:
        choices.append(_("Per sentire il numero di assistenza premi 9."))
    choices.append(_("Per terminare premi 0."))
    return " ".join(choices)


def _gather(alert: Alert) -> Gather:
    # No key is an answer too: the next alert, or goodbye after the last.
    return Gather(
        step=f"alert-{alert.pk}", num_digits=1, timeout=_GATHER_SECONDS, empty_to_step=True
    )


def _alert_prompt(
    items: list[ReplayItem],
    index: int,
    *,
    line: ReplayLine,
    language: str,
    now: datetime.datetime,
    intro: list[Say] | None = None,
) -> Prompt:
    item = items[index]
    alert = item.alert
    parts: list[Any] = list(intro or [])
    parts.append(
        Say(
            _("Allerta %(position)s di %(total)s, inviata %(when)s.")
            % {"position": index + 1, "total": len(items), "when": _when(alert.sent_at, now)},
            language,
        )
    )
    if alert.status == AlertStatus.STOPPED:
        parts.append(
            Say(
                _("Questa allerta è stata interrotta %(when)s.")
                % {"when": _when(alert.stopped_at, now)}
                if alert.stopped_at
                else _("Questa allerta è stata interrotta."),
                language,
            )
        )
    if item.concerns_caller:
        parts.append(Say(_("Questa allerta riguarda il tuo indirizzo."), language))
    headline_language = "en" if language == "en" and alert.headline_en else "it"
    headline = alert.headline_en if headline_language == "en" else alert.headline
    with translation.override(headline_language):
        if alert.exercise:
            headline = _("Esercitazione: %(headline)s") % {"headline": headline}
    if headline:
        # A full stop, so that the voice pauses before the message.
        end = "" if headline.rstrip()[-1:] in ".!?" else "."
        parts.append(Say(headline.rstrip() + end, headline_language))
    parts.extend(alert_message_parts(alert, language))
    parts.append(Pause(1))
    parts.append(
        Say(
            _menu(last=index == len(items) - 1, helpline=line.helpline, say_last=len(items) > 1),
            language,
        )
    )
    return Prompt(parts, gather=_gather(alert))


def _welcome(
    items: list[ReplayItem],
    *,
    caller: ReplayCaller | None,
    line: ReplayLine,
    language: str,
    now: datetime.datetime,
) -> Prompt:
    name = line.municipality or _("Comune")
    parts = [
        Say(
            _("Servizio di riascolto delle allerte di protezione civile del %(name)s.")
            % {"name": name},
            language,
        )
    ]
    if not items:
        parts.append(Say(_("Nessuna allerta nelle ultime 24 ore. Arrivederci."), language))
        return Prompt(parts)
    count = len(items)
    parts.append(
        Say(
            ngettext(
                "Nelle ultime 24 ore è stata inviata %(count)s allerta.",
                "Nelle ultime 24 ore sono state inviate %(count)s allerte.",
                count,
            )
            % {"count": count},
            language,
        )
    )
    if caller is not None:
        yours = sum(item.concerns_caller for item in items)
        if yours == count:
            text = (
                _("Riguarda il tuo indirizzo.")
                if count == 1
                else _("Riguardano tutte il tuo indirizzo.")
            )
        elif yours:
            text = ngettext(
                "%(count)s riguarda il tuo indirizzo: la senti per prima.",
                "%(count)s riguardano il tuo indirizzo: le senti per prime.",
                yours,
            ) % {"count": yours}
        else:
            text = (
                _("Non riguarda il tuo indirizzo.")
                if count == 1
                else _("Nessuna riguarda il tuo indirizzo.")
            )
        parts.append(Say(text, language))
    return _alert_prompt(items, 0, line=line, language=language, now=now, intro=parts)


def _helpline_prompt(
    items: list[ReplayItem], index: int, *, line: ReplayLine, language: str
) -> Prompt:
    digits = digits_phone(line.helpline)
    return Prompt(
        [
            Say(
                _("Il numero di assistenza è %(number)s. Ripeto: %(number)s.") % {"number": digits},
                language,
            ),
            Pause(1),
            Say(
                _menu(last=index == len(items) - 1, helpline=line.helpline, say_last=False),
                language,
            ),
        ],
        gather=_gather(items[index].alert),
    )


def _current(step: str, items: list[ReplayItem]) -> int | None:
    """Which alert the call is at ("alert-<id>"), or None at the start, for a step we do not
    know, or when that alert has left the 24 hours meanwhile."""
    name, _dash, value = step.partition("-")
    if name != "alert" or not value.isdigit():
        return None
    pk = int(value)
    return next((i for i, item in enumerate(items) if item.alert.pk == pk), None)


def replay(call: Call, step: str, digits: str) -> Prompt:
    """Inbound, on the alert caller ID. Steps: "start" welcomes and plays the first alert;
    "alert-<id>" takes the key pressed after that alert: 1 repeats it, 2 (or silence) goes on to
    the next, 9 says the helpline number, 0 ends the call; any other key is told it is not
    valid and hears the choices again."""
    now = timezone.now()
    line = replay_line(now=now)
    number = phone_e164(call.caller) if call.caller else None
    caller = replay_caller(number=number) if number else None
    language = caller.language if caller is not None else "it"
    items = replay_items(alerts=line.alerts, caller=caller)
    with translation.override(language):
        index = _current(step, items)
        if index is None:
            return _welcome(items, caller=caller, line=line, language=language, now=now)
        key = digits if len(digits) == 1 and digits in _KEYS else ("" if not digits else "?")
        last = index == len(items) - 1
        if key == "0":
            return Prompt([Say(_("Grazie per aver chiamato. Arrivederci."), language)])
        if key == "1":
            return _alert_prompt(items, index, line=line, language=language, now=now)
        if key in ("2", "") and not last:
            return _alert_prompt(items, index + 1, line=line, language=language, now=now)
        if key == "":
            return Prompt([Say(_("Non ci sono altre allerte. Arrivederci."), language)])
        if key == "9" and line.helpline:
            return _helpline_prompt(items, index, line=line, language=language)
        said = _("Non ci sono altre allerte.") if key == "2" else _("Tasto non valido.")
        return Prompt(
            [
                Say(said, language),
                Say(_menu(last=last, helpline=line.helpline, say_last=False), language),
            ],
            gather=_gather(items[index].alert),
        )
