"""The e-mail provider (Django's SMTP backend) against a real SMTP server on loopback: what
arrives, a refusal that fails the delivery, and an outage the task rides out by retrying."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sportello.channels.base import DeliveryStatus, Medium
from sportello.channels.models import Delivery
from sportello.channels.services import delivery_create
from tests.channels.retries import retrying
from tests.channels.smtp_peer import HOST, SmtpPeer, free_port

pytestmark = pytest.mark.django_db

CITIZEN = "giulia.ferretti@example.it"
PAYLOAD = {
    "subject": "Allerta meteo arancione",
    "text": "Domani allerta arancione per temporali.",
    "html": "<p>Domani allerta <strong>arancione</strong> per temporali.</p>",
}


@pytest.fixture
def smtp(settings) -> Iterator[SmtpPeer]:
    """The mail server, configured as Django's backend but not yet started."""
    peer = SmtpPeer(port=free_port())
    settings.SPORTELLO_CHANNELS = {"email": "sportello.channels.providers.email.DjangoEmail"}
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = HOST
    settings.EMAIL_PORT = peer.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield peer
    peer.stop()


def _send(capture) -> Delivery:
    with capture(execute=True):
        delivery = delivery_create(
            medium=Medium.EMAIL, to=CITIZEN, purpose="alert", payload=PAYLOAD
        )
    delivery.refresh_from_db()
    return delivery


def test_the_message_arrives_as_html_with_its_plain_text(
    smtp: SmtpPeer, django_capture_on_commit_callbacks
) -> None:
    smtp.start()

    delivery = _send(django_capture_on_commit_callbacks)

    assert (delivery.status, delivery.provider, delivery.attempts) == (
        DeliveryStatus.SENT,
        "email",
        1,
    )
    [received] = smtp.messages
    assert received.recipients == [CITIZEN]
    assert received.mail_from == "noreply@localhost"  # DEFAULT_FROM_EMAIL, the e-mail sender
    message = received.message
    assert message["Subject"] == PAYLOAD["subject"]
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_body(("plain",)).get_content().strip() == PAYLOAD["text"]
    assert message.get_body(("html",)).get_content().strip() == PAYLOAD["html"]


def test_a_refused_address_fails_the_delivery_with_the_reason(
    smtp: SmtpPeer, django_capture_on_commit_callbacks
) -> None:
    smtp.refuse_rcpt = "550 5.1.1 Mailbox unknown"
    smtp.start()

    delivery = _send(django_capture_on_commit_callbacks)

    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert CITIZEN in delivery.reason and "Indirizzo rifiutato" in delivery.reason
    assert smtp.messages == []


def test_a_message_refused_for_good_is_not_retried(
    smtp: SmtpPeer, django_capture_on_commit_callbacks
) -> None:
    smtp.refuse_data = "554 5.6.0 Message content rejected"
    smtp.start()

    delivery = _send(django_capture_on_commit_callbacks)

    assert (delivery.status, delivery.reason, delivery.attempts) == (
        DeliveryStatus.FAILED,
        "SMTP 554",
        1,
    )


def test_a_temporary_refusal_is_retried(smtp: SmtpPeer, django_capture_on_commit_callbacks) -> None:
    smtp.refuse_data = "451 4.3.0 Try again later"
    smtp.start()

    def stop_refusing() -> None:
        smtp.refuse_data = ""

    with retrying(stop_refusing) as retries:
        delivery = _send(django_capture_on_commit_callbacks)

    assert len(retries) == 1
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert len(smtp.messages) == 1


def test_an_unreachable_server_is_retried_until_it_comes_up(
    smtp: SmtpPeer, django_capture_on_commit_callbacks
) -> None:
    with retrying(smtp.start) as retries:
        delivery = _send(django_capture_on_commit_callbacks)

    assert len(retries) == 1 and "non raggiungibile" in retries[0]
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert [received.recipients for received in smtp.messages] == [[CITIZEN]]


def test_a_server_that_never_comes_up_fails_the_delivery_after_the_retries(
    smtp: SmtpPeer, django_capture_on_commit_callbacks
) -> None:
    with retrying() as retries:
        delivery = _send(django_capture_on_commit_callbacks)

    assert len(retries) == 5
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 6  # the first try and five retries
    assert "Server di posta non raggiungibile" in delivery.reason


def test_without_an_email_provider_the_delivery_fails(
    settings, django_capture_on_commit_callbacks
) -> None:
    settings.SPORTELLO_CHANNELS = {}

    delivery = _send(django_capture_on_commit_callbacks)

    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.reason == "Nessun gestore configurato per il canale email."
