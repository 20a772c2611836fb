"""E-mail through Django's configured backend (SMTP in production): HTML and plain text."""

from __future__ import annotations

import smtplib
from email.utils import make_msgid

from django.core.mail import EmailMultiAlternatives

from sportello.channels.base import ChannelError, ProviderResult
from sportello.channels.models import Delivery


class DjangoEmail:
    name = "email"

    def send(self, delivery: Delivery) -> ProviderResult:
        payload = delivery.payload
        message_id = make_msgid(domain="sportello")
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
