"""The payments journey, clicked through in Chromium as a citizen would, on the demo comune:
a certificate that owes the bollo is paid in the (simulated) pagoPA checkout and downloaded
sealed at once; two of the child's canteen notices are paid in one cart and the receipt
downloaded. Every page passes axe-core with no violation and has no sideways scroll at 320 px."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from sportello.certificates.models import Certificate, CertificateStatus
from sportello.core.models import ServiceFeedback
from sportello.payments.models import Cart, PaymentPosition, PositionStatus, Receipt
from tests.browser.demo import accessible, log_in, pay_in_checkout, pay_in_simulator, tick

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_certificate_with_bollo_is_paid_and_downloaded_sealed(page: Page, demo_comune) -> None:
    page.goto("/")
    page.get_by_role("link", name="Certificati anagrafici online").click()
    log_in(page)
    page.get_by_role("link", name="Richiedi un certificato").click()
    page.get_by_role("link", name=re.compile(r"\(tu\)")).click()
    tick(page.get_by_label("Certificato di residenza", exact=True))
    page.get_by_label("Uso").fill("pratica di mutuo")
    page.get_by_role("button", name="Richiedi il certificato").click()
    # The certificate's summary says the amount and is the journey's only one.
    expect(page.get_by_text("€ 16,00").first).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Conferma e paga con pagoPA").click()
    pay_in_simulator(page)
    page.get_by_role("link", name=re.compile("Certificati anagrafici")).click()

    certificate = Certificate.objects.get()
    assert certificate.status == CertificateStatus.ISSUED
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(f"Scarica.*{certificate.display_code}")).click()
    pdf = Path(download.value.path()).read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "marca da bollo digitale" in " ".join(text.split())
    assert b"/ByteRange" in pdf  # sealed


def test_two_canteen_notices_are_paid_in_one_cart(page: Page, demo_comune) -> None:
    page.goto("/pagamenti/")
    log_in(page)
    expect(page.get_by_role("heading", name="I miei pagamenti")).to_be_visible()
    accessible(page)
    page.locator("label", has_text="€ 45,60").click()
    page.locator("label", has_text="€ 52,00").click()
    page.get_by_role("button", name="Vai al riepilogo").click()
    expect(page.get_by_text("€ 97,60")).to_be_visible()
    pay_in_checkout(page)

    # The demo's canteen also has a top-up paid: only the two demo notices count here.
    assert Receipt.objects.filter(pays_option=True, option__position__service="demo").count() == 2
    with page.expect_download() as download:
        page.get_by_role("link", name="Scarica la ricevuta (PDF)").first.click()
    receipt = PdfReader(download.value.path()).pages[0].extract_text()
    assert "Ricevuta di pagamento".upper() in receipt.upper()

    # The rating at the end of the service (Modello Comuni).
    tick(page.get_by_label("4 stelle", exact=True))
    page.get_by_role("button", name="Invia la valutazione").click()
    expect(page.get_by_role("heading", name="Grazie, ancora una domanda")).to_be_visible()
    accessible(page)
    tick(page.get_by_label("Ho fatto tutto in poco tempo"))
    page.get_by_role("button", name="Invia", exact=True).click()
    expect(page.get_by_role("heading", name="Grazie per la tua valutazione")).to_be_visible()
    assert ServiceFeedback.objects.get().aspect == "fast"

    page.goto("/pagamenti/esito/" + str(Cart.objects.get().uuid) + "/ok/")
    page.get_by_role("link", name="Torna a «I miei pagamenti»").click()
    expect(page.get_by_role("heading", name="Pagamenti eseguiti")).to_be_visible()
    accessible(page)
    paid = PaymentPosition.objects.filter(status=PositionStatus.PAID, service="demo")
    assert sorted(position.title.split(",")[0] for position in paid) == ["Mensa scolastica"] * 2
