"""Every page at phone width (WCAG 1.4.10, reflow): at 320 and 390 px nothing scrolls sideways
and nothing a person can use (links, buttons, fields) lies outside the screen, hidden by a box
that scrolls or clips — logged in as a citizen, as a counter clerk, and not logged in. And
every <select> shows one chevron, not two."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Page, expect

from sportello.accounts.models import User
from tests.browser.demo import log_in as demo_log_in
from tests.browser.demo import tick

pytestmark = pytest.mark.django_db(transaction=True)

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


def log_in(page: Page, username: str) -> None:
    page.goto("/accedi/")
    demo_log_in(page, username)
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


# Every page of Sportello's own screens, by who sees it: {route name: path}. Paths with an id are
# worked out on the demo comune (see `_parametrised`). The guard below fails when a route is
# added without being listed here, in JOURNEYS or in NOT_PAGES.
PUBLIC_PAGES = {
    "core:home": "/",
    "core:contacts": "/contatti/",
    "core:privacy": "/privacy/",
    "core:legal_notes": "/note-legali/",
    "core:accessibility": "/accessibilita/",
    "core:faq": "/domande-frequenti/",
    "core:report_inefficiency": "/segnala-disservizio/",
    "accounts:login": "/accedi/",
    "accounts:smartcard_demo": "/accedi/carta/simulatore/",
    "accounts:session_expired": "/sessione-scaduta/",
    "accounts:credentials_info": "/credenziali/",
    "accounts:online_request": "/credenziali/richiesta/",
    "accounts:revoked": "/credenziali/revocate/",
    "alerts:home": "/allerta/",
    "alerts:subscribe": "/allerta/iscrizione/",
    "alerts:privacy": "/allerta/informativa/",
    "alerts:manage": "/allerta/gestisci/",
    "alerts:public_list": "/allerta/avvisi/",
    "alerts:public_archive": "/allerta/avvisi/archivio/",
    "alerts:cap_index": "/allerta/cap/",
    "certificates:verify": "/certificati/verifica/",
    "permits:check": "/permessi/verifica/",
    "canteen:service": "/mensa/servizio/",
    "simulator:phone": "/simulatore-telefono/",
}
CITIZEN_PAGES = {
    "accounts:account": "/area-personale/",
    "accounts:password_change": "/area-personale/password/",
    "accounts:revoke_own": "/area-personale/revoca/",
    "registry:my_data": "/i-miei-dati/",
    "registry:correction_new": "/i-miei-dati/segnala-errore/",
    "documents:my_documents": "/documenti/",
    "certificates:home": "/certificati/",
    "certificates:request_subject": "/certificati/richiedi/",
    "certificates:request": "/certificati/richiedi/{person}/",
    "certificates:self_declaration": "/certificati/autocertificazione/",
    "payments:home": "/pagamenti/",
    "payments:summary": "/pagamenti/riepilogo/?option={option}",
    "canteen:home": "/mensa/",
    "canteen:enrolment_start": "/mensa/iscrizione/",
    "canteen:enrolment": "/mensa/iscrizione/{enrolment}/",
    "canteen:account": "/mensa/credito/{canteen_account}/",
    "permits:home": "/permessi/",
    "permits:apply": "/permessi/nuovo/",
    "permits:detail": "/permessi/{permit}/",
}
CLERK_PAGES = {  # the counter operator («sportello»)
    "accounts:operator_home": "/operatori/",
    "accounts:operator_search": "/operatori/credenziali/",
    "accounts:operator_person": "/operatori/credenziali/persona/{person}/",
    "accounts:operator_revoke": "/operatori/credenziali/persona/{person}/revoca/",
    "accounts:operator_requests": "/operatori/richieste/",
    "accounts:operator_request": "/operatori/richieste/{credential_request}/",
    "accounts:otp_setup": "/area-personale/due-fattori/",
}
OFFICE_PAGES = {  # {username: {route name: path}}
    "protezionecivile": {
        "alerts:console_list": "/allerta/operatori/allerte/",
        "alerts:console_create": "/allerta/operatori/allerte/nuova/",
        "alerts:console_detail": "/allerta/operatori/allerte/{alert}/",
        "alerts:console_edit": "/allerta/operatori/allerte/{alert}/modifica/",
        "alerts:console_area": "/allerta/operatori/allerte/{alert}/area/",
        "alerts:console_coverage": "/allerta/operatori/allerte/copertura/",
        "alerts:cap_upload": "/allerta/cap/importa/",
        "alerts:paper_entry": "/allerta/operatori/modulo-iscrizione/",
        "alerts:paper_deregistration": "/allerta/operatori/modulo-cancellazione/",
        "alerts:callbacks": "/allerta/operatori/richiamate/",
    },
    "scuola": {
        "canteen:office": "/operatori/mensa/",
        "canteen:office_enrolment": "/operatori/mensa/iscrizione/{enrolment}/",
        "canteen:kitchen": "/operatori/mensa/cucina/",
        "canteen:office_absence": "/operatori/mensa/assenze/",
    },
    "ragioneria": {
        "payments:operator_list": "/operatori/pagamenti/",
        "payments:operator_anomalies": "/operatori/pagamenti/anomalie/",
        "payments:operator_detail": "/operatori/pagamenti/{position}/",
    },
    "mobilita": {
        "permits:operator_queue": "/operatori/permessi/",
        "permits:operator_stats": "/operatori/permessi/statistiche/",
        "permits:operator_detail": "/operatori/permessi/{permit}/",
        "permits:operator_zones": "/operatori/permessi/zone/",
        "permits:operator_zone_new": "/operatori/permessi/zone/nuova/",
        "permits:operator_zone": "/operatori/permessi/zone/{zone}/",
        "permits:operator_tokens": "/operatori/permessi/chiavi/",
        "permits:operator_plate_change": "/operatori/permessi/cambi-targa/{plate_change}/",
    },
}
# Pages reached only in the middle of a journey (a session's pending step, a sent alert, a
# return from pagoPA): the journey named checks each at 320 px with accessible().
JOURNEYS = {
    "alerts:verify": "test_alerts_journey.py",
    "alerts:done": "test_alerts_journey.py",
    "alerts:console_preview": "test_alert_sending_journey.py",
    "alerts:console_monitor": "test_alert_sending_journey.py",
    "payments:cart_return": "test_payments_journey.py",
    "payments:simulator_checkout": "test_payments_journey.py",
    "canteen:enrolment_edit": "test_canteen_journey.py",
    "canteen:enrolment_summary": "test_canteen_journey.py",
    "permits:summary": "test_permits_journey.py",
    "spid:demo_sso": "test_spid_journey.py",
}
# Routes that are no page: files, data for scripts, form targets that redirect, webhooks.
NOT_PAGES = {
    "set_language": "POST target, redirects",
    "core:feedback": "POST target of the rating, redirects",
    "backoffice_login": "the admin's login: redirects to /accedi/",
    "accounts:otp_verify": "operators' second factor, after the password (test_identity_journey)",
    "accounts:smartcard_login": "behind nginx with a card; refusals render smartcard_error",
    "accounts:logout": "POST target, redirects",
    "accounts:session_extend": "JSON for the session warning",
    "accounts:sessions_end_all": "POST target, redirects",
    "accounts:operator_request_file": "an attachment (PDF or image)",
    "documents:download": "a PDF",
    "documents:backoffice_download": "a PDF",
    "certificates:download": "a PDF",
    "certificates:verify_document": "POST target (upload), renders the verify page",
    "certificates:verify_code": "the verify page with a code (certificates:verify)",
    "payments:cart_status": "JSON for the return page",
    "payments:notice": "a PDF",
    "payments:receipt": "a PDF",
    "payments:operator_export": "CSV",
    "payments:operator_anomaly_resolve": "POST target, redirects",
    "payments:operator_invalidate": "POST target, redirects",
    "payments:operator_pay_offline": "POST target, redirects",
    "canteen:enrolment_withdraw": "POST target, redirects",
    "canteen:absence": "POST target, redirects",
    "canteen:top_up": "POST target, on to the payment summary",
    "canteen:statement": "a PDF",
    "canteen:day_run": "POST target, redirects",
    "permits:plate_change": "POST target, redirects",
    "permits:renew": "POST target (the renewal's summary is checked in test_permits_journey)",
    "permits:operator_fees": "POST target of the zones page, redirects",
    "permits:pdf": "a PDF",
    "permits:operator_document": "an uploaded document",
    "permits:operator_plates": "CSV",
    "permits:operator_plate_change_document": "an uploaded document",
    "permits:operator_zone_civics": "GeoJSON for the zone map",
    "permits:operator_zone_count": "JSON for the zone map",
    "alerts:console_listen": "WAV audio",
    "alerts:console_recording": "POST target (upload), redirects",
    "alerts:console_submit": "POST target, redirects",
    "alerts:console_approve": "POST target, redirects",
    "alerts:console_stop": "POST target, redirects",
    "alerts:console_update": "POST target, redirects",
    "alerts:console_area_count": "JSON",
    "alerts:console_civics": "JSON",
    "alerts:console_points": "GeoJSON",
    "alerts:console_progress": "JSON",
    "alerts:console_map": "GeoJSON",
    "alerts:console_report_csv": "CSV",
    "alerts:console_report_pdf": "a PDF",
    "alerts:console_coverage_points": "GeoJSON",
    "alerts:console_coverage_csv": "CSV",
    "alerts:cap_feed": "Atom",
    "alerts:cap_alert": "CAP XML",
    "alerts:public_archive_csv": "CSV",
    "alerts:public_archive_alert": "JSON",
    "alerts:public_alert": "a sent alert's page (test_alert_sending_journey checks the map)",
    "alerts:recording": "audio",
    "alerts:paper_form": "a PDF",
    "alerts:paper_deregistration_form": "a PDF",
    "alerts:manage_verify": "after the verification call (tests/alerts/test_manage.py)",
    "alerts:manage_data": "after the verification call (tests/alerts/test_manage.py)",
    "simulator:answer": "POST target of the phone simulator",
    "simulator:place": "POST target of the phone simulator",
    "simulator:audio": "audio",
    "simulator:fax_page": "PNG",
    "places:address-search": "JSON",
}
# Whole namespaces that are not Sportello's own screens.
OTHER_NAMESPACES = {
    "admin": "Django's admin (the IT back-office), with its own templates",
    "twilio": "provider webhooks",
    "kannel": "provider webhooks",
    "spid": "SAML endpoints (the demo provider's page is in test_spid_journey)",
}


def _route_names() -> set[str]:
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, namespace: str = ""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_page_is_in_the_phone_width_test() -> None:
    """A new page is added to the lists above (or said why it is no page)."""
    listed = (
        set(PUBLIC_PAGES) | set(CITIZEN_PAGES) | set(CLERK_PAGES) | set(JOURNEYS) | set(NOT_PAGES)
    )
    for pages in OFFICE_PAGES.values():
        listed |= set(pages)
    routes = {
        name
        for name in _route_names()
        if name.split(":")[0] not in OTHER_NAMESPACES and not name.startswith("api-")
    }
    assert sorted(routes - listed) == []
    assert sorted(listed - routes - set(JOURNEYS) - {"spid:demo_sso"}) == []


def _parametrised(pages: dict[str, str], ids: dict[str, object]) -> list[str]:
    return [path.format(**ids) for path in pages.values()]


def _demo_ids(citizen: User) -> dict[str, object]:
    from sportello.accounts.models import CredentialRequest
    from sportello.alerts.models import Alert
    from sportello.canteen.models import CreditAccount, Enrolment
    from sportello.payments.models import OptionStatus, PaymentOption, PaymentPosition
    from sportello.permits.models import Permit, PlateChange, PlateChangeStatus, Zone

    operator = User.objects.get(username="protezionecivile")
    alert = Alert.objects.create(
        event="Esercitazione",
        headline="Esercitazione di protezione civile",
        description="Prova delle pagine a larghezza di telefono.",
        created_by=operator,
        exercise=True,
    )
    person = citizen.person
    permit = Permit.objects.filter(holder=person).order_by("pk").first()
    plate_change = PlateChange.objects.create(  # a company car waiting for the office
        permit=permit,
        plate="GA456LI",
        ownership="company",
        registration_document=ContentFile(b"%PDF-1.4\n% carta\n", name="carta.pdf"),
        contract_document=ContentFile(b"%PDF-1.4\n% contratto\n", name="contratto.pdf"),
        status=PlateChangeStatus.AWAITING_CHECK,
        applicant=citizen,
    )
    return {
        "person": person.pk,
        "option": PaymentOption.objects.filter(
            status=OptionStatus.UNPAID,
            position__debtor_fiscal_code__in=[
                p.codice_fiscale for p in person.family.members.all()
            ],
        )
        .order_by("pk")
        .first()
        .pk,
        "enrolment": Enrolment.objects.order_by("pk").first().pk,
        "canteen_account": CreditAccount.objects.order_by("pk").first().pk,
        "permit": permit.pk,
        "plate_change": plate_change.pk,
        "credential_request": CredentialRequest.objects.order_by("pk").first().pk,
        "alert": alert.pk,
        "position": PaymentPosition.objects.order_by("pk").first().pk,
        "zone": Zone.objects.order_by("pk").first().pk,
    }


def test_no_page_scrolls_sideways_on_a_phone(page: Page, demo_comune) -> None:
    page.set_default_timeout(10_000)
    problems = phone_problems(page, list(PUBLIC_PAGES.values()))

    # A long name in the header, next to «Esci».
    User.objects.filter(username="cittadino").update(
        first_name="Maria Alessandra Benedetta", last_name="Bianchi-Rossi Della Gherardesca"
    )
    citizen = User.objects.get(username="cittadino")
    ids = _demo_ids(citizen)
    log_in(page, "cittadino")
    # A certificate in the history, so that the table has a row with its download link.
    page.goto("/certificati/richiedi/")
    page.get_by_role("link", name=re.compile(r"\(tu\)")).click()
    tick(page.get_by_label(re.compile("stato di famiglia", re.IGNORECASE)).first)
    page.get_by_label("Uso").fill("uso pratica di iscrizione scolastica")
    page.get_by_label("Imposta di bollo").select_option(index=1)
    page.get_by_role("button", name="Richiedi il certificato").click()
    page.get_by_role("button", name="Conferma", exact=True).click()
    expect(page.get_by_role("link", name=re.compile("^Scarica"))).to_have_count(1)
    problems += phone_problems(page, _parametrised(CITIZEN_PAGES, ids))

    for username, pages in [("sportello", CLERK_PAGES), *OFFICE_PAGES.items()]:
        page.context.clear_cookies()
        log_in(page, username)
        problems += phone_problems(page, _parametrised(pages, ids))
    assert not problems, "\n".join(problems)
