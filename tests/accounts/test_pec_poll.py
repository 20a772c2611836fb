"""The periodic job that reads the municipality's PEC mailbox (a real Dovecot on loopback) and
queues what it finds for the counter operators."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from sportello.accounts.models import CredentialRequest, RequestKind, RequestStatus
from sportello.accounts.tasks import pec_mailbox_poll
from tests.accounts.dovecot import (  # noqa: F401 - fixtures
    DovecotServer,
    dovecot_mailbox_fixture,
    dovecot_server_fixture,
)
from tests.accounts.pec_builder import build_pec, build_plain_email, build_receipt
from tests.registry.factories import family_with_head

UNKNOWN_CF = "RSSMRA85T10A562S"  # valid, but nobody in this registry


@pytest.fixture
def pec_settings(settings, dovecot_mailbox: DovecotServer):
    settings.SPORTELLO_PEC_IMAP_URL = (
        f"imaps://{quote(dovecot_mailbox.username)}:{quote(dovecot_mailbox.password, safe='')}"
        f"@{dovecot_mailbox.host}:{dovecot_mailbox.port}/INBOX"
    )
    settings.SPORTELLO_PEC_IMAP_CA_FILE = str(dovecot_mailbox.ca_file)
    return settings


@pytest.mark.django_db
def test_poll_queues_requests_and_unrecognised_mail_once(
    pec_settings, dovecot_mailbox: DovecotServer, admin_client
) -> None:
    _family, person = family_with_head(code="F-PEC-1")
    dovecot_mailbox.append(
        build_pec(
            sender="anna.verdi@pec.example.it",
            subject="Richiesta credenziali Sportello",
            body=f"Chiedo le credenziali. Codice fiscale: {person.codice_fiscale.lower()}",
        ),
        build_pec(
            sender="ignoto@pec.example.it",
            subject="Credenziali",
            body=f"Il mio codice fiscale è {UNKNOWN_CF}",
        ),
        build_receipt(tipo="avvenuta-consegna"),
        build_plain_email(sender="promo@example.com", subject="Offerta", body="Nessun codice"),
    )

    assert pec_mailbox_poll.delay().get() == {"fetched": 4, "handled": 4, "failed": 0}

    queued = {item.certified_sender or item.email: item for item in CredentialRequest.objects.all()}
    assert len(queued) == 3  # the delivery receipt is not a request and is not queued
    known = queued["anna.verdi@pec.example.it"]
    assert (known.kind, known.status, known.person) == (
        RequestKind.REQUEST,
        RequestStatus.PENDING,
        person,
    )
    assert known.codice_fiscale == person.codice_fiscale
    unknown = queued["ignoto@pec.example.it"]
    assert unknown.person is None and "non trovato" in unknown.reason
    other = queued["promo@example.com"]
    assert other.kind == RequestKind.UNRECOGNISED and other.reason

    # Read again: nothing new, nothing doubled.
    assert pec_mailbox_poll.delay().get() == {"fetched": 0, "handled": 0, "failed": 0}
    assert CredentialRequest.objects.count() == 3

    page = admin_client.get("/operatori/richieste/").content.decode()
    assert "anna.verdi@pec.example.it" in page and "Messaggio da esaminare" in page


@pytest.mark.django_db
def test_poll_without_a_mailbox_configured_does_nothing(settings) -> None:
    settings.SPORTELLO_PEC_IMAP_URL = None

    assert pec_mailbox_poll.delay().get() is None
    assert not CredentialRequest.objects.exists()


def test_celery_beat_reads_the_mailbox_every_configured_interval(settings) -> None:
    from sportello.config.celery import app

    entry = app.conf.beat_schedule["read-pec-mailbox"]

    assert entry["task"] == pec_mailbox_poll.name
    assert entry["schedule"] == float(settings.SPORTELLO_PEC_POLL_SECONDS) == 300.0
