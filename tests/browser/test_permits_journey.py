"""The permits journey on the demo comune, clicked through in Chromium: from the service page
the citizen logs in, renews their car's permit in one step, adds a second car (€60, paid in the
simulated pagoPA checkout), downloads the PDF and checks the plate on the public page. Every
page passes axe-core and has no sideways scroll at 320 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from sportello.permits.models import Permit, PermitStatus
from tests.browser.demo import accessible, log_in, pay_in_checkout

pytestmark = pytest.mark.django_db(transaction=True)


def test_renew_add_a_car_pay_and_check(page: Page, demo_comune, tmp_path) -> None:
    page.goto("/")
    page.get_by_role("link", name="Permessi ZTL e ZSC").first.click()
    expect(page.get_by_role("heading", name="Permessi ZTL e ZSC", exact=True)).to_be_visible()
    accessible(page)
    page.get_by_role("link", name="Accedi al servizio").click()
    log_in(page)
    expect(page.get_by_role("heading", name="I miei permessi")).to_be_visible()
    accessible(page)

    # Renewal in one step: summary, confirm (the household's first car costs nothing).
    page.get_by_role("link", name=re.compile("^Rinnova")).click()
    accessible(page)
    page.get_by_role("button", name="Rinnova il permesso").click()
    expect(page.get_by_role("heading", name="Riepilogo della domanda")).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Conferma").click()
    expect(page.get_by_role("heading", name="Domanda inviata")).to_be_visible()
    accessible(page)
    renewal = Permit.objects.get(renewal_of__isnull=False)
    assert renewal.status == PermitStatus.VALID and renewal.fee == 0

    # A second car: €60, paid with pagoPA.
    document = tmp_path / "libretto.png"
    from PIL import Image

    Image.new("RGB", (40, 20), "white").save(document)
    page.goto("/permessi/nuovo/")
    accessible(page)
    page.get_by_text(re.compile("Residenti ZTL")).click()
    page.get_by_label("Targa del veicolo").fill("gh 456 jk")
    # Clicked as a person would (no force): no floating label may cover the choices.
    page.get_by_text("aziendale o in leasing/noleggio", exact=True).click()
    page.get_by_text("di una persona della famiglia", exact=True).click()
    expect(page.get_by_label(re.compile("di una persona della famiglia"))).to_be_checked()
    page.get_by_label("Carta di circolazione (libretto)").set_input_files(str(document))
    page.get_by_role("button", name="Avanti: riepilogo").click()
    expect(page.get_by_text("€ 60,00").first).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Conferma").click()
    page.get_by_role("link", name=re.compile("Paga € 60,00 con pagoPA")).click()
    pay_in_checkout(page)
    page.get_by_role("link", name=re.compile("Permessi ZTL e ZSC")).click()
    second = Permit.objects.get(plate="GH456JK")
    assert second.status == PermitStatus.VALID
    accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Scarica il permesso (PDF)").click()
    assert download.value.path().read_bytes().startswith(b"%PDF")

    page.goto("/permessi/verifica/")
    page.get_by_label("Targa").fill("GH456JK")
    page.get_by_label("Codice del permesso").fill(second.display_code)
    page.get_by_role("button", name="Verifica").click()
    expect(page.get_by_text("Permesso valido")).to_be_visible()
    accessible(page)


def test_the_mobility_office_accepts_a_company_car(page: Page, demo_comune) -> None:
    from django.conf import settings as django_settings
    from django.contrib.auth.models import Group
    from django.test import Client

    from sportello.accounts.models import User
    from sportello.accounts.roles import Role
    from sportello.permits.models import PermitType
    from sportello.permits.services import permit_confirm, permit_draft_create
    from tests.permits.conftest import upload

    citizen = User.objects.get(username="cittadino")
    draft = permit_draft_create(
        user=citizen,
        permit_type_id=PermitType.objects.get(zone__code="ztl-centro", kind="resident").pk,
        plate="AZ 777 LE",
        plate_foreign=False,
        ownership="company",
        owner_id=None,
        registration_document=upload(),
        contract_document=upload("contratto.pdf", "pdf"),
    )
    permit_confirm(permit=draft, user=citizen)
    clerk = User.objects.create_user("mobilita-prova", is_staff=True)
    clerk.groups.add(Group.objects.get(name=Role.MOBILITY_OFFICE))
    client = Client()
    client.force_login(clerk)
    page.goto("/")
    cookie = django_settings.SESSION_COOKIE_NAME
    page.context.add_cookies(
        [{"name": cookie, "value": client.cookies[cookie].value, "url": page.url}]
    )
    page.goto("/operatori/permessi/")
    expect(page.get_by_role("heading", name="Domande da verificare")).to_be_visible()
    accessible(page)
    page.get_by_role("link", name="AZ777LE").click()
    accessible(page)
    page.get_by_role("button", name="Accetta la domanda").click()
    expect(page.get_by_text("Domanda accettata")).to_be_visible()
    # The household's second car: €60 to pay now.
    permit = Permit.objects.get(plate="AZ777LE")
    assert permit.status == PermitStatus.AWAITING_PAYMENT and permit.fee == 60
    page.get_by_role("link", name="Zone e tariffe").click()
    accessible(page)
    page.goto("/operatori/permessi/statistiche/")
    accessible(page)
