"""The citizen desk keeps the promises its pages make (issue 15), clicked through in Chromium as
a citizen would on the demo comune. Every page visited passes axe-core with no violation and
has no sideways scroll at 320 px."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Page, expect

from sportello.accounts.models import User
from sportello.accounts.sessions import SESSION_SEEN_AT
from sportello.certificates.models import Certificate, CertificateStatus
from sportello.core.models import ServiceFeedback
from tests.browser.demo import accessible, log_in, pay_in_simulator, tick
from tests.channels.smtp_peer import SmtpPeer, free_port

pytestmark = pytest.mark.django_db(transaction=True)


def idle_out(page: Page) -> None:
    """Pretend the browser has been idle past the timeout."""
    cookie = next(c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(session_key=cookie["value"])
    session[SESSION_SEEN_AT] = time.time() - (settings.SPORTELLO_SESSION_IDLE_MINUTES + 1) * 60
    session.save()


@pytest.fixture
def smtp(settings) -> Iterator[SmtpPeer]:
    """A real SMTP server: the e-mails leave as they would in production."""
    peer = SmtpPeer(port=free_port())
    peer.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", peer.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield peer
    peer.stop()


def test_a_certificate_request_survives_the_expiry_and_ends_with_a_rating(
    page: Page, demo_comune, smtp: SmtpPeer
) -> None:
    """The walk of issue 15: request → session expires → log in → the form is back filled →
    summary → confirm (and pay the bollo) → e-mail received → rating given."""
    page.set_default_timeout(10_000)
    User.objects.filter(username="cittadino").update(email="cittadino@example.it")
    page.goto("/certificati/richiedi/")
    log_in(page)
    page.get_by_role("link", name=re.compile(r"\(tu\)")).click()
    tick(page.get_by_label("Certificato di residenza", exact=True))
    page.get_by_label("Uso").fill("pratica di mutuo")
    idle_out(page)
    page.get_by_role("button", name="Richiedi il certificato").click()
    expect(page.get_by_role("heading", name="Sessione scaduta")).to_be_visible()
    expect(page.get_by_text("Dopo l'accesso lo ritroverai compilato")).to_be_visible()
    accessible(page)
    page.get_by_role("link", name="Accedi di nuovo").click()
    log_in(page)
    expect(page.get_by_role("heading", name="Richiedi un certificato")).to_be_visible()
    expect(page.get_by_text("La sessione era scaduta")).to_be_visible()
    expect(page.get_by_label("Certificato di residenza", exact=True)).to_be_checked()
    expect(page.get_by_label("Uso")).to_have_value("pratica di mutuo")
    accessible(page)

    page.get_by_role("button", name="Richiedi il certificato").click()
    expect(page.get_by_role("heading", name="Riepilogo della richiesta")).to_be_visible()
    summary = page.locator('[data-element="service-summary"]')
    expect(summary).to_contain_text("pratica di mutuo")
    expect(summary).to_contain_text("€ 16,00")
    accessible(page)
    page.get_by_role("button", name="Modifica").click()
    expect(page.get_by_label("Uso")).to_have_value("pratica di mutuo")
    page.get_by_role("button", name="Richiedi il certificato").click()
    # One summary: the certificate's says the amount and goes straight on to pagoPA.
    expect(page.get_by_label("E-mail a cui mandare la ricevuta")).to_have_value(
        "cittadino@example.it"
    )
    page.get_by_role("button", name="Conferma e paga con pagoPA").click()
    pay_in_simulator(page, audit=False)
    page.get_by_role("link", name=re.compile("Certificati anagrafici")).click()
    certificate = Certificate.objects.get()
    assert certificate.status == CertificateStatus.ISSUED

    # The e-mail, through a real SMTP server.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(
        certificate.display_code in str(m.message["Subject"]) for m in smtp.messages
    ):
        time.sleep(0.2)
    [issued] = [m for m in smtp.messages if certificate.display_code in str(m.message["Subject"])]
    assert issued.recipients == ["cittadino@example.it"]
    assert "è pronto" in issued.message.get_content()

    # The rating at the end of the service.
    expect(page.locator('[data-element="feedback"]')).to_be_visible()
    accessible(page)
    tick(page.get_by_label("5 stelle", exact=True))
    page.get_by_role("button", name="Invia la valutazione").click()
    expect(page.get_by_role("heading", name="Grazie, ancora una domanda")).to_be_visible()
    tick(page.get_by_label("Il servizio era facile da usare"))
    page.get_by_role("button", name="Invia", exact=True).click()
    expect(page.get_by_role("heading", name="Grazie per la tua valutazione")).to_be_visible()
    accessible(page)
    feedback = ServiceFeedback.objects.get()
    assert (feedback.service, feedback.rating, feedback.aspect) == ("certificates", 5, "easy")


def test_the_error_report_comes_back_filled_after_the_session_expired(
    page: Page, demo_comune
) -> None:
    page.set_default_timeout(10_000)
    page.goto("/accedi/")
    log_in(page)
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
    # The logged-in page has loaded, with its (hidden) warning, before the clock moves on.
    expect(page.get_by_role("banner").get_by_role("button", name="Esci")).to_be_visible()
    expect(page.locator("#session-warning")).to_have_count(1)
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


def test_a_failed_submit_shows_an_error_summary_that_takes_the_focus(
    page: Page, demo_comune
) -> None:
    page.set_default_timeout(10_000)
    page.goto("/certificati/richiedi/")
    log_in(page)
    page.get_by_role("link", name=re.compile(r"\(tu\)")).click()
    page.get_by_role("button", name="Richiedi il certificato").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Il modulo contiene 2 errori")
    accessible(page)
    summary.get_by_role("link", name=re.compile("^Uso:")).click()
    expect(page.get_by_label("Uso")).to_be_focused()
