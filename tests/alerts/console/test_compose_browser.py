"""The compose page in Chromium: the live SMS counter says what the server will count (GSM-7
with its two-place characters, UCS-2 with emoji, parts, the exercise marker), and ticking
«Esercitazione» shows the banner at once."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Page, expect

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.alerts.texts import sms_counter_text

pytestmark = pytest.mark.django_db(transaction=True)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Playwright's sync API runs an event loop in this thread; the live server and the ORM calls
# made by fixtures are ordinary synchronous Django, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TEXTS = [
    "Allerta arancione: non scendere nei sottopassi.",
    "Costo 5 € {prova} [zona] ~ ^ | \\ fine",  # extension table: two places each
    "Pioggia 🌧 forte, resta a casa",  # an emoji: UCS-2, and two units
    "È stata emessa un'allerta",  # a capital È is not in GSM-7
    "a" * 161,  # one more than one SMS
    "€" * 81,  # 162 places in two parts: a part never ends inside a two-place character
    "riga uno\nriga due\n\nriga quattro",
]


@pytest.fixture
def operator_page(browser, live_server) -> Iterator[Page]:
    call_command("demo", "--citizens", "5", "--seed", "4", stdout=io.StringIO())
    user = User.objects.create_user("pc-browser", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.CIVIL_PROTECTION))
    client = Client()
    client.force_login(user)
    context = browser.new_context(base_url=live_server.url, locale="it-IT")
    cookie = django_settings.SESSION_COOKIE_NAME
    context.add_cookies(
        [{"name": cookie, "value": client.cookies[cookie].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore[attr-defined]
    yield page
    context.close()


def test_the_live_sms_counter_says_what_the_server_counts(operator_page: Page) -> None:
    tab = operator_page
    tab.goto("/allerta/operatori/allerte/nuova/")
    sms = tab.locator("#id_sms_text")
    counter = tab.locator("#id_sms_text-count")

    for text in TEXTS:
        sms.fill(text)
        expect(counter).to_have_text(sms_counter_text(text))

    tab.locator("label[for=id_exercise]").click()  # the box is styled under its label
    expect(tab.locator("#exercise-banner")).to_be_visible()
    for text in TEXTS:
        sms.fill(text)
        expect(counter).to_have_text(sms_counter_text(text, exercise=True))

    sms.fill("a" * 1000)
    expect(counter).to_contain_text("troppo lungo")
    tab.locator("label[for=id_exercise]").click()
    expect(tab.locator("#exercise-banner")).to_be_hidden()
    assert tab.errors == []  # type: ignore[attr-defined]
