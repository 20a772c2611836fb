"""The HylaFAX provider against a real HylaFAX server on loopback (hfaxd and faxq on a private
spool, see hylafax_server.py): the job the server queues and the page images it received,
refusals that fail the delivery, and outages the task rides out by retrying."""

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
from tests.channels.hylafax_server import HOST, HylaFaxServer, hylafax_spool
from tests.channels.retries import retrying

pytestmark = pytest.mark.django_db

FAX_LINE = "+390586111222"  # a citizen's fax, in Livorno
TOWN_HALL_FAX = "+390586000111"
OWNER = "sportello"
ALERT = """<style>@page { size: A4; margin: 2cm }</style>
<h1>Allerta meteo arancione</h1><p>Domani temporali forti.</p>
<p style="break-before: page">Numeri utili: protezione civile 0586 000 222.</p>"""


@pytest.fixture
def document() -> str:
    return default_storage.save("fax/allerta.pdf", ContentFile(fax_document_from_html(html=ALERT)))


@pytest.fixture
def spool(settings) -> Iterator[HylaFaxServer]:
    """A HylaFAX server, configured as the fax provider, with nothing started yet."""
    with hylafax_spool(allowed_owner=OWNER) as server:
        settings.SPORTELLO_CHANNELS = {"fax": "sportello.channels.providers.hylafax.HylaFax"}
        settings.SPORTELLO_HYLAFAX = {
            "host": HOST,
            "port": server.port,
            "owner": OWNER,
            "timeout": 15,
        }
        yield server


@pytest.fixture
def hylafax(spool: HylaFaxServer) -> HylaFaxServer:
    spool.start_scheduler()
    spool.start_server()
    return spool


def _fax(capture, document: str, *, to: str = FAX_LINE) -> Delivery:
    with capture(execute=True):
        delivery = delivery_create(
            medium=Medium.FAX,
            to=to,
            sender=TOWN_HALL_FAX,
            purpose="alert",
            payload={"document": document},
        )
    delivery.refresh_from_db()
    return delivery


def test_the_fax_is_queued_on_the_server_with_its_page_images(
    hylafax: HylaFaxServer, document: str, django_capture_on_commit_callbacks
) -> None:
    delivery = _fax(django_capture_on_commit_callbacks, document)

    assert (delivery.status, delivery.provider, delivery.attempts) == (
        DeliveryStatus.SENT,
        "hylafax",
        1,
    )
    job_id = delivery.provider_id
    assert job_id.isdigit()
    assert hylafax.queue() == [
        {"job": job_id, "owner": OWNER, "number": FAX_LINE, "tag": f"sportello-{delivery.pk}"}
    ]
    job = hylafax.job(job_id)
    assert job["tsi"] == TOWN_HALL_FAX  # what the receiving machine prints as the sender
    assert job["resolution"] == "196"  # fine
    assert (job["pagewidth"], job["pagelength"]) == ("209", "296")  # A4
    assert job["cover"] == ""  # no cover page added
    pages = Image.open(io.BytesIO(hylafax.document(job)))
    assert pages.n_frames == 2
    assert pages.size == (1728, 2292)
    assert pages.info["compression"] == "group3" and pages.info["dpi"] == (204, 196)


def test_a_client_the_server_does_not_let_in_fails_the_delivery(
    hylafax: HylaFaxServer, settings, document: str, django_capture_on_commit_callbacks
) -> None:
    settings.SPORTELLO_HYLAFAX = {**settings.SPORTELLO_HYLAFAX, "owner": "intruso"}

    delivery = _fax(django_capture_on_commit_callbacks, document)

    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert "Login failed: 500" in delivery.reason
    assert hylafax.queue() == []


def test_a_scheduler_that_is_down_is_waited_for(
    spool: HylaFaxServer, document: str, django_capture_on_commit_callbacks
) -> None:
    spool.start_server()

    with retrying(spool.start_scheduler) as retries:
        delivery = _fax(django_capture_on_commit_callbacks, document)

    assert len(retries) == 1 and "460 Failed to submit job" in retries[0]
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert [job["number"] for job in spool.queue()] == [FAX_LINE]


def test_an_unreachable_server_is_retried_until_it_comes_up(
    spool: HylaFaxServer, document: str, django_capture_on_commit_callbacks
) -> None:
    def come_up() -> None:
        spool.start_scheduler()
        spool.start_server()

    with retrying(come_up) as retries:
        delivery = _fax(django_capture_on_commit_callbacks, document)

    assert len(retries) == 1 and "Can not reach service" in retries[0]
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert [job["job"] for job in spool.queue()] == [delivery.provider_id]


def _assert_failed_without_reaching(server: HylaFaxServer, delivery: Delivery, reason: str):
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert reason in delivery.reason
    assert server.queue() == []


def test_a_number_that_is_not_a_fax_number_fails_at_once(
    hylafax: HylaFaxServer, document: str, django_capture_on_commit_callbacks
) -> None:
    delivery = _fax(django_capture_on_commit_callbacks, document, to="+39 12")

    _assert_failed_without_reaching(hylafax, delivery, "Numero di fax non valido: +39 12")


def test_a_document_that_is_gone_fails_at_once(
    hylafax: HylaFaxServer, django_capture_on_commit_callbacks
) -> None:
    delivery = _fax(django_capture_on_commit_callbacks, "fax/mai-salvato.pdf")

    reason = "Documento del fax non trovato: fax/mai-salvato.pdf"
    _assert_failed_without_reaching(hylafax, delivery, reason)


def test_a_document_that_is_not_a_pdf_fails_at_once(
    hylafax: HylaFaxServer, django_capture_on_commit_callbacks
) -> None:
    broken = default_storage.save("fax/rotto.pdf", ContentFile(b"%PDF-1.7 broken"))

    delivery = _fax(django_capture_on_commit_callbacks, broken)

    _assert_failed_without_reaching(hylafax, delivery, "non è un PDF leggibile")


@pytest.mark.parametrize(
    ("setting", "reason"),
    [
        (None, "HylaFAX non configurato"),
        ({"host": HOST, "sendfax": "/nonexistent/sendfax"}, "sendfax non è installato"),
    ],
    ids=["no settings", "no sendfax"],
)
def test_without_hylafax_configured_the_delivery_fails(
    settings, setting, reason, document: str, django_capture_on_commit_callbacks
) -> None:
    settings.SPORTELLO_CHANNELS = {"fax": "sportello.channels.providers.hylafax.HylaFax"}
    settings.SPORTELLO_HYLAFAX = setting

    delivery = _fax(django_capture_on_commit_callbacks, document)

    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert reason in delivery.reason
