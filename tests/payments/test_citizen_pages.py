"""«I miei pagamenti» as a parent uses it: their notices and their young son's in one list, two
paid in one cart through the (simulated) pagoPA checkout, the receipts downloaded; what an
outsider, an adult child's parent or an anonymous visitor cannot see or pay."""

from __future__ import annotations

import io
import shutil
import subprocess
from urllib.parse import urlsplit

import pypdfium2
import pytest
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from sportello.core.models import AuditEvent
from sportello.payments.models import Cart, OptionStatus, PositionStatus, Receipt

from .conftest import ON_CI, Household, make_position, page_text

pytestmark = pytest.mark.django_db(transaction=True)


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split()
    )


def test_a_parent_pays_two_notices_in_one_cart(sara_client: Client, household: Household) -> None:
    october = make_position(household.tommaso, reference="ott", title="Mensa, ottobre 2026")
    november = make_position(
        household.tommaso, reference="nov", title="Mensa, novembre 2026", amount="52.00"
    )
    first, second = october.options.get(), november.options.get()

    ledger = page_text(sara_client.get("/pagamenti/"))
    assert "Mensa, ottobre 2026" in ledger and "Mensa, novembre 2026" in ledger
    assert "Intestato a Tommaso Conti" in ledger and "€ 45,60" in ledger
    assert first.notice_number_display in ledger

    summary = page_text(
        sara_client.get(f"/pagamenti/riepilogo/?option={first.pk}&option={second.pk}")
    )
    assert "Riepilogo del pagamento" in summary and "€ 97,60" in summary
    assert "Modifica" in summary and "Conferma e paga con pagoPA" in summary

    confirmed = sara_client.post(
        "/pagamenti/riepilogo/", {"option": [first.pk, second.pk], "email": "sara@example.it"}
    )
    assert confirmed.status_code == 302
    checkout_url = confirmed["Location"]
    assert checkout_url.startswith("/pagamenti/simulatore-pagopa/")
    # The checkout is pagoPA's page, not ours: no login there.
    pagopa = Client()
    checkout = page_text(pagopa.get(checkout_url))
    assert "Simulatore pagoPA" in checkout and "€ 97,60" in checkout

    back = pagopa.post(checkout_url, {"action": "pay", "method": "CP"})
    assert back.status_code == 302
    result = sara_client.get(urlsplit(back["Location"]).path)
    text = page_text(result)
    assert "Pagamento eseguito" in text
    assert text.count("Scarica la ricevuta (PDF)") == 2

    october.refresh_from_db()
    november.refresh_from_db()
    assert october.status == november.status == PositionStatus.PAID
    # pagoPA delivered each receipt twice: kept once, paid once.
    assert Receipt.objects.count() == 2
    assert Cart.objects.get().status == "completed"
    # One confirmation per notice, as each receipt arrives; none for the repeated deliveries.
    assert len(mail.outbox) == 2
    assert {message.to[0] for message in mail.outbox} == {"sara@example.it"}
    assert "Mensa, ottobre 2026" in " ".join(message.body for message in mail.outbox)

    history = page_text(sara_client.get("/pagamenti/"))
    assert "Pagamenti eseguiti" in history and "Non hai avvisi da pagare." in history
    receipt = Receipt.objects.get(option=first)
    pdf = sara_client.get(f"/pagamenti/ricevuta/{receipt.pk}/")
    assert pdf["Content-Type"] == "application/pdf"
    receipt_text = pdf_text(pdf.content)
    assert "Pagati € 45,60" in receipt_text and first.notice_number_display in receipt_text
    # Tommaso is a minor: his parent's look at his papers is audited.
    assert AuditEvent.objects.filter(action="payment_receipt_downloaded").exists()


def test_leaving_or_a_refused_payment_pays_nothing(
    sara_client: Client, household: Household
) -> None:
    option = make_position(household.sara).options.get()
    for action, title in (("leave", "Pagamento annullato"), ("refuse", "Pagamento non riuscito")):
        confirmed = sara_client.post("/pagamenti/riepilogo/", {"option": [option.pk], "email": ""})
        back = Client().post(confirmed["Location"], {"action": action})
        assert title in page_text(sara_client.get(urlsplit(back["Location"]).path))
    option.refresh_from_db()
    assert option.status == OptionStatus.UNPAID
    assert Receipt.objects.count() == 0


