"""The alert subscription clicked through in Chromium: subscribe with a mobile number, take the
verification call in the phone simulator, type the code; then call the deregistration line from
that number, press 1, and everything is gone."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from sportello.alerts.demo import demo_alert_people_delete
from sportello.alerts.models import Subscription, Suppression
from sportello.channels.models import Delivery
from sportello.places.models import CivicNumber
from tests.browser.demo import accessible

pytestmark = pytest.mark.django_db(transaction=True)

MOBILE = "333 765 4321"


@pytest.fixture
def address(live_server, settings) -> str:
    settings.SPORTELLO_PHONE_SIMULATOR_PUBLIC = True  # as in the demo
    call_command("demo", "--citizens", "20", "--seed", "2", stdout=io.StringIO())
    demo_alert_people_delete()  # this journey's subscriber is the only one
    civic = CivicNumber.objects.select_related("street").order_by("pk").first()
    return f"{civic.street.name} {civic.number}"


def test_subscribe_verify_by_call_and_deregister_by_phone(page: Page, address: str) -> None:
    page.set_default_timeout(10_000)
    page.goto("/")
    page.get_by_role("link", name="Iscriviti all'allerta").first.click()

    page.get_by_label("Nome", exact=True).fill("Lucia")
    page.get_by_label("Cognome").fill("Neri")
    page.get_by_label("Cellulare").fill(MOBILE)
    page.get_by_label("E-mail").fill("lucia.neri@example.it")
    page.get_by_label("Indirizzo di casa con numero civico").fill(address)
    page.locator("label[for=id_privacy]").click()  # the box is styled under its label
    expect(page.get_by_label("Ho letto l'informativa")).to_be_checked()
    page.get_by_role("button", name="Prosegui").click()

    # The summary before confirming: what will be registered; nobody is called yet.
    expect(page.get_by_role("heading", name="Riepilogo dell'iscrizione")).to_be_visible()
    summary = page.locator('[data-element="service-summary"]')
    expect(summary).to_contain_text("Lucia Neri")
    expect(summary).to_contain_text("+39 333 765 4321 (cellulare)")
    expect(summary).to_contain_text("lucia.neri@example.it")
    expect(summary).to_contain_text(address)
    accessible(page)
    assert not Subscription.objects.exists()
    page.get_by_role("button", name="Modifica").click()
    expect(page.get_by_label("Cognome")).to_have_value("Neri")
    expect(page.get_by_label("Ho letto l'informativa")).to_be_checked()
    page.get_by_role("button", name="Prosegui").click()
    page.get_by_role("button", name="Conferma", exact=True).click()

    expect(page.get_by_role("heading", name="Scrivi il codice")).to_be_visible()
    expect(page.get_by_text("+39 333 765 4321")).to_be_visible()
    accessible(page)

    # The phone rings: open it in the simulator and answer.
    phone = page.context.new_page()
    phone.goto("/simulatore-telefono/")
    phone.get_by_label("Numero di telefono").fill(MOBILE)
    phone.get_by_role("button", name="Apri").click()
    phone.get_by_role("button", name="Rispondi").click()
    spoken = phone.get_by_role("region", name="La voce dice").inner_text()
    code = re.search(r"Il tuo codice è: ((?:\d, ){5}\d)", spoken).group(1).replace(", ", "")

    page.get_by_label("Codice di 6 cifre").fill(code)
    page.get_by_role("button", name="Conferma l'iscrizione").click()
    expect(page.get_by_role("heading", name="Iscrizione completata")).to_be_visible()
    accessible(page)
    assert Subscription.objects.get().status == "active"

    # Later: deregistration by calling the line from the same phone.
    phone.goto(f"/simulatore-telefono/?numero={MOBILE.replace(' ', '')}")
    phone.get_by_role("button", name="Chiama", exact=True).click()
    # The number also takes registration requests: a short menu first.
    expect(phone.get_by_text("Per cancellarti dall'allerta premi 2.")).to_be_visible()
    phone.get_by_role("button", name="2", exact=True).click()
    expect(phone.get_by_text("Abbiamo trovato l'iscrizione")).to_be_visible()
    phone.get_by_role("button", name="1", exact=True).click()
    expect(phone.get_by_text("tutti i tuoi dati sono stati cancellati")).to_be_visible()

    assert not Subscription.objects.exists()
    assert not Delivery.objects.filter(to="+393337654321").exists()
    assert Suppression.objects.count() == 1
    assert page.failed_requests == []  # type: ignore[attr-defined]
