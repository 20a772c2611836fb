"""The outbound alert calls: the alert message, and the re-confirmation campaign call."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from sportello.alerts.flows.speech import alert_message_parts
from sportello.alerts.services.contacts import contact_delete
from sportello.channels.ivr import Call, Gather, Pause, Prompt, Say, flow_register, unknown_line
from sportello.core.selectors import municipality_get


def _alert_for(call: Call):
    from sportello.alerts.models import Alert

    return Alert.objects.filter(pk=call.params.get("alert")).first()


def _mark(call: Call, status: str) -> None:
    from sportello.channels.services import delivery_status_update

    if call.delivery is not None:
        delivery_status_update(delivery=call.delivery, status=status)


def alert_message(call: Call, step: str, digits: str) -> Prompt:
    """Outbound alert call: the message; to a voicemail it is left once, after the beep (and
    counted as voicemail, not as heard); optionally "press 1 to confirm you heard it"."""
    alert = _alert_for(call)
    if alert is None:
        return unknown_line()
    parts = alert_message_parts(alert, call.language)
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
