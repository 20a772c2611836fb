"""Fax through an e-mail-to-fax gateway: the document is mailed, by the gateway's own SMTP
server, to an address made from the fax number, and the gateway dials it.

settings.SPORTELLO_FAX_EMAIL = {
    "smtp_url": "smtp+tls://user:password@smtp.provider.it:587",  # required
    "sender": "fax@comune.example.it",  # required: the address the gateway knows us by
    "domain": "fax.provider.it",        # required unless "address" is given
    "address": "{number}@{domain}",     # optional template: {number} 390612345678,
                                        # {national} 0612345678, {e164} +390612345678
    "attach": "pdf",                    # optional: "pdf", "tiff" or "both"
}
"""

from __future__ import annotations

import smtplib
from typing import Any

import environ
import phonenumbers
from django.conf import settings
from django.core.mail import EmailMessage

from sportello.channels.base import ChannelError, DeliveryStatus, NotConfigured, ProviderResult
from sportello.channels.fax import fax_pdf_for, fax_render_for
from sportello.channels.models import Delivery
from sportello.channels.phones import phone_callable, phone_e164
from sportello.channels.providers.email import delivery_message_id
from sportello.core.mail import email_connection

ATTACH_CHOICES = ("pdf", "tiff", "both")


class EmailToFax:
    name = "fax-email"

    def send(self, delivery: Delivery) -> ProviderResult:
        config = _config()
        number = phone_e164(delivery.to)
        if number is None or not phone_callable(number):
            raise ChannelError(f"Numero di fax non valido: {delivery.to}", permanent=True)
        # For Italian landlines the national significant number keeps its leading 0.
        national = phonenumbers.national_significant_number(phonenumbers.parse(number))
        address = config["address"].format(
            number=number.lstrip("+"), national=national, e164=number, domain=config["domain"]
        )
        message_id = delivery_message_id(delivery, domain=config["sender"].rpartition("@")[2])
        message = EmailMessage(
            subject=delivery.payload.get("subject", ""),
            body=delivery.payload.get("text", ""),
            from_email=config["sender"],
            to=[address],
            headers={"Message-ID": message_id},
            connection=_connection(config["smtp"]),
        )
        if config["attach"] == "pdf":
            message.attach("fax.pdf", fax_pdf_for(delivery), "application/pdf")
        else:
            document = fax_render_for(delivery)
            if config["attach"] == "both":
                message.attach("fax.pdf", document.pdf, "application/pdf")
            message.attach("fax.tif", document.tiff, "image/tiff")
        _send(message)
        return ProviderResult(provider_id=message_id, status=DeliveryStatus.SENT)


def _config() -> dict[str, Any]:
    config = getattr(settings, "SPORTELLO_FAX_EMAIL", None) or {}
    missing = [key for key in ("smtp_url", "sender") if not config.get(key)]
    if not config.get("domain") and not config.get("address"):
        missing.append("domain")
    if missing:
        raise NotConfigured(f"Fax via e-mail non configurato: manca {', '.join(missing)}.")
    attach = config.get("attach") or "pdf"
    if attach not in ATTACH_CHOICES:
        raise NotConfigured(f"Fax via e-mail: 'attach' deve essere uno di {ATTACH_CHOICES}.")
    address = config.get("address") or "{number}@{domain}"
    try:
        address.format(number="", national="", e164="", domain="")
    except (KeyError, IndexError, ValueError) as error:
        raise NotConfigured(
            f"Fax via e-mail: modello di indirizzo non valido ({error})."
        ) from error
    return {
        "smtp": environ.Env.email_url_config(config["smtp_url"]),
        "sender": config["sender"],
        "domain": config.get("domain", ""),
        "address": address,
        "attach": attach,
    }


def _connection(smtp: dict[str, Any]):
    return email_connection(smtp)


def _send(message: EmailMessage) -> None:
    """5xx replies are final, 4xx replies and an unreachable server are worth another try."""
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()))
        raise ChannelError(
            f"Il gateway fax rifiuta il destinatario: {code} {_text(text)}",
            permanent=500 <= code < 600,
        ) from error
    except smtplib.SMTPResponseException as error:
        raise ChannelError(
            f"Il gateway fax risponde {error.smtp_code} {_text(error.smtp_error)}",
            permanent=500 <= error.smtp_code < 600,
        ) from error
    except (smtplib.SMTPException, OSError) as error:
        raise ChannelError(f"Gateway fax non raggiungibile ({error})") from error


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
