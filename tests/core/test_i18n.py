"""Italian by default, English under /en/, a language switch that works without JavaScript."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sportello.core.models import Municipality, Office, Weekday
from tests.core.test_pages import PLACEHOLDERS, build_municipality

CATALOGUE = settings.LOCALE_PATHS[0] / "en" / "LC_MESSAGES" / "django.po"


@pytest.fixture
def municipality(db) -> Municipality:
    return build_municipality()


def test_italian_is_the_default(client: Client, municipality: Municipality):
    html = client.get("/").content.decode()

    assert '<html lang="it">' in html
    assert "Vai al contenuto principale" in html
    assert "Allerte in corso" in html


def test_english_under_en(client: Client, municipality: Municipality):
    response = client.get("/en/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "<title>Online services — Comune di Valdoria</title>" in html
    assert "Skip to main content" in html
    assert "Sign in to your personal area" in html
    assert "Citizens&#x27; Desk" in html or "Citizens' Desk" in html
    assert "Service reserved for certified users" in html
    assert "How to get your credentials" in html
    assert "Monday–Friday: 09:00–13:00" in html
    assert "Tuesday and Thursday: 15:30–17:30" in html
    assert "Allerte in corso" not in html
    assert "Vai al contenuto principale" not in html
    for placeholder in PLACEHOLDERS:
        assert placeholder not in html


def test_english_links_stay_in_english(client: Client, municipality: Municipality):
    html = client.get("/en/").content.decode()

    assert 'href="/en/#servizi"' in html
    assert 'href="/en/contatti/"' in html


def test_language_switch_is_a_form_posting_to_set_language(
    client: Client, municipality: Municipality
):
    html = client.get("/contatti/").content.decode()

    form = re.search(r'<form class="sportello-lang-switch".*?</form>', html, re.S)
    assert form is not None
    form_html = form.group(0)
    assert f'action="{reverse("set_language")}" method="post"' in form_html
    assert 'name="csrfmiddlewaretoken"' in form_html
    assert '<input type="hidden" name="next" value="/contatti/">' in form_html
    assert 'type="submit" name="language" value="en" lang="en">English</button>' in form_html
    assert 'lang="it" aria-current="true">Italiano</span>' in form_html
    assert "<script" not in form_html


def switch_form_next(html: str) -> str:
    return re.search(r'<input type="hidden" name="next" value="([^"]*)">', html).group(1)


def test_switching_to_english_and_back(client: Client, municipality: Municipality):
    next_url = switch_form_next(client.get("/contatti/?vista=1").content.decode())
    response = client.post(reverse("set_language"), {"language": "en", "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == "/en/contatti/?vista=1"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(response["Location"]).content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Contacts</h1>" in html

    next_url = switch_form_next(html)
    response = client.post(reverse("set_language"), {"language": "it", "next": next_url})

    assert response["Location"] == "/contatti/?vista=1"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "it"
    assert "<h1>Contatti</h1>" in client.get(response["Location"]).content.decode()


def test_switching_from_a_missing_english_page_goes_home(
    client: Client, municipality: Municipality
):
    html = client.get("/en/does-not-exist/").content.decode()

    assert switch_form_next(html) == "/"


def test_not_found_page_in_english(client: Client, municipality: Municipality):
    response = client.get("/en/does-not-exist/")

    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Page not found" in html


def test_neutral_page_in_english(client: Client, db):
    html = client.get("/en/").content.decode()

    assert "Sportello needs setting up" in html
    assert "sportello demo" in html


def test_backoffice_login_is_the_one_login_page_in_english_under_en(
    client: Client, municipality: Municipality
):
    response = client.get("/en/backoffice/login/?next=/en/backoffice/", follow=True)
    html = response.content.decode()

    assert response.redirect_chain[0][0] == "/en/accedi/?next=/en/backoffice/"
    assert '<html lang="en"' in html
    assert "Username" in html


def test_model_names_are_translated():
    with translation.override("en"):
        assert str(Municipality._meta.verbose_name) == "Municipality"
        assert str(Office._meta.verbose_name_plural) == "offices"
        assert str(Office._meta.get_field("issues_credentials").verbose_name) == (
            "issues credentials"
        )
        assert str(Weekday.MONDAY.label) == "Monday"
    with translation.override("it"):
        assert str(Weekday.MONDAY.label) == "lunedì"


def test_english_catalogue_is_complete():
    with CATALOGUE.open("rb") as po_file:
        catalog = read_po(po_file, locale="en")

    assert not catalog.fuzzy

    def forms(text: str | tuple[str, ...]) -> tuple[str, ...]:
        return text if isinstance(text, tuple) else (text,)

    untranslated = [m.id for m in catalog if m.id and not all(forms(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []
    for message in catalog:
        if message.id and message.python_format:
            # English has two forms: the singular msgstr follows the singular msgid, the
            # plural one the plural msgid.
            originals, translations = forms(message.id), forms(message.string)
            for original, translated in zip(originals, translations, strict=True):
                wanted = sorted(re.findall(r"%\(\w+\)", original))
                assert sorted(re.findall(r"%\(\w+\)", translated)) == wanted, message.id


def test_the_desks_new_pages_speak_english_under_en(client: Client, municipality: Municipality):
    faq = client.get("/en/domande-frequenti/").content.decode()
    assert "Frequently asked questions" in faq
    assert "Domande frequenti" not in faq.split("<main", 1)[1].split("</main>", 1)[0]
    footer = client.get("/en/").content.decode().split('<footer class="it-footer"', 1)[1]
    assert "Report a disservice" in footer
