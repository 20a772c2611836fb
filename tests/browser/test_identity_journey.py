"""The citizen identity journey, clicked through in Chromium as a new user would.

A counter operator issues credentials and downloads the letter; the citizen logs in with the
temporary password, is made to change it, reaches a padlock service, idles out, logs back in to
the page they wanted, and revokes the credentials. Fields are found by their labels and buttons
by their accessible names, so the test also proves the pages can be used that way.
"""

from __future__ import annotations

import io
import re
import time

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from sportello.accounts.sessions import SESSION_SEEN_AT
from sportello.registry.models import Person

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "Gelsomino-sul-balcone-7"  # noqa: S105
_USERNAME = re.compile(r"NOME UTENTE\s*\n?\s*(\S+)", re.IGNORECASE)
_TEMPORARY_PASSWORD = re.compile(r"\b[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}\b")


@pytest.fixture
def demo_comune(live_server) -> None:
    call_command("demo", "--citizens", "20", "--seed", "1", stdout=io.StringIO())


@pytest.fixture
def resident(demo_comune) -> Person:
    """An adult of the demo registry who has never had credentials."""
    adult_from = timezone.localdate().replace(year=timezone.localdate().year - 30)
    person = (
        Person.objects.filter(
            account__isnull=True, date_of_death__isnull=True, birth_date__lte=adult_from
        )
        .order_by("pk")
        .first()
    )
    assert person is not None, "the demo registry has no adult without credentials"
    return person


def log_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Nome utente", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Accedi", exact=True).click()


def letter_credentials(pdf: bytes) -> tuple[str, str]:
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    password = _TEMPORARY_PASSWORD.search(text)
    username = _USERNAME.search(text)
    assert password and username, f"no credentials in the letter:\n{text}"
    return username.group(1), password.group(0)


def backdate_session(page: Page, *, minutes: int) -> None:
    """Pretend the browser has been idle: move the session's last activity into the past."""
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(session_key=cookie["value"])
    assert session.get(SESSION_SEEN_AT), "the session has no last-activity stamp"
    session[SESSION_SEEN_AT] = time.time() - minutes * 60
    session.save()


