"""The citizen desk keeps the promises its pages make (issue 15), clicked through in Chromium as
a citizen would on the demo comune. Every page visited passes axe-core with no violation and
has no sideways scroll at 320 px."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from playwright.sync_api import Page, expect

from sportello.accounts.services import SESSION_SEEN_AT
from sportello.certificates.demo_seal import demo_seal_ensure

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Sportello-Demo-2026"  # noqa: S105 - the demo's published password


@pytest.fixture(scope="module")
def seal_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("seal")
    demo_seal_ensure(directory=directory, organisation="Comune di Livorno")
    return directory


@pytest.fixture
def demo_comune(live_server, settings, seal_dir: Path) -> None:
    settings.SPORTELLO_SEAL = {**settings.SPORTELLO_SEAL, "backend": "demo", "demo_dir": seal_dir}
    settings.SPORTELLO_PAYMENTS_PROVIDER = "sportello.payments.providers.simulator.Simulator"
    settings.SPORTELLO_DEMO_PASSWORD = PASSWORD
    call_command("demo", "--citizens", "20", "--seed", "1", stdout=io.StringIO())


def log_in(page: Page) -> None:
    page.get_by_label("Nome utente", exact=True).fill("cittadino")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Accedi", exact=True).click()


def accessible(page: Page) -> None:
    """axe-core finds nothing, and at 320 px nothing scrolls sideways (WCAG 1.4.10)."""
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(size)
    assert width <= 320, f"{page.url} scrolls sideways at 320 px ({width} px wide)"


def idle_out(page: Page) -> None:
    """Pretend the browser has been idle past the timeout."""
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(session_key=cookie["value"])
    session[SESSION_SEEN_AT] = time.time() - (settings.SPORTELLO_SESSION_IDLE_MINUTES + 1) * 60
    session.save()


def test_forms_come_back_filled_after_the_session_expired(page: Page, demo_comune) -> None:
    page.set_default_timeout(10_000)
    page.goto("/certificati/richiedi/")
    log_in(page)
    page.get_by_role("link", name=re.compile(r"\(tu\)")).click()
    page.get_by_label("Certificato di residenza", exact=True).check(force=True)
    page.get_by_label("Uso").fill("pratica di mutuo")
    idle_out(page)
    page.get_by_role("button", name="Richiedi il certificato").click()
    expect(page.get_by_role("heading", name="Sessione scaduta")).to_be_visible()
    expect(page.get_by_text("Dopo l'accesso lo ritroverai compilato")).to_be_visible()
    page.get_by_role("link", name="Accedi di nuovo").click()
    log_in(page)
    expect(page.get_by_role("heading", name="Richiedi un certificato")).to_be_visible()
    expect(page.get_by_text("La sessione era scaduta")).to_be_visible()
    expect(page.get_by_label("Certificato di residenza", exact=True)).to_be_checked()
    expect(page.get_by_label("Uso")).to_have_value("pratica di mutuo")
    accessible(page)

    # The error report, too.
    page.goto("/i-miei-dati/segnala-errore/")
    page.get_by_label("Quale dato è sbagliato").select_option(index=1)
    page.get_by_label("Che cosa è sbagliato").fill("Il mio secondo nome è Maria")
    idle_out(page)
    page.get_by_role("button", name="Invia la segnalazione").click()
    page.get_by_role("link", name="Accedi di nuovo").click()
    log_in(page)
    expect(page.get_by_label("Che cosa è sbagliato")).to_have_value("Il mio secondo nome è Maria")
    expect(page.get_by_label("Quale dato è sbagliato")).not_to_have_value("")


def test_a_minute_before_the_timeout_a_warning_offers_more_time(page: Page, demo_comune) -> None:
    page.set_default_timeout(10_000)
    idle = settings.SPORTELLO_SESSION_IDLE_MINUTES
    page.clock.install()
    page.goto("/accedi/")
    log_in(page)
    warning = page.get_by_role("alertdialog", name="La sessione sta per scadere")
    expect(warning).to_be_hidden()
    page.clock.run_for((idle - 1) * 60_000 + 1_000)
    expect(warning).to_be_visible()
    expect(warning.get_by_role("button", name="Resta collegato")).to_be_focused()
    accessible(page)
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    before = SessionStore(session_key=cookie["value"])[SESSION_SEEN_AT]
    time.sleep(0.01)
    warning.get_by_role("button", name="Resta collegato").click()
    expect(warning).to_be_hidden()
    assert SessionStore(session_key=cookie["value"])[SESSION_SEEN_AT] > before
    # Left alone after the warning, the page is asked for again and the server says it is over.
    idle_out(page)
    page.clock.run_for(idle * 60_000 + 2_000)
    expect(page).to_have_url(re.compile(r"/sessione-scaduta/"))
