"""The canteen journey, clicked through in Chromium on the demo comune: the citizen enrols a
child with a medical diet (certificate uploaded) and reads the tariff in the summary; the school
office accepts the enrolment; the citizen tops up €20 in the simulated pagoPA checkout and
notifies an absence; the office runs the day and reads the kitchen's count; the citizen
downloads the sealed yearly statement. Every page passes axe-core and fits 320 px."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from sportello.canteen.models import (
    Absence,
    CanteenDay,
    CreditAccount,
    Enrolment,
    EnrolmentStatus,
)
from tests.browser.demo import accessible, log_in, pay_in_checkout, tick

pytestmark = pytest.mark.django_db(transaction=True)
CHILD_CODE = "RSSMRA17A01G702Q"


def next_canteen_day(weekdays: str) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=1)
    while str(day.isoweekday()) not in weekdays:
        day += datetime.timedelta(days=1)
    return day


def test_enrol_accept_top_up_absence_day_and_statement(
    page: Page, demo_comune, browser, live_server, tmp_path: Path
) -> None:
    # The citizen finds the service, logs in from its page, enrols a child.
    page.goto("/")
    page.get_by_role("link", name="Mensa scolastica").first.click()
    expect(page.get_by_role("heading", name="Mensa scolastica")).to_be_visible()
    accessible(page)
    page.get_by_role("link", name="Accedi al servizio").click()
    log_in(page, "cittadino")
    expect(page.get_by_role("heading", name="Credito dei pasti")).to_be_visible()
    accessible(page)
    page.get_by_role("link", name=re.compile("Iscrivi un figlio")).click()
    accessible(page)
    tick(page.get_by_label(re.compile("non risiede nel Comune")))
    page.get_by_label("Codice fiscale del bambino").fill(CHILD_CODE)
    page.get_by_label(re.compile("^Nome")).fill("Mario")
    page.get_by_label(re.compile("^Cognome")).fill("Rossi")
    page.get_by_label(re.compile("^Data di nascita")).fill("2017-01-01")
    page.get_by_role("button", name="Continua").click()

    expect(page.get_by_text("Passo 2 di 3")).to_be_visible()
    accessible(page)
    page.get_by_label(re.compile("^Scuola e classe")).select_option(
        label="Scuola primaria Collodi, 2A"
    )
    tick(page.get_by_label(re.compile("motivi di salute")))
    page.get_by_label(re.compile("^Indicazioni del medico")).fill("Niente arachidi")
    certificate = tmp_path / "certificato.pdf"
    certificate.write_bytes(b"%PDF-1.4\n% certificato del pediatra\n")
    page.get_by_label(re.compile("^Certificato medico")).set_input_files(str(certificate))
    page.get_by_label(re.compile("^Valore ISEE")).fill("8000")
    page.get_by_label(re.compile("^Numero di protocollo della DSU")).fill("INPS-ISEE-2026-1")
    tick(page.get_by_label(re.compile("accetto il regolamento")))
    page.get_by_role("button", name="Vai al riepilogo").click()

    expect(page.get_by_role("heading", name="Riepilogo della domanda")).to_be_visible()
    # ISEE ≤ 10,000, not resident (€ 4,50), less 20 % as the second child enrolled by the parent
    expect(page.get_by_text("€ 3,60").first).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Conferma e invia la domanda").click()
    enrolment = Enrolment.objects.get(child_fiscal_code=CHILD_CODE)
    expect(page.get_by_text(enrolment.protocol).first).to_be_visible()
    accessible(page)

    # The school office accepts it.
    office = browser.new_context(base_url=live_server.url, locale="it-IT").new_page()
    office.goto("/operatori/mensa/")
    log_in(office, "scuola")
    expect(office.get_by_role("heading", name=re.compile("Iscrizioni alla mensa"))).to_be_visible()
    accessible(office)
    tick(office.get_by_label("Scegli Mario Rossi"))
    office.get_by_role("button", name="Accogli le domande scelte").click()
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.ACCEPTED
    office.goto(f"/operatori/mensa/iscrizione/{enrolment.pk}/")
    expect(office.get_by_role("heading", name=f"Domanda {enrolment.protocol}")).to_be_visible()
    accessible(office)
    office.goto("/operatori/mensa/assenze/")
    accessible(office)
    page.goto(f"/mensa/iscrizione/{enrolment.pk}/")
    expect(page.get_by_text("Accolta").first).to_be_visible()
    accessible(page)

    # The citizen tops up €20 and notifies tomorrow's absence.
    page.goto("/mensa/")
    page.get_by_role("link", name="Ricarica, movimenti e assenze — Mario Rossi").click()
    accessible(page)
    page.get_by_label(re.compile("^Importo della ricarica")).fill("20")
    page.get_by_role("button", name="Vai al pagamento").click()
    pay_in_checkout(page)
    account = CreditAccount.objects.get(child_fiscal_code=CHILD_CODE)
    assert account.balance == 2000
    page.goto(f"/mensa/credito/{account.pk}/")
    day = next_canteen_day(enrolment.school_class.canteen_days)
    page.get_by_label("Giorno di assenza").fill(day.isoformat())
    page.get_by_role("button", name="Comunica l'assenza").click()
    expect(page.get_by_text(re.compile("Assenza del .* registrata"))).to_be_visible()
    accessible(page)
    assert Absence.objects.filter(enrolment=enrolment, day=day).exists()

    # The office runs today and reads the kitchen's count.
    office.goto("/operatori/mensa/cucina/")
    accessible(office)
    office.get_by_role("button", name="Addebita ora i pasti del giorno").click()
    expect(office.get_by_text(re.compile("Pasti addebitati")).first).to_be_visible()
    accessible(office)
    assert CanteenDay.objects.filter(day=timezone.localdate()).exists()

    # The citizen downloads the statement of the year.
    page.goto(f"/mensa/credito/{account.pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Spese per la mensa pagate nel")).click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and b"/ByteRange" in pdf
