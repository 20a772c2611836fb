"""The contract every provider keeps, one small interface per medium.

A provider receives a `Delivery` row and either returns a `ProviderResult` (the provider's id and
the status it reached) or raises `ChannelError`; `permanent=True` means retrying cannot help
(a wrong number, a refused sender), otherwise the task retries with backoff. Providers are
chosen in settings (SPORTELLO_CHANNELS) by dotted path; the simulator is one of them. The
`Provider` protocol itself is in providers/__init__.py, next to `provider_for`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Medium(models.TextChoices):
    VOICE = "voice", _("Chiamata vocale")
    SMS = "sms", _("SMS")
    FAX = "fax", _("Fax")
    EMAIL = "email", _("E-mail")


class DeliveryStatus(models.TextChoices):
    """What is known of a delivery; never more than what the provider reported."""

    QUEUED = "queued", _("In coda")
    SENDING = "sending", _("In invio")
    SENT = "sent", _("Consegnato al gestore")  # handed to the provider
    ACCEPTED = "accepted", _("Accettato dall'operatore")  # accepted by the carrier / SMSC
    DELIVERED = "delivered", _("Recapitato")  # to the handset, fax machine or mailbox
    RINGING = "ringing", _("Squilla")
    ANSWERED = "answered", _("Risposta")
    CONFIRMED = "confirmed", _("Ascolto confermato")  # the person pressed the confirm key
    VOICEMAIL = "voicemail", _("Segreteria telefonica")
    COMPLETED = "completed", _("Chiamata conclusa")
    BUSY = "busy", _("Occupato")
    NO_ANSWER = "no_answer", _("Nessuna risposta")
    FAILED = "failed", _("Non riuscito")
    CANCELED = "canceled", _("Annullato")


FINAL_STATUSES = {
    DeliveryStatus.DELIVERED,
    DeliveryStatus.CONFIRMED,
    DeliveryStatus.COMPLETED,
    DeliveryStatus.VOICEMAIL,
    DeliveryStatus.BUSY,
    DeliveryStatus.NO_ANSWER,
    DeliveryStatus.FAILED,
    DeliveryStatus.CANCELED,
}


@dataclass(frozen=True)
class ProviderResult:
    provider_id: str
    status: str = DeliveryStatus.SENT


class ChannelError(Exception):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class NotConfigured(ChannelError):
    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)
