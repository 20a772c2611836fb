"""Every page at phone width (WCAG 1.4.10, reflow): at 320 and 390 px nothing scrolls sideways
and nothing a person can use (links, buttons, fields) lies outside the screen, hidden by a box
that scrolls or clips — logged in as a citizen, as a counter clerk, and not logged in. And
every <select> shows one chevron, not two."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from sportello.accounts.models import User
from sportello.certificates.demo_seal import demo_seal_ensure

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Sportello-Demo-2026"  # noqa: S105 - the demo's published password
WIDTHS = (320, 390)

# Links, buttons and fields that are shown but lie (partly) outside the viewport.
_OFF_SCREEN = """
(width) => {
  const out = [];
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea')) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;        // visually hidden, or not shown
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden') continue;
    if (el.closest('[hidden], [aria-hidden="true"]')) continue;
    if (box.left < -1 || box.right > width + 1) {
      const text = (el.innerText || el.value || el.name || el.getAttribute('aria-label') || '')
        .trim().slice(0, 40);
      const where = `${Math.round(box.left)}–${Math.round(box.right)}`;
      out.push(`${el.tagName.toLowerCase()} «${text}» at ${where}`);
    }
  }
  return out;
}
"""


# A <select> with the browser's own arrow and a chevron drawn as its background.
_TWO_CHEVRONS = """
() => [...document.querySelectorAll('select')]
  .filter((el) => {
    const style = getComputedStyle(el);
    return style.appearance !== 'none' && style.backgroundImage !== 'none';
  })
  .map((el) => el.name)
"""


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


def log_in(page: Page, username: str) -> None:
    page.goto("/accedi/")
    page.get_by_label("Nome utente", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Accedi", exact=True).click()
    expect(page.get_by_role("banner").get_by_role("button", name="Esci")).to_be_visible()


def phone_problems(page: Page, paths: list[str]) -> list[str]:
    problems = []
    for path in paths:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 740})
            response = page.goto(path)
            assert response is not None and response.status < 400, f"{path}: {response.status}"
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                problems.append(f"{path} at {width} px: scrolls sideways ({scroll} px wide)")
            for element in page.evaluate(_OFF_SCREEN, width):
                problems.append(f"{path} at {width} px: {element} off screen")
            for name in page.evaluate(_TWO_CHEVRONS):
                problems.append(f"{path}: the select «{name}» shows two chevrons")
    return problems


CITIZEN_PAGES = [
    "/",
    "/area-personale/",
    "/area-personale/revoca/",
    "/i-miei-dati/",
    "/i-miei-dati/segnala-errore/",
    "/documenti/",
    "/certificati/",
    "/certificati/richiedi/",
    "/certificati/autocertificazione/",
    "/certificati/verifica/",
    "/pagamenti/",
    "/allerta/",
    "/allerta/iscrizione/",
    "/allerta/avvisi/",
    "/contatti/",
    "/privacy/",
    "/note-legali/",
    "/accessibilita/",
    "/credenziali/",
]
PUBLIC_PAGES = ["/", "/accedi/", "/credenziali/richiesta/", "/sessione-scaduta/", "/allerta/"]
CLERK_PAGES = ["/operatori/", "/operatori/credenziali/", "/operatori/richieste/"]


def test_no_page_scrolls_sideways_on_a_phone(page: Page, demo_comune) -> None:
    page.set_default_timeout(10_000)
    problems = phone_problems(page, PUBLIC_PAGES)

    # A long name in the header, next to «Esci».
    User.objects.filter(username="cittadino").update(
        first_name="Maria Alessandra Benedetta", last_name="Bianchi-Rossi Della Gherardesca"
    )
    log_in(page, "cittadino")
    # A certificate in the history, so that the table has a row with its download link.
    page.goto("/certificati/richiedi/")
    page.get_by_role("link", name=re.compile(r"\(tu\)")).click()
    request_url = page.url.replace(page.url.split("/certificati/")[0], "")
    page.get_by_label(re.compile("stato di famiglia", re.IGNORECASE)).first.check(force=True)
    page.get_by_label("Uso").fill("uso pratica di iscrizione scolastica")
    page.get_by_label("Imposta di bollo").select_option(index=1)
    page.get_by_role("button", name="Richiedi il certificato").click()
    page.get_by_role("button", name="Conferma", exact=True).click()
    expect(page.get_by_role("link", name=re.compile("^Scarica"))).to_have_count(1)
    problems += phone_problems(page, [*CITIZEN_PAGES, request_url])

    page.get_by_role("banner").get_by_role("button", name="Esci").click()
    log_in(page, "sportello")
    problems += phone_problems(page, CLERK_PAGES)
    assert not problems, "\n".join(problems)