def test_issue_first_access_expiry_and_revocation(page: Page, resident: Person) -> None:
    idle = settings.SPORTELLO_SESSION_IDLE_MINUTES
    page.set_default_timeout(10_000)

    # 1. The counter operator logs in, finds the resident, checks the document, issues.
    page.goto("/accedi/")
    expect(page.get_by_role("heading", name="Accedi all'area personale")).to_be_visible()
    expect(page.get_by_label("Nome utente", exact=True)).to_be_focused()  # autofocus
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password", exact=True)).to_be_focused()
    log_in(page, "sportello", settings.SPORTELLO_DEMO_PASSWORD)
    # The operator's name in the header leads to the operators' area too.
    page.get_by_role("banner").get_by_role("link", name="Operatore di sportello").click()
    expect(page.get_by_role("heading", name="Area operatori")).to_be_visible()
    page.get_by_role("link", name="Credenziali dei cittadini").click()
    page.get_by_label("Codice fiscale o cognome e nome").fill(resident.codice_fiscale.lower())
    page.get_by_role("button", name="Cerca in anagrafe").click()
    expect(page.get_by_role("heading", name="1 persona trovata")).to_be_visible()
    page.get_by_role("link", name=f"{resident.last_name} {resident.first_name}").click()
    expect(
        page.get_by_role("heading", name=f"{resident.first_name} {resident.last_name}")
    ).to_be_visible()

    page.get_by_label("Documento di riconoscimento esibito").select_option(
        label="Carta d'identità elettronica"
    )
    page.get_by_label("Numero del documento").fill("ca12345ab")
    page.get_by_label("Rilasciato da").fill("Comune di Livorno")
    expiry = timezone.localdate().replace(year=timezone.localdate().year + 5)
    page.get_by_label("Scadenza del documento").fill(expiry.isoformat())
    page.get_by_label("Sportello").select_option(index=1)
    page.get_by_role("button", name="Rilascia e prepara la lettera").click()
    expect(page.get_by_role("heading", name="Credenziali rilasciate")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Scarica la lettera (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"credenziali-{resident.codice_fiscale}.pdf"
    with open(download.path(), "rb") as letter:
        username, temporary = letter_credentials(letter.read())
    assert username == resident.codice_fiscale

    page.get_by_role("button", name="Esci").click()
    expect(page.get_by_text("Sei uscito dall'area riservata.")).to_be_visible()

    # 2. First access: nothing but the password change until the password is the citizen's.
    page.get_by_role("link", name="Accedi all'area personale").first.click()
    log_in(page, username, temporary)
    expect(page.get_by_role("heading", name="Cambia la password")).to_be_visible()
    expect(page.get_by_text("È il tuo primo accesso")).to_be_visible()

    for elsewhere in ["/", "/i-miei-dati/", "/area-personale/"]:
        page.goto(elsewhere)
        expect(page.get_by_role("heading", name="Cambia la password")).to_be_visible()

    new_password = page.get_by_label("Nuova password", exact=True)
    expect(new_password).to_have_accessible_description(re.compile("almeno 12 caratteri"))
    page.get_by_label("Password attuale").fill(temporary)
    new_password.fill("corta")
    page.get_by_label("Conferma nuova password").fill("corta")
    page.get_by_role("button", name="Cambia la password").click()
    # The error is tied to the field: marked invalid and read out with its description.
    confirm = page.get_by_label("Conferma nuova password")
    expect(confirm).to_have_attribute("aria-invalid", "true")
    expect(confirm).to_have_accessible_description(re.compile(r"troppo corta.*\b12 caratteri"))

    page.get_by_label("Password attuale").fill(temporary)
    page.get_by_label("Nuova password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Conferma nuova password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Cambia la password").click()
    expect(page.get_by_text("Password cambiata.")).to_be_visible()
    expect(page.get_by_role("heading", name="Area personale", exact=True)).to_be_visible()

    # The padlock service, from the home page.
    page.get_by_role("link", name="Comune di Livorno Servizi online per i cittadini").click()
    card = page.get_by_role("heading", name="I miei dati anagrafici").locator("..")
    expect(card).to_contain_text("Servizio riservato agli utenti certificati")
    page.get_by_role("link", name="I miei dati anagrafici").click()
    expect(page).to_have_url(re.compile(r"/i-miei-dati/$"))
    expect(page.get_by_role("heading", name="I miei dati anagrafici", level=1)).to_be_visible()
    me = page.get_by_role("region", name="Dati personali")
    expect(me).to_contain_text(f"{resident.last_name} {resident.first_name}")
    expect(me).to_contain_text(resident.codice_fiscale)

    # 3. Idle past the timeout: the next page says so, and logging in again comes back here.
    backdate_session(page, minutes=idle + 1)
    page.reload()
    expect(page.get_by_role("heading", name="Sessione scaduta")).to_be_visible()
    expect(page.get_by_text(f"dopo {idle} minuti senza attività")).to_be_visible()
    page.get_by_role("link", name="Accedi di nuovo").click()
    log_in(page, username, NEW_PASSWORD)
    expect(page).to_have_url(re.compile(r"/i-miei-dati/$"))
    expect(page.get_by_role("heading", name="I miei dati anagrafici", level=1)).to_be_visible()

    # 4. Revocation, from the account page: logged out, and the password no longer works.
    page.get_by_role("banner").get_by_role(
        "link", name=f"{resident.first_name} {resident.last_name}"
    ).click()
    expect(page.get_by_role("heading", name="Area personale", exact=True)).to_be_visible()
    page.get_by_role("link", name="Revoca le mie credenziali").click()
    expect(page.get_by_role("heading", name="Revoca le tue credenziali")).to_be_visible()
    expect(page.get_by_text("smettono di funzionare per sempre")).to_be_visible()
    page.get_by_role("button", name="Sì, revoca le mie credenziali").click()
    expect(page.get_by_role("heading", name="Credenziali revocate")).to_be_visible()
    expect(page.get_by_role("button", name="Esci")).to_have_count(0)

    page.goto("/accedi/")
    log_in(page, username, NEW_PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("Nome utente o password non corretti.")
    expect(page.get_by_role("heading", name="Accedi all'area personale")).to_be_visible()

    # The refused login answers 200 with the form again, so no request at all failed.
    assert page.failed_requests == []  # type: ignore[attr-defined]


def test_operator_lands_on_the_operators_area(page: Page, demo_comune: None) -> None:
    page.set_default_timeout(10_000)
    page.goto("/accedi/")
    log_in(page, "sportello", settings.SPORTELLO_DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Area operatori")).to_be_visible(timeout=2_000)
