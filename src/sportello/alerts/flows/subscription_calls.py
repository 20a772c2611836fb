"""The subscription's voice flows.

- verification (outbound): reads the 6-digit code twice, digit by digit; never into voicemail.
- deregistration (inbound, on the deregistration line): finds the caller's subscription by
  caller ID, says which (masked), and deletes it all when the caller presses 1.
- registration_request (inbound, on the registration-request line): pressing 1 queues a
  call-back by an operator.
- paper_confirmation (outbound): confirms a subscription entered from a paper form.

Where one number is both lines (Livorno), the caller first chooses with a key (channels.ivr's
menu for shared numbers), then the chosen flow runs unchanged.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from sportello.alerts.flows.speech import digits_phone, digits_spoken, helpline_number
from sportello.alerts.services.contacts import contact_delete, contact_find_by_number
from sportello.alerts.services.subscriptions import subscription_delete, subscription_find_by_number
from sportello.alerts.services.verification import verification_code_spoken
from sportello.channels.ivr import Call, Gather, Pause, Prompt, Say, flow_register
from sportello.channels.phones import phone_e164, phone_masked
from sportello.core.selectors import municipality_get


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
                    Say(
                        _("Il tuo codice è: %(code)s.") % {"code": digits_spoken(code)},
                        call.language,
                    ),
                    Pause(1),
                    Say(_("Ripeto: %(code)s.") % {"code": digits_spoken(code)}, call.language),
                    Say(_("Per riascoltarlo premi 1."), call.language),
                ],
                gather=Gather(step="repeat", num_digits=1),
            )
        return Prompt([Say(_("Arrivederci."), call.language)])


def deregistration(call: Call, step: str, digits: str) -> Prompt:
    number = phone_e164(call.caller) if call.caller else None
    helpline = helpline_number()
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
                "helpline": digits_phone(helpline)
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
                        "end": digits_spoken(phone_masked(number)[-4:]),
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


def paper_confirmation(call: Call, step: str, digits: str) -> Prompt:
    """Outbound: confirm a subscription an operator entered from a paper form."""
    from sportello.alerts.models import Subscription, SubscriptionStatus
    from sportello.alerts.services.subscriptions import subscription_confirm_by_key

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
    from sportello.alerts.services.callbacks import callback_request_create

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
