"""The public pages: home, contacts, legal pages, errors, and the back-office look."""

from __future__ import annotations

import re
from datetime import time
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sportello.core.catalogue import SERVICES
from sportello.core.models import (
    Helpline,
    Municipality,
    Office,
    OfficeKind,
    OpeningPeriod,
    Weekday,
)
from sportello.core.templatetags.portal import opening_hours

PLACEHOLDERS = ["Lorem", "Nome Ente", "Nome Organizzazione", "Seguici su", "Newsletter"]
WEEKDAYS = [Weekday.MONDAY, Weekday.TUESDAY, Weekday.WEDNESDAY, Weekday.THURSDAY, Weekday.FRIDAY]


def build_municipality() -> Municipality:
    """A made-up comune with a counter that issues credentials and one that does not."""
    municipality = Municipality.objects.create(
        name="Comune di Valdoria",
        short_name="Valdoria",
        istat_code="099999",
        province="VD",
        tax_code="00123450999",
        address="Piazza del Municipio 1",
        postal_code="99100",
        pec_address="comune.valdoria@pec.example.it",
        contact_email="servizionline@valdoria.example.it",
        it_office_email="sistemi@valdoria.example.it",
    )
    urp = Office.objects.create(
        municipality=municipality,
        kind=OfficeKind.URP,
        name="URP - Ufficio Relazioni con il Pubblico",
        address="Piazza del Municipio 1",
        phone="+39 0999 100 100",
        email="urp@valdoria.example.it",
        issues_credentials=True,
        position=1,
    )
    for day in WEEKDAYS:
        OpeningPeriod.objects.create(office=urp, weekday=day, opens=time(9), closes=time(13))
    for day in (Weekday.TUESDAY, Weekday.THURSDAY):
        OpeningPeriod.objects.create(
            office=urp, weekday=day, opens=time(15, 30), closes=time(17, 30)
        )
    protocol = Office.objects.create(
        municipality=municipality,
        kind=OfficeKind.PROTOCOL,
        name="Ufficio Protocollo",
        address="Via dell'Archivio 3",
        position=2,
    )
    OpeningPeriod.objects.create(
        office=protocol, weekday=Weekday.MONDAY, opens=time(8, 30), closes=time(12, 30)
    )
    helpline = Helpline.objects.create(
        municipality=municipality,
        name="Assistenza iscrizione all'allerta",
        phone="800 000 000",
        toll_free=True,
    )
    for day in WEEKDAYS:
        OpeningPeriod.objects.create(
            helpline=helpline, weekday=day, opens=time(10), closes=time(17)
        )
    return municipality


@pytest.fixture
def municipality(db) -> Municipality:
    return build_municipality()


def service_cards(html: str) -> dict[str, str]:
    """The HTML of each service card on the home page, by service slug."""
    parts = re.split(r'data-service="([a-z-]+)"', html)
    return {
        parts[i]: parts[i + 1].split('<div class="col-12', 1)[0].split("</section>", 1)[0]
        for i in range(1, len(parts), 2)
    }


def test_home_shows_the_municipality_in_italian(client: Client, municipality: Municipality):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="it">' in html
    assert "<h1>Comune di Valdoria</h1>" in html
    assert html.count("<h1") == 1
    assert "<title>Servizi online — Comune di Valdoria</title>" in html


def test_padlock_marks_certified_services_only(client: Client, municipality: Municipality):
    cards = service_cards(client.get("/").content.decode())

    assert set(cards) == {service.slug for service in SERVICES}
    for service in SERVICES:
        locked = "#it-locked" in cards[service.slug]
        hidden_text = "Servizio riservato agli utenti certificati" in cards[service.slug]
        assert locked is service.certified, service.slug
        assert hidden_text is service.certified, service.slug


def test_padlock_legend_is_explained(client: Client, municipality: Municipality):
    html = client.get("/").content.decode()

    legend = html.split('class="sportello-legend', 1)[1].split("</p>", 1)[0]
    assert "#it-locked" in legend
    assert "riservato agli utenti certificati" in legend
    assert 'href="#credenziali"' in legend


def test_services_not_built_yet_say_they_are_coming(client: Client, municipality: Municipality):
    cards = service_cards(client.get("/").content.decode())

    for service in SERVICES:
        if service.url_name is None:
            assert "Disponibile a breve" in cards[service.slug]
            assert "<a href" not in cards[service.slug]


def test_sections_are_anchors_of_the_main_menu(client: Client, municipality: Municipality):
    html = client.get("/").content.decode()

    assert 'id="servizi"' in html
    assert 'id="allerta"' in html
    assert 'href="/#servizi"' in html
    assert 'href="/#allerta"' in html
    assert f'href="{reverse("core:contacts")}"' in html


