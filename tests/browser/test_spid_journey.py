"""Logging in with SPID and CIE through the local demo identity provider, in Chromium.

A newcomer opens the login page, opens «Entra con SPID» with the keyboard, picks the demo
provider, chooses who to be on its page, and lands in «I miei dati anagrafici»; the person who
does not live in the comune gets an account that sees only what concerns them; the same
resident coming back with CIE lands in the same account. Both pages pass axe-core with no
violation, with the providers' list open.
"""

from __future__ import annotations

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Page, expect

from sportello.accounts.models import DigitalIdentity, User
from sportello.accounts.spid import config
from sportello.core.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_comune(live_server, settings) -> None:
    if config.xmlsec_binary() is None:
        from tests.conftest import ON_CI

        message = "xmlsec1 is not installed (apt-get install xmlsec1)"
        if ON_CI:
            pytest.fail(f"{message}, and CI=true requires it", pytrace=False)
        pytest.skip(message)
    settings.SPORTELLO_SPID = {**settings.SPORTELLO_SPID, "ipa_code": "c_e625"}
    config.config_reset()
    call_command("demo", "--citizens", "20", "--seed", "1", stdout=io.StringIO())
    yield
    config.config_reset()


def assert_accessible(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_spid_demo_login_lands_in_my_registry_data(page: Page, demo_comune) -> None:
    page.set_default_timeout(15_000)
    page.goto("/accedi/")
    spid = page.locator("summary", has_text="Entra con SPID")
    spid.focus()
    page.keyboard.press("Enter")  # the providers' list opens from the keyboard
    demo_provider = page.get_by_role("link", name="SPID demo (prova)")
    expect(demo_provider).to_be_visible()
    assert_accessible(page)

    demo_provider.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="SPID demo (prova)")).to_be_visible()
    expect(page.get_by_text("Questo è un gestore d'identità di prova.")).to_be_visible()
    assert_accessible(page)
    choice = page.get_by_role("button", name="Entra come").first
    name = choice.inner_text().removeprefix("Entra come ").strip()
    choice.click()

    expect(page.get_by_role("heading", name="I miei dati anagrafici")).to_be_visible()
    first_name = name.split()[0]
    expect(page.locator("main")).to_contain_text(first_name)
    citizen = User.objects.get(username="cittadino")
    identity = DigitalIdentity.objects.get(user=citizen)
    assert identity.last_method == "spid"
    # The demo citizen already had counter credentials: the same account, not a second one.
    assert User.objects.filter(person=citizen.person).count() == 1
    assert AuditEvent.objects.filter(action="spid_login", actor=citizen).exists()


def test_non_resident_gets_an_account_of_their_own(page: Page, demo_comune) -> None:
    page.set_default_timeout(15_000)
    page.goto("/accedi/")
    page.locator("summary", has_text="Entra con SPID").click()
    page.get_by_role("link", name="SPID demo (prova)").click()
    page.get_by_role("button", name="Entra come Chiara Esposito").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Area personale")
    user = User.objects.get(digital_identities__codice_fiscale="SPSCHR90E52F839H")
    assert user.person is None and user.first_name == "Chiara"
    page.goto("/i-miei-dati/")
    expect(page.get_by_text("è riservato ai residenti")).to_be_visible()


def test_cancel_at_the_provider_is_a_plain_refusal(page: Page, demo_comune) -> None:
    page.set_default_timeout(15_000)
    page.goto("/accedi/")
    page.locator("summary", has_text="Entra con SPID").click()
    page.get_by_role("link", name="SPID demo (prova)").click()
    page.get_by_role("button", name="Annulla e torna al servizio").click()

    expect(page.get_by_role("alert")).to_have_text("Hai annullato l'accesso.")
    assert AuditEvent.objects.filter(action="spid_refused").count() == 1
    assert not DigitalIdentity.objects.exists()


def test_cie_login_of_a_resident_opens_the_same_account(page: Page, demo_comune) -> None:
    page.set_default_timeout(15_000)
    page.goto("/i-miei-dati/")  # a padlock service: to the login page, and back afterwards
    page.get_by_role("link", name="Entra con CIE").click()
    expect(page.get_by_role("heading", name="CIE demo (prova)")).to_be_visible()
    page.get_by_role("button", name="Entra come").first.click()

    expect(page.get_by_role("heading", name="I miei dati anagrafici")).to_be_visible()
    citizen = User.objects.get(username="cittadino")
    assert DigitalIdentity.objects.get(user=citizen).last_method == "cie"