def test_a_cart_holds_at_most_five_notices(sara_client: Client, household: Household) -> None:
    ids = [make_position(household.sara, reference=f"r{n}").options.get().pk for n in range(6)]
    query = "&".join(f"option={pk}" for pk in ids)
    response = sara_client.get(f"/pagamenti/riepilogo/?{query}", follow=True)
    assert "al massimo 5 avvisi" in page_text(response)
    refused = sara_client.post("/pagamenti/riepilogo/", {"option": ids, "email": ""}, follow=True)
    assert "al massimo 5 avvisi" in page_text(refused)
    assert Cart.objects.count() == 0


def test_the_single_payment_and_an_instalment_do_not_go_together(
    sara_client: Client, household: Household
) -> None:
    position = make_position(household.sara, amount="60.00", instalments=("30.00", "30.00"))
    single, first = position.options.get(instalment=0), position.options.get(instalment=1)
    response = sara_client.get(
        f"/pagamenti/riepilogo/?option={single.pk}&option={first.pk}", follow=True
    )
    assert "sia l'unica soluzione sia una rata" in page_text(response)


def test_others_notices_are_neither_shown_nor_payable(
    sara_client: Client, outsider_client: Client, household: Household
) -> None:
    adult_daughter = make_position(household.elena, reference="elena", title="Retta di Elena")
    husband = make_position(household.paolo, reference="paolo", title="Multa di Paolo")
    sons = make_position(household.tommaso, reference="tommaso", title="Mensa di Tommaso")

    ledger = page_text(sara_client.get("/pagamenti/"))
    assert "Mensa di Tommaso" in ledger
    assert "Retta di Elena" not in ledger and "Multa di Paolo" not in ledger

    option = adult_daughter.options.get()
    refused = sara_client.get(f"/pagamenti/riepilogo/?option={option.pk}", follow=True)
    assert "non è tra i tuoi" in page_text(refused)
    assert sara_client.get(f"/pagamenti/avviso/{husband.iupd}/").status_code == 404

    assert "Mensa di Tommaso" not in page_text(outsider_client.get("/pagamenti/"))
    assert outsider_client.get(f"/pagamenti/avviso/{sons.iupd}/").status_code == 404
    stolen = outsider_client.post(
        "/pagamenti/riepilogo/", {"option": [sons.options.get().pk], "email": ""}, follow=True
    )
    assert "non è tra i tuoi" in page_text(stolen)
    assert Cart.objects.count() == 0


def test_anonymous_visitors_are_asked_to_log_in(household: Household) -> None:
    response = Client().get("/pagamenti/")
    assert response.status_code == 302 and response["Location"].startswith("/accedi/")


def decoded_qr_codes(pdf: bytes, tmp_path) -> list[str]:
    """What a bank app reads from the printed notice: the PDF drawn at 200 dpi, read by zbarimg."""
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=200 / 72).to_pil()
    path = tmp_path / "notice.png"
    image.save(path)
    result = subprocess.run(
        ["zbarimg", "--raw", "-q", str(path)], capture_output=True, text=True, check=False
    )
    return sorted(result.stdout.split())


def test_the_notice_pdf_carries_each_code_and_its_pagopa_qr_code(
    sara_client: Client, household: Household, tmp_path
) -> None:
    if not shutil.which("zbarimg"):
        message = "zbarimg is not installed (apt-get install zbar-tools)"
        if ON_CI:
            pytest.fail(f"{message}, and CI=true requires it")
        pytest.skip(message)
    position = make_position(household.tommaso, amount="90.00", instalments=("45.00", "45.00"))
    response = sara_client.get(f"/pagamenti/avviso/{position.iupd}/")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Avviso di pagamento".upper() in text.upper()
    assert "01234560991" in text and household.tommaso.codice_fiscale in text
    assert "Puoi pagare € 90,00 in un'unica soluzione" in text and "RATA 2 € 45,00" in text
    options = list(position.options.order_by("instalment"))
    for option in options:
        assert option.notice_number_display in text
    expected = sorted(
        f"PAGOPA|002|{option.notice_number}|01234560991|{option.amount}" for option in options
    )
    assert decoded_qr_codes(response.content, tmp_path) == expected
    assert AuditEvent.objects.filter(action="payment_notice_downloaded").count() == 1


def test_area_personale_shows_the_households_payments_with_their_status(
    sara_client: Client, outsider_client: Client, household: Household
) -> None:
    make_position(household.tommaso, title="Mensa di Tommaso")
    page = page_text(sara_client.get("/area-personale/"))
    assert "Le tue pratiche" in page
    assert "Mensa di Tommaso" in page and "Da pagare" in page
    assert "Mensa di Tommaso" not in page_text(outsider_client.get("/area-personale/"))
