"""The e-mail-to-fax provider against a real SMTP server on loopback standing in for the
gateway's: the message the gateway receives, refusals that fail the delivery, and an outage
the task rides out by retrying."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from sportello.channels.base import DeliveryStatus, Medium
from sportello.channels.fax import fax_document_from_html
from sportello.channels.models import Delivery
from sportello.channels.services import delivery_create
from tests.channels.retries import retrying
from tests.channels.smtp_peer import SmtpPeer, free_port

pytestmark = pytest.mark.django_db

FAX_LINE = "+390586111222"
GATEWAY_SENDER = "fax@comune.valdoria.example.it"
ALERT = """<style>@page { size: A4; margin: 2cm }</style>
<h1>Allerta meteo arancione</h1><p>Domani temporali forti.</p>
<p style="break-before: page">Numeri utili: protezione civile 0586 000 222.</p>"""


@pytest.fixture(scope="module")
def alert_pdf() -> bytes:
    return fax_document_from_html(html=ALERT)


@pytest.fixture
def document(alert_pdf: bytes) -> str:
    return default_storage.save("fax/allerta.pdf", ContentFile(alert_pdf))


@pytest.fixture
def gateway(settings) -> Iterator[SmtpPeer]:
    """The gateway's SMTP server, configured for the provider but not yet started."""
    peer = SmtpPeer(port=free_port())
    settings.SPORTELLO_CHANNELS = {"fax": "sportello.channels.providers.fax_email.EmailToFax"}
    settings.SPORTELLO_FAX_EMAIL = {
        "smtp_url": peer.url,
        "sender": GATEWAY_SENDER,
        "domain": "fax.provider.example.it",
    }
    yield peer
    peer.stop()


def _fax(capture, document: str, *, to: str = FAX_LINE) -> Delivery:
    with capture(execute=True):
        delivery = delivery_create(
            medium=Medium.FAX,
            to=to,
            sender="+390586000111",
            purpose="alert",
            payload={"document": document, "subject": "Allerta meteo"},
        )
    delivery.refresh_from_db()
    return delivery


def test_the_pdf_is_mailed_to_the_number_at_the_gateway(
    gateway: SmtpPeer, document: str, alert_pdf: bytes, django_capture_on_commit_callbacks
) -> None:
    gateway.start()

    delivery = _fax(django_capture_on_commit_callbacks, document)

    assert (delivery.status, delivery.provider, delivery.attempts) == (
        DeliveryStatus.SENT,
        "fax-email",
        1,
    )
    [received] = gateway.messages
    assert received.mail_from == GATEWAY_SENDER
    assert received.recipients == ["390586111222@fax.provider.example.it"]
    message = received.message
    assert message["From"] == GATEWAY_SENDER
    assert message["Subject"] == "Allerta meteo"
    assert message["Message-ID"].strip() == delivery.provider_id  # strip: it may be folded
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "fax.pdf"
    assert attachment.get_content() == alert_pdf


def test_the_address_template_and_the_page_images_are_configurable(
    gateway: SmtpPeer, settings, document: str, django_capture_on_commit_callbacks
) -> None:
    settings.SPORTELLO_FAX_EMAIL = {
        **settings.SPORTELLO_FAX_EMAIL,
        "address": "fax-{national}@invio.example.it",
        "attach": "both",
    }
    gateway.start()

    delivery = _fax(django_capture_on_commit_callbacks, document)

    assert delivery.status == DeliveryStatus.SENT
    [received] = gateway.messages
    assert received.recipients == ["fax-0586111222@invio.example.it"]
    pdf, tiff = received.message.iter_attachments()
    assert pdf.get_content_type() == "application/pdf"
    assert (tiff.get_content_type(), tiff.get_filename()) == ("image/tiff", "fax.tif")
    pages = Image.open(io.BytesIO(tiff.get_content()))
    assert (pages.n_frames, pages.size, pages.info["dpi"]) == (2, (1728, 2292), (204, 196))
    assert pages.info["compression"] == "group3"


def test_a_number_the_gateway_refuses_fails_the_delivery(
    gateway: SmtpPeer, document: str, django_capture_on_commit_callbacks
) -> None:
    gateway.refuse_rcpt = "550 5.1.1 Numero non abilitato"
    gateway.start()

    delivery = _fax(django_capture_on_commit_callbacks, document)

    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert delivery.reason == (
        "Il gateway fax rifiuta il destinatario: 550 5.1.1 Numero non abilitato"
    )
    assert gateway.messages == []


def test_a_temporary_refusal_is_retried(
    gateway: SmtpPeer, document: str, django_capture_on_commit_callbacks
) -> None:
    gateway.refuse_rcpt = "451 4.7.1 Riprovare più tardi"
    gateway.start()

    def stop_refusing() -> None:
        gateway.refuse_rcpt = ""

    with retrying(stop_refusing) as retries:
        delivery = _fax(django_capture_on_commit_callbacks, document)

    assert retries == ["Il gateway fax rifiuta il destinatario: 451 4.7.1 Riprovare più tardi"]
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert len(gateway.messages) == 1


def test_an_unreachable_gateway_is_retried_until_it_comes_up(
    gateway: SmtpPeer, document: str, django_capture_on_commit_callbacks
) -> None:
    with retrying(gateway.start) as retries:
        delivery = _fax(django_capture_on_commit_callbacks, document)

    assert len(retries) == 1 and "Gateway fax non raggiungibile" in retries[0]
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert len(gateway.messages) == 1


@pytest.mark.parametrize(
    ("to", "name", "reason"),
    [
        ("+39 12", None, "Numero di fax non valido: +39 12"),
        (FAX_LINE, "fax/mai-salvato.pdf", "Documento del fax non trovato: fax/mai-salvato.pdf"),
    ],
    ids=["bad number", "document gone"],
)
def test_a_fax_that_can_never_go_fails_without_reaching_the_gateway(
    gateway: SmtpPeer, document: str, to, name, reason, django_capture_on_commit_callbacks
) -> None:
    gateway.start()

    delivery = _fax(django_capture_on_commit_callbacks, name or document, to=to)

    assert (delivery.status, delivery.attempts, delivery.reason) == (
        DeliveryStatus.FAILED,
        1,
        reason,
    )
    assert gateway.messages == []


@pytest.mark.parametrize(
    ("setting", "reason"),
    [
        (None, "Fax via e-mail non configurato: manca smtp_url, sender, domain."),
        (
            {
                "smtp_url": "smtp://127.0.0.1:25",
                "sender": GATEWAY_SENDER,
                "domain": "x.it",
                "attach": "jpeg",
            },
            "Fax via e-mail: 'attach' deve essere uno di ('pdf', 'tiff', 'both').",
        ),
        (
            {"smtp_url": "smtp://127.0.0.1:25", "sender": GATEWAY_SENDER, "address": "{fax}@x.it"},
            "Fax via e-mail: modello di indirizzo non valido ('fax').",
        ),
    ],
    ids=["no settings", "bad attach", "bad address"],
)
def test_without_the_gateway_configured_the_delivery_fails(
    settings, setting, reason, document: str, django_capture_on_commit_callbacks
) -> None:
    settings.SPORTELLO_CHANNELS = {"fax": "sportello.channels.providers.fax_email.EmailToFax"}
    settings.SPORTELLO_FAX_EMAIL = setting

    delivery = _fax(django_capture_on_commit_callbacks, document)

    assert (delivery.status, delivery.attempts, delivery.reason) == (
        DeliveryStatus.FAILED,
        1,
        reason,
    )
