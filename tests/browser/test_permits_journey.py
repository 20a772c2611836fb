"""The permits journey on the demo comune, clicked through in Chromium: from the service page
the citizen logs in, renews their car's permit in one step (€10 of handling fee, paid in the
simulated pagoPA checkout), downloads its PDF and checks it on the public page; adds a second
car (€60 + €10, paid the same way). The mobility office accepts a company car, draws a zone on
the map and makes a key for the cameras. Every page passes axe-core and has no sideways scroll
at 320 px."""

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

    # Renewal in one step: summary, confirm. The household's first car is free by the fee
    # table; the €10 handling fee is paid in the simulated pagoPA checkout.
    page.get_by_role("link", name=re.compile("^Rinnova")).click()
    accessible(page)
    page.get_by_role("button", name="Rinnova il permesso").click()
    expect(page.get_by_role("heading", name="Riepilogo della domanda")).to_be_visible()
    expect(
        page.get_by_role("row", name=re.compile(r"Tariffa \(1° veicolo del nucleo\) gratuito"))
    ).to_be_visible()
    expect(page.get_by_role("row", name="Diritti di istruttoria € 10,00")).to_be_visible()
    expect(page.get_by_role("row", name="Totale € 10,00")).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Conferma").click()
    expect(page.get_by_role("heading", name="Domanda inviata")).to_be_visible()
    accessible(page)
    page.get_by_role("link", name=re.compile("Paga € 10,00 con pagoPA")).click()
    pay_in_checkout(page)
    renewal = Permit.objects.get(renewal_of__isnull=False)
    assert renewal.status == PermitStatus.VALID and renewal.total == 10
    page.goto(f"/permessi/{renewal.pk}/")
    expect(page.get_by_text("Rinnovato", exact=True)).to_be_visible()
    with page.expect_download() as renewed_pdf:
        page.get_by_role("link", name="Scarica il permesso (PDF)").click()
    assert renewed_pdf.value.path().read_bytes().startswith(b"%PDF")
    page.goto("/permessi/verifica/")
    page.get_by_label("Targa").fill(renewal.plate)
    page.get_by_label("Codice del permesso").fill(renewal.display_code)
    page.get_by_role("button", name="Verifica").click()
    # The renewal starts the day after the current permit ends.
    expect(page.get_by_text("Permesso non ancora in vigore")).to_be_visible()

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
    expect(page.get_by_role("row", name="Tariffa (2° veicolo del nucleo) € 60,00")).to_be_visible()
    expect(page.get_by_role("row", name="Diritti di istruttoria € 10,00")).to_be_visible()
    expect(page.get_by_role("row", name="Totale € 70,00")).to_be_visible()
    accessible(page)
    page.get_by_role("button", name="Conferma").click()
    page.get_by_role("link", name=re.compile("Paga € 70,00 con pagoPA")).click()
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
    assert permit.status == PermitStatus.AWAITING_PAYMENT
    assert (permit.fee, permit.handling_fee) == (60, 10)
    page.get_by_role("link", name="Zone e tariffe").click()
    accessible(page)
    page.goto("/operatori/permessi/statistiche/")
    accessible(page)


def _office_page(page: Page, username: str = "mobilita-prova") -> None:
    from django.conf import settings as django_settings
    from django.contrib.auth.models import Group
    from django.test import Client

    from sportello.accounts.models import User
    from sportello.accounts.roles import Role

    clerk = User.objects.create_user(username, is_staff=True)
    clerk.groups.add(Group.objects.get(name=Role.MOBILITY_OFFICE))
    client = Client()
    client.force_login(clerk)
    page.goto("/")
    cookie = django_settings.SESSION_COOKIE_NAME
    page.context.add_cookies(
        [{"name": cookie, "value": client.cookies[cookie].value, "url": page.url}]
    )


def _map_click(page: Page, x: float, y: float, vertices, count: int) -> None:
    """A click on the map as a hand makes it (the pointer moves there, then presses), until the
    vertex is there: Leaflet.draw ignores a press in the instant after the previous vertex."""
    for _attempt in range(5):
        page.mouse.move(x, y, steps=4)
        page.mouse.down()
        page.mouse.up()
        try:
            expect(vertices).to_have_count(count, timeout=1000)
        except AssertionError:
            continue
        return
    expect(vertices).to_have_count(count)


def test_the_office_draws_a_zone_on_the_map_and_makes_a_camera_key(page: Page, demo_comune) -> None:
    from sportello.permits.models import CameraToken, Zone

    _office_page(page)
    page.goto("/operatori/permessi/zone/nuova/")
    expect(page.get_by_role("heading", name="Nuova zona")).to_be_visible()
    the_map = page.get_by_role("region", name=re.compile("^Mappa della zona"))
    expect(the_map).to_be_visible()
    expect(page.get_by_role("button", name="Ingrandisci")).to_be_visible()
    accessible(page)
    page.get_by_label("Codice").fill("ztl-porto")
    page.get_by_label("Nome").fill("Porto")
    page.get_by_label("Fasce orarie delle telecamere").fill("1-5 08:00-20:00")
    # A triangle drawn with the mouse, closed with «Fine».
    # Drawing has begun when the toolbar offers «Annulla»: only then does a click add a vertex.
    # In CI, loaded, a first click on the button was twice left without effect: click again,
    # as a person would, when the drawing did not begin (a click while drawing would stop it).
    cancel = page.locator("#area-map .leaflet-draw-actions a", has_text="Annulla")
    for _attempt in range(3):
        page.get_by_role("link", name="Disegna un poligono").click()
        try:
            expect(cancel).to_be_visible(timeout=3000)
        except AssertionError:
            continue
        break
    expect(cancel).to_be_visible()
    the_map.scroll_into_view_if_needed()
    box = the_map.bounding_box()  # after the click scrolled the map into view
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    vertices = page.locator("#area-map .leaflet-editing-icon")
    for count, (dx, dy) in enumerate(((-80, -60), (80, -60), (0, 70)), start=1):
        _map_click(page, cx + dx, cy + dy, vertices, count)
    page.get_by_role("link", name="Fine").click()
    expect(page.locator("#area-shapes")).to_contain_text("Poligono con 3 vertici")
    expect(page.locator("#area-count")).to_contain_text("Nell")
    page.get_by_role("button", name="Salva la zona").last.click()
    expect(page.get_by_text(re.compile("Zona salvata"))).to_be_visible()
    zone = Zone.objects.get(code="ztl-porto")
    assert len(zone.area["features"]["features"]) == 1
    assert zone.windows == [{"days": [1, 2, 3, 4, 5], "start": "08:00", "end": "20:00"}]

    page.goto("/operatori/permessi/chiavi/")
    accessible(page)
    page.get_by_label("Chi usa la chiave").fill("Varchi centro")
    page.get_by_role("button", name="Crea la chiave").click()
    key = page.get_by_label("Chiave", exact=True).input_value()
    assert CameraToken.objects.filter(name="Varchi centro").exists() and len(key) > 30
    accessible(page)