def test_skip_links_come_first(client: Client, municipality: Municipality):
    html = client.get("/").content.decode()

    body = html.split("<body>", 1)[1]
    first_focusable = re.search(r"<(a|button|input(?![^>]*type=\"hidden\")|select)\b[^>]*>", body)
    assert first_focusable is not None
    assert 'href="#main-content"' in first_focusable.group(0)
    assert "Vai al contenuto principale" in body.split("</a>", 1)[0]
    assert 'href="#footer"' in body.split("</div>", 1)[0]
    assert '<main id="main-content"' in html
    assert '<footer class="it-footer" id="footer">' in html


def test_static_assets_and_fonts_are_served(client: Client, municipality: Municipality):
    html = client.get("/").content.decode()

    assets = set(re.findall(r'(?:href|src)="(/static/[^"#]+)', html))
    assert any(asset.endswith("bootstrap-italia.bundle.min.js") for asset in assets)
    fonts = re.search(r'data-fonts="([^"]+)"', html).group(1)
    assets.add(f"{fonts}/Titillium_Web/titillium-web-v10-latin-ext_latin-regular.woff2")
    for asset in sorted(assets):
        assert client.get(asset).status_code == 200, asset


def test_footer_lists_offices_hours_and_contacts(client: Client, municipality: Municipality):
    html = client.get("/").content.decode()

    footer = html.split('<footer class="it-footer"', 1)[1]
    assert "URP - Ufficio Relazioni con il Pubblico" in footer
    assert "Ufficio Protocollo" in footer
    assert "Lunedì–venerdì: 09:00–13:00" in footer
    assert "Martedì e giovedì: 15:30–17:30" in footer
    assert "Lunedì: 08:30–12:30" in footer
    assert 'href="tel:+390999100100"' in footer
    assert "urp@valdoria.example.it" in footer
    assert "Assistenza iscrizione all&#x27;allerta" in footer
    assert "10:00–17:00" in footer
    assert "numero gratuito" in footer
    assert "comune.valdoria@pec.example.it" in footer
    assert "servizionline@valdoria.example.it" in footer
    assert "00123450999" in footer
    for element, label in [
        ("privacy-policy-link", "Privacy"),
        ("legal-notes", "Note legali"),
        ("accessibility-link", "Dichiarazione di accessibilità"),
        ("faq", "Domande frequenti"),
        ("report-inefficiency", "Segnala un disservizio"),
    ]:
        assert re.search(rf'data-element="{element}">{label}</a>', footer), element


def test_the_home_page_carries_the_names_agids_validator_looks_for(
    client: Client, municipality: Municipality
) -> None:
    html = client.get("/").content.decode()
    for element in ("main-navigation", "all-services", "personal-area-login", "service-link"):
        assert f'data-element="{element}"' in html, element


def test_the_faq_and_the_disservice_page(client: Client, municipality: Municipality) -> None:
    faq = client.get("/domande-frequenti/").content.decode()
    for topic in ("Credenziali", "Tessera Sanitaria", "Sessioni", "Revoca", "Pagamenti"):
        assert topic in faq
    assert 'data-element="breadcrumb"' in faq
    report = client.get("/segnala-disservizio/").content.decode()
    assert "Segnala un disservizio" in report and "mailto:" in report


def test_the_disservice_link_can_lead_to_the_comunes_own_service(
    client: Client, municipality: Municipality, settings
) -> None:
    settings.SPORTELLO_REPORT_INEFFICIENCY_URL = "https://www.comune.example.it/segnalazioni"
    response = client.get("/segnala-disservizio/")
    assert response.status_code == 302
    assert response["Location"] == "https://www.comune.example.it/segnalazioni"


def test_the_legal_pages_say_what_the_rules_ask(
    client: Client, municipality: Municipality, settings
) -> None:
    accessibility = client.get("/accessibilita/").content.decode()
    assert 'href="https://form.agid.gov.it/"' in accessibility
    legal = client.get("/note-legali/").content.decode()
    assert "CC BY 4.0" in legal and "creativecommons.org/licenses/by/4.0" in legal
    privacy = client.get("/privacy/").content.decode()
    assert "tile.openstreetmap.org" in privacy  # the map tiles, as configured
    assert "non carica risorse da altri siti" not in privacy
    settings.SPORTELLO_MAP_TILES = "http://testserver/tiles/{z}/{x}/{y}.png"
    settings.SPORTELLO_PRIVACY_NOTICE_URL = "https://www.comune.example.it/privacy"
    own = client.get("/privacy/").content.decode()
    assert "Le mappe sono servite dal Comune stesso" in own
    assert 'href="https://www.comune.example.it/privacy"' in own


