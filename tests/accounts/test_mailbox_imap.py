"""Reading the PEC mailbox from a real IMAP server (Dovecot on loopback, see dovecot.py)."""

from __future__ import annotations

import logging
import socket
import ssl

import pytest

from sportello.accounts.mailbox import (
    MailboxError,
    MailboxReport,
    MailboxSettings,
    mailbox_fetch_unseen,
)
from sportello.accounts.pec.parse import PecKind, pec_parse
from tests.accounts.dovecot import (  # noqa: F401 - fixtures
    DovecotServer,
    dovecot_mailbox_fixture,
    dovecot_server_fixture,
)
from tests.accounts.pec_builder import build_pec, build_plain_email, build_receipt

REQUEST = build_pec(
    sender="mario.rossi@pec.it",
    subject="Richiesta credenziali",
    body="Il mio codice fiscale è RSSMRA85T10A562S.",
)
RECEIPT = build_receipt(tipo="avvenuta-consegna")
OTHER = build_plain_email(sender="newsletter@example.com", subject="Offerte", body="Sconti!")


def test_unseen_messages_are_handled_once_and_classified(dovecot_mailbox: DovecotServer) -> None:
    dovecot_mailbox.append(REQUEST, RECEIPT, OTHER)
    received: list[bytes] = []

    report = mailbox_fetch_unseen(settings=dovecot_mailbox.settings(), handle=received.append)

    assert report == MailboxReport(fetched=3, handled=3, failed=0)
    assert received == [REQUEST, RECEIPT, OTHER]  # the exact bytes, oldest first
    kinds = [pec_parse(raw=raw).kind for raw in received]
    assert kinds == [PecKind.REQUEST, PecKind.RECEIPT, PecKind.UNRECOGNISED]
    assert pec_parse(raw=received[0]).codice_fiscale == "RSSMRA85T10A562S"

    again: list[bytes] = []
    second = mailbox_fetch_unseen(settings=dovecot_mailbox.settings(), handle=again.append)

    assert second == MailboxReport(fetched=0, handled=0, failed=0)
    assert again == []
    assert dovecot_mailbox.unseen() == []


def test_a_failed_message_stays_unseen_and_is_retried(
    dovecot_mailbox: DovecotServer, caplog: pytest.LogCaptureFixture
) -> None:
    dovecot_mailbox.append(REQUEST, RECEIPT, OTHER)
    handled: list[bytes] = []

    def handle(raw: bytes) -> None:
        if raw == RECEIPT:
            raise RuntimeError("database unavailable")
        handled.append(raw)

    with caplog.at_level(logging.INFO, logger="sportello.accounts.mailbox"):
        report = mailbox_fetch_unseen(settings=dovecot_mailbox.settings(), handle=handle)

    assert report == MailboxReport(fetched=3, handled=2, failed=1)
    assert handled == [REQUEST, OTHER]
    assert dovecot_mailbox.unseen() == [RECEIPT]
    failures = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(failures) == 1
    assert failures[0].name == "sportello.accounts.mailbox"
    assert "database unavailable" in caplog.text
    assert dovecot_mailbox.password not in caplog.text

    retried: list[bytes] = []
    second = mailbox_fetch_unseen(settings=dovecot_mailbox.settings(), handle=retried.append)

    assert second == MailboxReport(fetched=1, handled=1, failed=0)
    assert retried == [RECEIPT]
    assert dovecot_mailbox.unseen() == []


def test_limit_takes_the_oldest_and_leaves_the_rest_for_the_next_run(
    dovecot_mailbox: DovecotServer,
) -> None:
    dovecot_mailbox.append(REQUEST, RECEIPT, OTHER)
    received: list[bytes] = []

    first = mailbox_fetch_unseen(
        settings=dovecot_mailbox.settings(), handle=received.append, limit=2
    )
    second = mailbox_fetch_unseen(
        settings=dovecot_mailbox.settings(), handle=received.append, limit=2
    )

    assert (first.handled, second.handled) == (2, 1)
    assert received == [REQUEST, RECEIPT, OTHER]


def test_wrong_password_is_a_clear_error_without_the_password(
    dovecot_mailbox: DovecotServer, caplog: pytest.LogCaptureFixture
) -> None:
    dovecot_mailbox.append(REQUEST)
    wrong = "Sbagliata-9Xk#"
    received: list[bytes] = []

    with caplog.at_level(logging.DEBUG), pytest.raises(MailboxError) as error:
        mailbox_fetch_unseen(
            settings=dovecot_mailbox.settings(password=wrong), handle=received.append
        )

    message = str(error.value)
    assert "ha rifiutato l'accesso dell'utente «protocollo»" in message
    assert "verificare nome utente e password" in message
    assert wrong not in message
    assert wrong not in repr(dovecot_mailbox.settings(password=wrong))
    assert wrong not in caplog.text
    assert received == []
    assert dovecot_mailbox.unseen() == [REQUEST]


def test_missing_folder_is_a_clear_error(dovecot_mailbox: DovecotServer) -> None:
    with pytest.raises(MailboxError, match="La cartella «Posta PEC» non si può aprire"):
        mailbox_fetch_unseen(
            settings=dovecot_mailbox.settings(folder="Posta PEC"), handle=lambda raw: None
        )


def test_untrusted_certificate_is_refused(dovecot_server: DovecotServer) -> None:
    # The system's authorities do not know the test server's self-signed certificate.
    settings = dovecot_server.settings(ssl_context=ssl.create_default_context())

    with pytest.raises(MailboxError, match="Connessione sicura con il server IMAP"):
        mailbox_fetch_unseen(settings=settings, handle=lambda raw: None)


def test_nothing_listening_is_a_clear_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free, and nothing listens once the probe is closed
    settings = MailboxSettings(host="127.0.0.1", port=port, username="protocollo", password="x")

    with pytest.raises(
        MailboxError, match=f"Impossibile collegarsi al server IMAP 127.0.0.1:{port}"
    ):
        mailbox_fetch_unseen(settings=settings, handle=lambda raw: None)
