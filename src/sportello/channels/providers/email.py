"""E-mail through Django's configured backend (SMTP in production): HTML and plain text."""

from __future__ import annotations

import smtplib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from sportello.channels.base import ChannelError, ProviderResult
from sportello.channels.models import Delivery


def delivery_message_id(delivery: Delivery, *, domain: str = "") -> str:
    """The Message-ID of a delivery: the same every time it is sent, so that a message sent
    again after a crash can be recognised as the same one (mail clients and servers drop the
    repeat of a Message-ID they already have)."""
    domain = domain or urlsplit(settings.SPORTELLO_PUBLIC_URL).hostname or "sportello"
    return f"<sportello.delivery.{delivery.pk}@{domain}>"


class DjangoEmail:
    name = "email"

    def send(self, delivery: Delivery) -> ProviderResult:
        payload = delivery.payload
        message_id = delivery_message_id(delivery)
        message = EmailMultiAlternatives(
            subject=payload.get("subject", ""),
            body=payload.get("text", ""),
            from_email=delivery.sender or None,
            to=[delivery.to],
            headers={"Message-ID": message_id},
        )
        if payload.get("html"):
            message.attach_alternative(payload["html"], "text/html")
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as error:
            raise ChannelError(
                f"Indirizzo rifiutato: {error.recipients}", permanent=True
            ) from error
        except smtplib.SMTPResponseException as error:
            permanent = 500 <= error.smtp_code < 600
            raise ChannelError(f"SMTP {error.smtp_code}", permanent=permanent) from error
        except OSError as error:
            raise ChannelError(f"Server di posta non raggiungibile ({error})") from error
        return ProviderResult(provider_id=message_id)
