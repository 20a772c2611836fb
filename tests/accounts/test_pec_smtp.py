"""Answers to PEC requests leave through the PEC provider's SMTP server (SPORTELLO_PEC_SMTP_URL):
tested against a real SMTP server on loopback (aiosmtpd), which also refuses when asked to."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator

import environ
import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from sportello.accounts import pec_requests
from sportello.accounts.models import CredentialIssue, RequestStatus
from tests.accounts.conftest import document, page_text, pdf_text
from tests.accounts.pec_builder import build_pec

CERTIFIED_SENDER = "giulia.ferretti@pec.example.it"


class Mailbox:
    """An SMTP peer that keeps what it accepts, or refuses every recipient when told to."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse:
            return "550 5.7.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def pec_smtp(settings) -> Iterator[Mailbox]:
    mailbox = Mailbox()
    with socket.socket() as probe:  # a free port: aiosmtpd checks it is up by connecting
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.SPORTELLO_PEC_SMTP = environ.Env.email_url_config(f"smtp://127.0.0.1:{port}")
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        yield mailbox
    finally:
        controller.stop()


@pytest.fixture
def pec_request(resident):
    raw = build_pec(
        sender=CERTIFIED_SENDER,
        subject="Richiesta credenziali",
        body=f"Chiedo le credenziali. Codice fiscale {resident.codice_fiscale}.",
    )
    return pec_requests.credential_request_from_pec(raw=raw)


def _issue(operator_client, resident, pec_request):
    return operator_client.post(
        reverse("accounts:operator_person", args=[resident.pk]),
        {**document(), "richiesta": str(pec_request.pk)},
    )


def test_the_letter_reaches_the_pec_provider_for_the_certified_sender(
    pec_smtp: Mailbox, pec_request, resident, operator_client, mailoutbox
) -> None:
    response = _issue(operator_client, resident, pec_request)

    assert f"La lettera è stata inviata per PEC a {CERTIFIED_SENDER}:" in page_text(response)
    assert mailoutbox == []  # not through the ordinary e-mail backend
    [(mail_from, recipients, content)] = pec_smtp.messages
    assert recipients == [CERTIFIED_SENDER]
    assert mail_from == "comune.valdoria@pec.example.it"
    message = email.message_from_bytes(content, policy=email.policy.default)
    [letter] = [part for part in message.iter_attachments()]
    assert letter.get_content_type() == "application/pdf"
    text = pdf_text(letter.get_content())
    assert resident.codice_fiscale in text and "Password temporanea".upper() in text.upper()
    pec_request.refresh_from_db()
    assert pec_request.status == RequestStatus.ISSUED


def test_a_refusing_pec_provider_means_nothing_is_issued(
    pec_smtp: Mailbox, pec_request, resident, operator_client
) -> None:
    pec_smtp.refuse = True

    response = _issue(operator_client, resident, pec_request)

    assert "La PEC con le credenziali non è partita" in page_text(response)
    assert pec_smtp.messages == []
    assert not CredentialIssue.objects.exists()
    pec_request.refresh_from_db()
    assert pec_request.status == RequestStatus.PENDING
    resident.refresh_from_db()
    account = getattr(resident, "account", None)
    assert account is None or not account.has_usable_password()
