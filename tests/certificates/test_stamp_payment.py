"""The stamp duty paid online: asking for a certificate that owes the bollo opens a pagoPA notice
with a digital stamp on the certificate's fingerprint; paying it in the checkout releases the
sealed certificate at once. The clerk's counter payment still works and annuls the notice."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import urlsplit

import pytest
from django.core.files.storage import storages
from django.test import Client

from sportello.certificates.models import Certificate, CertificateStatus
from sportello.payments.models import Cart, PositionStatus, Transfer

from .conftest import Household, ask, download, page_text, pdf_text
from .test_stamp_duty import record_payment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def simulator(settings) -> None:
    settings.SPORTELLO_PAYMENTS_PROVIDER = "sportello.payments.providers.simulator.Simulator"


def pay_in_checkout(client: Client, checkout_url: str) -> str:
    """In pagoPA's (simulated) checkout, pay and come back; returns the result page."""
    back = Client().post(checkout_url, {"action": "pay", "method": "CP"})
    return page_text(client.get(urlsplit(back["Location"]).path))


def test_paying_the_bollo_online_releases_the_sealed_certificate(
    giulia_client: Client, household: Household
) -> None:
    # One summary in the journey: the certificate's, which said the amount; «Conferma e paga
    # con pagoPA» leads straight to the checkout, with no second summary of the cart.
    url = f"/certificati/richiedi/{household.giulia.pk}/"
    answers = {"kind": "residenza", "use": "pratica di mutuo", "exemption": ""}
    summary = page_text(giulia_client.post(url, answers))
    assert "€ 16,00 di imposta di bollo" in summary and "Conferma e paga con pagoPA" in summary
    assert "E-mail a cui mandare la ricevuta" in summary
    response = giulia_client.post(
        url, {**answers, "conferma": "1", "ricevuta-email": "giulia@example.it"}
    )
    assert response.status_code == 302
    assert "/simulatore-pagopa/" in response["Location"], response["Location"]
    certificate = Certificate.objects.get()
    assert certificate.status == CertificateStatus.AWAITING_PAYMENT
    assert Cart.objects.get().email == "giulia@example.it"

    draft = storages["certificates"].open(certificate.pdf_name).read()
    transfer = Transfer.objects.get(option__position=certificate.payment_position)
    assert transfer.stamp_hash == base64.b64encode(hashlib.sha256(draft).digest()).decode()
    assert transfer.iban == "" and transfer.stamp_province == "VD" and transfer.amount == 1600
    history = page_text(giulia_client.get("/certificati/"))
    assert "Paga il bollo con pagoPA" in history

    result = pay_in_checkout(giulia_client, response["Location"])
    assert "Pagamento eseguito" in result and "Certificati anagrafici" in result

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED and certificate.paid_at is not None
    sealed = download(giulia_client, certificate).content
    # The seal is added after the document the stamp was paid for, which stays byte for byte.
    assert sealed.startswith(draft) and len(sealed) > len(draft)
    assert hashlib.sha256(sealed[: len(draft)]).hexdigest() == certificate.stamp_document_sha256
    assert "marca da bollo digitale" in pdf_text(sealed)
    assert not storages["certificates"].exists(f"in-attesa/{certificate.code}.pdf")
    verified = page_text(Client().get(f"/certificati/verifica/{certificate.display_code}/"))
    assert "Certificato non trovato" not in verified


def test_a_counter_payment_annuls_the_online_notice(
    giulia_client: Client, clerk_client: Client, household: Household
) -> None:
    ask(giulia_client, household.giulia, "residenza")
    certificate = Certificate.objects.get()
    assert record_payment(clerk_client, certificate).status_code == 302

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate.payment_position.status == PositionStatus.INVALID
    assert "assolta in modo virtuale" in pdf_text(download(giulia_client, certificate).content)
    assert "Paga il bollo con pagoPA" not in page_text(giulia_client.get("/certificati/"))


def test_once_paid_online_the_counter_cannot_take_the_bollo_again(
    giulia_client: Client, clerk_client: Client, household: Household
) -> None:
    response = ask(giulia_client, household.giulia, "residenza")
    pay_in_checkout(giulia_client, response["Location"])
    certificate = Certificate.objects.get()
    paid_at = certificate.paid_at
    answer = record_payment(clerk_client, certificate)
    assert answer.status_code == 302
    certificate.refresh_from_db()
    assert certificate.paid_at == paid_at and certificate.paid_recorded_by is None


def test_a_bad_receipt_address_keeps_the_summary_and_registers_nothing(
    giulia_client: Client, household: Household
) -> None:
    response = giulia_client.post(
        f"/certificati/richiedi/{household.giulia.pk}/",
        {
            "kind": "residenza",
            "use": "mutuo",
            "exemption": "",
            "conferma": "1",
            "ricevuta-email": "x@",
        },
    )
    assert response.status_code == 400
    assert "Riepilogo della richiesta" in page_text(response)
    assert not Certificate.objects.exists()