def test_opening_hours_read_like_a_notice_on_the_door():
    def owner(*periods: tuple[int, time, time]) -> SimpleNamespace:
        rows = [SimpleNamespace(weekday=d, opens=o, closes=c) for d, o, c in periods]
        return SimpleNamespace(opening_periods=SimpleNamespace(all=lambda: rows))

    morning, evening = (time(9), time(13)), (time(15, 30), time(17, 30))
    with translation.override("it"):
        assert opening_hours(owner((0, *morning), (2, *morning), (4, *morning))) == [
            ("Lunedì, mercoledì e venerdì", "09:00–13:00")
        ]
        assert opening_hours(owner((3, *evening), (0, *morning), (1, *morning))) == [
            ("Lunedì e martedì", "09:00–13:00"),
            ("Giovedì", "15:30–17:30"),
        ]
        assert opening_hours(owner()) == []


def test_credentials_box_lists_only_the_issuing_offices(client: Client, municipality: Municipality):
    html = client.get("/").content.decode()

    box = html.split('id="credenziali"', 1)[1].split("</section>", 1)[0]
    assert "Come ottenere le credenziali" in box
    assert "URP - Ufficio Relazioni con il Pubblico" in box
    assert "Ufficio Protocollo" not in box
    assert "comune.valdoria@pec.example.it" in box
    assert "CIE" in box
    assert "CNS" in box
    assert "tessera sanitaria" in box


@pytest.mark.parametrize(
    "url_name",
    ["core:home", "core:contacts", "core:privacy", "core:legal_notes", "core:accessibility"],
)
def test_pages_have_one_title_and_no_placeholders(
    client: Client, municipality: Municipality, url_name: str
):
    response = client.get(reverse(url_name))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    for placeholder in PLACEHOLDERS:
        assert placeholder not in html, placeholder


def test_legal_pages_breadcrumbs(client: Client, municipality: Municipality):
    html = client.get(reverse("core:accessibility")).content.decode()

    assert "Dichiarazione di accessibilità" in html
    assert 'aria-label="Percorso di navigazione"' in html
    assert '<li class="breadcrumb-item active" aria-current="page">Accessibilità</li>' in html


def test_contacts_page_lists_every_office(client: Client, municipality: Municipality):
    html = client.get(reverse("core:contacts")).content.decode()

    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "Ufficio Protocollo" in main
    assert "Via dell&#x27;Archivio 3" in main
    assert "15:30–17:30" in main
    assert 'aria-current="page"><span>Contatti</span>' in html


def test_generic_arms_until_the_comune_uploads_its_own(client: Client, municipality: Municipality):
    assert "sportello/img/stemma-generico.svg" in client.get("/").content.decode()

    municipality.coat_of_arms.save("stemma.svg", ContentFile(b"<svg/>"))

    html = client.get("/").content.decode()
    assert municipality.coat_of_arms.url in html
    assert 'class="sportello-arms" src="/static/sportello/img/stemma-generico.svg"' not in html


def test_login_link_for_visitors_and_logout_form_for_users(
    client: Client, municipality: Municipality, django_user_model
):
    html = client.get("/").content.decode()
    assert "Accedi all'area personale" in html
    assert f'href="{reverse("accounts:login")}"' in html
    html = client.get("/contatti/").content.decode()
    assert f'href="{reverse("accounts:login")}?next=/contatti/"' in html

    user = django_user_model.objects.create_user("mrossi", first_name="Maria", last_name="Rossi")
    client.force_login(user)

    html = client.get("/").content.decode()
    assert "Maria Rossi" in html
    assert "Accedi all'area personale" not in html
    assert f'action="{reverse("accounts:logout")}" method="post"' in html


def test_neutral_page_without_a_municipality(client: Client, db):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Sportello da configurare" in html
    assert "sportello demo" in html
    assert reverse("admin:core_municipality_add") in html
    assert "data-service=" not in html
    for placeholder in PLACEHOLDERS:
        assert placeholder not in html


def test_not_found_page_in_our_look(client: Client, municipality: Municipality):
    response = client.get("/pagina-che-non-esiste/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "Pagina non trovata" in html
    assert "Comune di Valdoria" in html
    assert 'class="it-header-wrapper"' in html
    assert 'id="footer"' in html
    assert html.count("<h1") == 1


def test_server_error_page_needs_no_database():
    # No `db` fixture: any query would raise here.
    with translation.override("it"):
        html = get_template("500.html").render()

    assert "Il servizio non risponde" in html
    assert '<html lang="it">' in html
    assert "css/bootstrap-italia.min.css" in html


def test_backoffice_login_is_the_one_login_page(client: Client, municipality: Municipality):
    response = client.get(reverse("admin:login") + "?next=/backoffice/", follow=True)

    html = response.content.decode()
    assert response.redirect_chain == [("/accedi/?next=/backoffice/", 302)]
    assert '<html lang="it"' in html
    assert "Nome utente" in html
    assert 'name="next" value="/backoffice/"' in html


def test_the_current_alerts_card_leads_to_the_page(client: Client, municipality: Municipality):
    card = service_cards(client.get("/").content.decode())["alerts-list"]
    assert "Disponibile a breve" not in card
    assert 'href="/allerta/avvisi/"' in card
