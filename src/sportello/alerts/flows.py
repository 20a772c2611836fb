"""The alert system's voice flows, spoken alike by the phone simulator and by Twilio.

- verification (outbound): reads the 6-digit code twice, digit by digit; never into voicemail.
- deregistration (inbound, on the deregistration line): finds the caller's subscription by
  caller ID, says which (masked), and deletes it all when the caller presses 1.
- registration_request (inbound, on the registration-request line): pressing 1 queues a
  call-back by an operator.

Where one number is both lines (Livorno), the caller first chooses with a key (channels.ivr's
menu for shared numbers), then the chosen flow runs unchanged.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sportello.alerts.services import (
    contact_delete,
    contact_find_by_number,
    subscription_delete,
    subscription_find_by_number,
    verification_code_spoken,
)
from sportello.channels.ivr import (
    Call,
    Gather,
    Pause,
    Play,
    Prompt,
    Say,
    flow_register,
    inbound_register,
    unknown_line,
)
from sportello.channels.phones import phone_e164, phone_masked
from sportello.core.selectors import municipality_get


def _helpline() -> str:
    municipality = municipality_get()
    helpline = municipality.helplines.first() if municipality else None
    return helpline.phone if helpline else ""


def _digits(code: str) -> str:
    return ", ".join(code)


def verification(call: Call, step: str, digits: str) -> Prompt:
    with translation.override(call.language):
        if call.params.get("already_subscribed"):
            # Someone asked to subscribe a number that already is: only its owner hears so
            # (safe for a voicemail too: there is no code).
            municipality = municipality_get()
            return Prompt(
                [
                    Say(
                        _(
                            "Buongiorno, chiama il %(name)s. È stata chiesta l'iscrizione "
                            "all'allerta di questo numero, che è già iscritto: non serve fare "
                            "nulla. Per cambiare i tuoi dati o cancellarti usa «Gestisci la tua "
                            "iscrizione» sul sito del Comune."
                        )
                        % {"name": municipality.name if municipality else ""},
                        call.language,
                    )
                ]
            )
        if call.answered_by == "machine":
            # Never leave a code in a voicemail box: whoever listens later is not necessarily
            # the owner, and the code would be stale anyway.
            return Prompt(
                [
                    Say(
                        _(
                            "Chiamata del Comune per l'iscrizione al sistema di allerta. "
                            "Torna sul sito e chiedi una nuova chiamata quando puoi rispondere."
                        ),
                        call.language,
                    )
                ]
            )
        code = verification_code_spoken(code_id=int(call.params.get("code_id", 0)))
        if code is None:
            return Prompt(
                [
                    Say(
                        _("Il codice è scaduto. Torna sul sito e chiedi una nuova chiamata."),
                        call.language,
                    )
                ]
            )
        if step == "start" or (step == "repeat" and digits == "1"):
            return Prompt(
                [
                    Say(
                        _("Buongiorno, chiama il Comune per l'iscrizione all'allerta."),
                        call.language,
                    ),
                    Say(_("Il tuo codice è: %(code)s.") % {"code": _digits(code)}, call.language),
                    Pause(1),
                    Say(_("Ripeto: %(code)s.") % {"code": _digits(code)}, call.language),
                    Say(_("Per riascoltarlo premi 1."), call.language),
                ],
                gather=Gather(step="repeat", num_digits=1),
            )
        return Prompt([Say(_("Arrivederci."), call.language)])


def deregistration(call: Call, step: str, digits: str) -> Prompt:
    number = phone_e164(call.caller) if call.caller else None
    helpline = _helpline()
    if number is None:
        return Prompt(
            [
                Say(
                    _(
                        "Non vediamo il tuo numero. Per cancellarti richiama senza nascondere il "
                        "numero, dal telefono con cui ti sei iscritto, oppure usa il modulo di "
                        "cancellazione sul sito o all'URP."
                    )
                )
            ]
        )
    subscription = subscription_find_by_number(number=number)
    contact = contact_find_by_number(number=number) if subscription is None else None
    if contact is not None:
        return _directory_deregistration(contact, step, digits)
    if subscription is None:
        text = _(
            "Non troviamo iscrizioni all'allerta per il numero da cui chiami. Se ti sei iscritto "
            "con un altro numero, chiama da quello."
        )
        if helpline:
            text += " " + _("Per aiuto chiama il numero %(helpline)s.") % {
                "helpline": _digits_phone(helpline)
            }
        return Prompt([Say(text)])
    if step == "start" or (step == "confirm" and digits not in ("1", "2")):
        street = subscription.civic_number.street.full_name if subscription.civic_number_id else ""
        return Prompt(
            [
                Say(
                    _(
                        "Abbiamo trovato l'iscrizione all'allerta di %(initials)s, in %(street)s, "
                        "per il numero che termina con %(end)s."
                    )
                    % {
                        "initials": f"{subscription.first_name[:1]}. {subscription.last_name[:1]}.",
                        "street": street,
                        "end": _digits(phone_masked(number)[-4:]),
                    }
                ),
                Say(
                    _("Per cancellarla e cancellare tutti i tuoi dati premi 1. Per uscire premi 2.")
                ),
            ],
            gather=Gather(step="confirm", num_digits=1),
        )
    if step == "confirm" and digits == "1":
        subscription_delete(subscription=subscription, channel="voice")
        return Prompt(
            [
                Say(
                    _(
                        "Fatto. L'iscrizione e tutti i tuoi dati sono stati cancellati: non "
                        "riceverai più avvisi. Arrivederci."
                    )
                )
            ]
        )
    return Prompt([Say(_("Nessuna modifica. La tua iscrizione resta attiva. Arrivederci."))])


def _directory_deregistration(contact, step: str, digits: str) -> Prompt:
    if step == "confirm" and digits == "1":
        contact_delete(contact=contact, channel="voice")
        return Prompt(
            [Say(_("Fatto. Il tuo numero non riceverà più chiamate di allerta. Arrivederci."))]
        )
    if step == "confirm" and digits == "2":
        return Prompt([Say(_("Nessuna modifica. Arrivederci."))])
    return Prompt(
        [
            Say(
                _(
                    "Il tuo numero è nell'elenco telefonico pubblico che il Comune usa per gli "
                    "avvisi di protezione civile."
                )
            ),
            Say(_("Per non essere più chiamato premi 1. Per uscire premi 2.")),
        ],
        gather=Gather(step="confirm", num_digits=1),
    )


def _digits_phone(number: str) -> str:
    return ", ".join(ch for ch in number if ch.isdigit())


def paper_confirmation(call: Call, step: str, digits: str) -> Prompt:
    """Outbound: confirm a subscription an operator entered from a paper form."""
    from sportello.alerts.models import Subscription, SubscriptionStatus
    from sportello.alerts.services import subscription_confirm_by_key

    with translation.override(call.language):
        subscription = Subscription.objects.filter(
            pk=call.params.get("subscription"), status=SubscriptionStatus.PENDING
        ).first()
        if subscription is None:
            return Prompt(
                [Say(_("Questa richiesta non è più valida. Arrivederci."), call.language)]
            )
        if call.answered_by == "machine":
            return Prompt(
                [
                    Say(
                        _("Chiamata del Comune per l'iscrizione all'allerta: ti richiameremo."),
                        call.language,
                    )
                ]
            )
        if step == "confirm" and digits == "1":
            subscription_confirm_by_key(subscription=subscription)
            return Prompt(
                [Say(_("Grazie, l'iscrizione all'allerta è attiva. Arrivederci."), call.language)]
            )
        if step == "confirm" and digits == "2":
            return Prompt(
                [Say(_("Va bene, l'iscrizione non è attivata. Arrivederci."), call.language)]
            )
        return Prompt(
            [
                Say(
                    _(
                        "Buongiorno, chiama il Comune: abbiamo ricevuto il tuo modulo di "
                        "iscrizione all'allerta di protezione civile."
                    ),
                    call.language,
                ),
                Say(
                    _("Per confermare l'iscrizione premi 1. Se non l'hai chiesta premi 2."),
                    call.language,
                ),
            ],
            gather=Gather(step="confirm", num_digits=1),
        )


def registration_request(call: Call, step: str, digits: str) -> Prompt:
    """Inbound, on the registration-request line: leave your number to be called back."""
    from sportello.alerts.services import callback_request_create

    number = phone_e164(call.caller) if call.caller else None
    if number is None:
        return Prompt(
            [
                Say(
                    _(
                        "Non vediamo il tuo numero: richiama senza nasconderlo, oppure iscriviti "
                        "sul sito del Comune o all'URP."
                    )
                )
            ]
        )
    if step == "confirm" and digits == "1":
        callback_request_create(number=number, source="ivr")
        return Prompt(
            [
                Say(
                    _(
                        "Grazie. L'ufficio di protezione civile ti richiamerà nei prossimi giorni "
                        "a questo numero per completare l'iscrizione. Arrivederci."
                    )
                )
            ]
        )
    if step == "confirm":
        return Prompt([Say(_("Nessuna richiesta registrata. Arrivederci."))])
    return Prompt(
        [
            Say(_("Servizio di iscrizione all'allerta di protezione civile del Comune.")),
            Say(
                _(
                    "Per essere richiamato da un operatore che ti iscriverà, premi 1. "
                    "Per uscire premi 2."
                )
            ),
        ],
        gather=Gather(step="confirm", num_digits=1),
    )


flow_register("verification", verification)
flow_register("registration_request", registration_request)
flow_register("paper_confirmation", paper_confirmation)
flow_register("deregistration", deregistration)


# --- alerts -------------------------------------------------------------------------------


def _alert_for(call: Call):
    from sportello.alerts.models import Alert

    return Alert.objects.filter(pk=call.params.get("alert")).first()


def _mark(call: Call, status: str) -> None:
    from sportello.channels.services import delivery_status_update

    if call.delivery is not None:
        delivery_status_update(delivery=call.delivery, status=status)


def _alert_message_parts(alert, language: str) -> list:
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


def alert_message(call: Call, step: str, digits: str) -> Prompt:
    """Outbound alert call: the message; to a voicemail it is left once, after the beep (and
    counted as voicemail, not as heard); optionally "press 1 to confirm you heard it"."""
    alert = _alert_for(call)
    if alert is None:
        return unknown_line()
    parts = _alert_message_parts(alert, call.language)
    lang = parts[-1].language if isinstance(parts[-1], Say) else "it"
    with translation.override(lang):
        if call.answered_by == "machine":
            return Prompt(parts)
        if step == "confirm" and digits == "1" and alert.confirm_requested:
            _mark(call, "confirmed")
            return Prompt([Say(_("Grazie, la conferma è registrata. Arrivederci."), lang)])
        if step in ("confirm", "again") and digits != "2":
            return Prompt([Say(_("Arrivederci."), lang)])
        if alert.confirm_requested:
            return Prompt(
                [
                    *parts,
                    Pause(1),
                    Say(
                        _("Per confermare che hai ascoltato premi 1. Per riascoltare premi 2."),
                        lang,
                    ),
                ],
                gather=Gather(step="confirm", num_digits=1),
            )
        return Prompt(
            [*parts, Pause(1), Say(_("Per riascoltare il messaggio premi 2."), lang)],
            gather=Gather(step="again", num_digits=1, timeout=5),
        )


def reconfirm(call: Call, step: str, digits: str) -> Prompt:
    """Re-confirmation campaign for public-directory numbers: 1 keeps the number, 2 removes it
    at once (and puts it on the suppression list). In a drill every sentence says ESERCITAZIONE,
    the question says before any key is pressed that 2 removes nothing now, and 2 only records
    the wish for the office (Contact.removal_requested_at)."""
    from django.db.models import F
    from django.utils import timezone

    from sportello.alerts.models import Alert, Contact
    from sportello.alerts.sending import exercise_marker

    municipality = municipality_get()
    name = municipality.name if municipality else ""
    recipient = call.delivery.recipient if call.delivery else ""
    contact = (
        Contact.objects.filter(pk=int(recipient[1:])).first()
        if recipient.startswith("c") and recipient[1:].isdigit()
        else None
    )
    alert = _alert_for(call)
    drill = bool(alert and alert.exercise)
    with translation.override("it"):
        marker = (exercise_marker("it") + _("Questa è una prova. ")) if drill else ""
        ask = _(
            "Il %(name)s aggiorna l'elenco dei numeri da avvisare in caso di "
            "emergenza. Il tuo numero è nell'elenco telefonico pubblico. Per continuare a "
            "ricevere gli avvisi di protezione civile premi 1. Per non riceverli più premi 2."
        ) % {"name": name}
        if drill:
            ask += " " + _(
                "Trattandosi di un'esercitazione, premendo 2 il numero non viene tolto ora: la "
                "tua richiesta viene registrata e l'ufficio di protezione civile la esamina."
            )
        if call.answered_by == "machine":
            return Prompt(
                [
                    Say(
                        marker
                        + _(
                            "Messaggio del %(name)s sugli avvisi di protezione civile. "
                            "Ti richiameremo."
                        )
                        % {"name": name}
                    )
                ]
            )
        if step == "answer" and digits == "1":
            if contact is not None:
                Contact.objects.filter(pk=contact.pk).update(confirmed_at=timezone.now())
            _mark(call, "confirmed")
            return Prompt(
                [Say(marker + _("Grazie: continuerai a ricevere gli avvisi. Arrivederci."))]
            )
        if step == "answer" and digits == "2":
            if alert is not None:
                Alert.objects.filter(pk=alert.pk).update(removal_requests=F("removal_requests") + 1)
            if drill:
                if contact is not None:
                    Contact.objects.filter(pk=contact.pk).update(
                        removal_requested_at=timezone.now()
                    )
                return Prompt(
                    [
                        Say(
                            marker
                            + _(
                                "La tua richiesta è registrata: l'ufficio di protezione civile "
                                "la esaminerà. Per ora il numero resta nell'elenco. Arrivederci."
                            )
                        )
                    ]
                )
            if contact is not None:
                contact_delete(contact=contact, channel="ivr")
            return Prompt(
                [Say(_("Il tuo numero è stato tolto: non riceverai più avvisi. Arrivederci."))]
            )
        return Prompt([Say(marker + ask)], gather=Gather(step="answer", num_digits=1))


flow_register("alert_message", alert_message)
flow_register("reconfirm", reconfirm)


def _registration_request_line() -> str:
    municipality = municipality_get()
    return municipality.registration_request_line if municipality else ""


def _deregistration_line() -> str:
    municipality = municipality_get()
    return municipality.deregistration_line if municipality else ""


# Registered in this order, so that on a number serving both (Livorno's) the menu offers the
# request first: "Per chiedere l'iscrizione ... premi 1. Per cancellarti ... premi 2."
inbound_register(
    "registration_request",
    label=gettext_lazy("Richiesta di iscrizione per telefono"),
    choice=gettext_lazy("chiedere l'iscrizione all'allerta"),
    number=_registration_request_line,
)
inbound_register(
    "deregistration",
    label=gettext_lazy("Cancellazione dall'allerta"),
    choice=gettext_lazy("cancellarti dall'allerta"),
    number=_deregistration_line,
)


# The alert caller ID answers with the 24-hour replay (alerts/replay.py). Registered last: on a
# number shared with the lines above, the menu offers it after them.
from sportello.alerts.replay import FLOW as REPLAY_FLOW  # noqa: E402
from sportello.alerts.replay import replay, replay_line_number  # noqa: E402

flow_register(REPLAY_FLOW, replay)
inbound_register(
    REPLAY_FLOW,
    label=gettext_lazy("Ascolto delle allerte delle ultime 24 ore"),
    choice=gettext_lazy("ascoltare le allerte delle ultime 24 ore"),
    number=replay_line_number,
)
