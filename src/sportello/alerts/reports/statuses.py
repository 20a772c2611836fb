"""What a delivery status means for the person: reached, in progress, handed over, unreached."""

from __future__ import annotations

from django.utils.translation import gettext as _

from sportello.channels.base import DeliveryStatus, Medium

S = DeliveryStatus

# --- what a status means for the person ----------------------------------------------------

# A person (a subscription or a directory contact) counts as reached when at least one of their
# deliveries got this far: the message is on the handset, fax machine or mailbox, somebody
# answered the call, or the message was left on the answering machine (voicemail: left, not
# known to be heard — the counts keep it apart). Handed to the provider or accepted by the
# carrier alone is not yet reached.
REACHED = (S.DELIVERED, S.ANSWERED, S.COMPLETED, S.CONFIRMED, S.VOICEMAIL)
# Still in our hands, or the phone is ringing: an outcome will come.
IN_PROGRESS = (S.QUEUED, S.SENDING, S.RINGING)
# With the provider or the carrier, no delivery report yet (SMTP e-mail never gets one).
HANDED = (S.SENT, S.ACCEPTED)
# Everything else is final without reaching anyone: busy, no answer, failed, canceled.

# The statuses each channel can go through, in the order a message moves; any other status
# with rows is shown as well, so nothing is ever hidden or merged.
MEDIUM_STATUSES: dict[str, tuple[str, ...]] = {
    Medium.VOICE: (
        S.QUEUED,
        S.SENDING,
        S.SENT,
        S.RINGING,
        S.ANSWERED,
        S.COMPLETED,
        S.CONFIRMED,
        S.VOICEMAIL,
        S.BUSY,
        S.NO_ANSWER,
        S.FAILED,
        S.CANCELED,
    ),
    Medium.SMS: (S.QUEUED, S.SENDING, S.SENT, S.ACCEPTED, S.DELIVERED, S.FAILED, S.CANCELED),
    Medium.FAX: (S.QUEUED, S.SENDING, S.SENT, S.ACCEPTED, S.DELIVERED, S.FAILED, S.CANCELED),
    Medium.EMAIL: (S.QUEUED, S.SENDING, S.SENT, S.DELIVERED, S.FAILED, S.CANCELED),
}
MEDIA = (Medium.VOICE, Medium.SMS, Medium.FAX, Medium.EMAIL)


def medium_label(medium: str) -> str:
    return {
        Medium.VOICE: _("Chiamate vocali"),
        Medium.SMS: _("SMS"),
        Medium.FAX: _("Fax"),
        Medium.EMAIL: _("E-mail"),
    }[medium]


def status_label(status: str) -> str:
    return str(DeliveryStatus(status).label) if status in DeliveryStatus.values else status


def status_help(status: str) -> str:
    """What the status means, in the operator's words."""
    return {
        S.QUEUED: _("In attesa di essere affidato al gestore."),
        S.SENDING: _("Preso in carico, in affidamento al gestore."),
        S.SENT: _("Affidato al gestore: nessun esito ancora."),
        S.ACCEPTED: _("Accettato dall'operatore telefonico, non ancora recapitato."),
        S.DELIVERED: _("Recapitato al telefono, al fax o alla casella di posta."),
        S.RINGING: _("Il telefono sta squillando."),
        S.ANSWERED: _("Ha risposto: chiamata in corso."),
        S.COMPLETED: _("Ha risposto; chiamata conclusa."),
        S.CONFIRMED: _("Ha premuto 1: ascolto confermato."),
        S.VOICEMAIL: _("Messaggio lasciato in segreteria dopo il segnale: non risulta ascoltato."),
        S.BUSY: _("Occupato: si riprova se sono previsti altri tentativi."),
        S.NO_ANSWER: _("Nessuna risposta: si riprova se sono previsti altri tentativi."),
        S.FAILED: _("Non riuscito: il motivo è nel resoconto CSV."),
        S.CANCELED: _("Annullato: l'invio è stato interrotto prima dell'affidamento."),
    }.get(status, "")


def status_group(status: str) -> str:
    """reached, progress, handed or unreached (also the colour in charts and on the map)."""
    if status in REACHED:
        return "reached"
    if status in IN_PROGRESS:
        return "progress"
    if status in HANDED:
        return "handed"
    return "unreached"
