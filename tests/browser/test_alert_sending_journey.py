"""Issue 5 as a civil-protection operator tries it on the demo: compose from a template in
exercise mode, give the area (a circle typed as coordinates, the map's keyboard alternative),
see the preview, send, follow the monitor; then the phone simulator shows the call, the SMS and
the e-mail to a subscriber inside the area and nothing to one far away."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.alerts.demo import DEMO_MOBILE
from sportello.alerts.models import Alert, AlertTemplate, Subscription
from tests.browser.demo import accessible

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_exercise_alert_reaches_the_area_and_only_the_area(page, settings) -> None:
    settings.SPORTELLO_MAP_TILES = ""  # offline
    call_command("demo", "--citizens", "20", "--seed", "3", stdout=io.StringIO())
    inside = Subscription.objects.select_related("civic_number").get(mobile=DEMO_MOBILE.format(1))
    outside = Subscription.objects.get(mobile=DEMO_MOBILE.format(2))
    user = User.objects.create_user("protezione-civile", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.CIVIL_PROTECTION))
    client = Client()
    client.force_login(user)
    cookie = django_settings.SESSION_COOKIE_NAME
    page.goto("/")
    page.context.add_cookies(
        [{"name": cookie, "value": client.cookies[cookie].value, "url": page.url}]
    )
    page.set_default_timeout(15_000)
    template = AlertTemplate.objects.get(name__icontains="arancione")

    # Compose from the template, as a drill.
    page.goto(f"/allerta/operatori/allerte/nuova/?modello={template.pk}")
    page.locator("label[for=id_exercise]").click()
    page.get_by_role("button", name="Salva la bozza").click()
    expect(page.get_by_text("ESERCITAZIONE").first).to_be_visible()
    alert = Alert.objects.get()
    assert alert.exercise

    # The area: 300 m around the first subscriber's house, typed instead of drawn.
    area_url = f"/allerta/operatori/allerte/{alert.pk}/area/"
    # The map takes the focus, so it is a named region; Leaflet's controls speak the page's
    # language; on the English page the comune's name (configuration, in Italian) is marked so.
    page.goto("/en" + area_url)
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Zoom in")
    expect(page.locator("#area-map")).to_have_attribute("aria-roledescription", "map")
    expect(page.locator('.it-brand-title[lang="it"]')).to_have_count(1)
    page.goto(area_url)
    map_node = page.locator("#area-map")
    expect(map_node).to_have_attribute("role", "region")
    expect(map_node).to_have_attribute("aria-label", re.compile("^Mappa dell'area"))
    expect(map_node).to_have_attribute("aria-roledescription", "mappa")
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Ingrandisci")
    expect(page.locator(".leaflet-control-zoom-out")).to_have_attribute("title", "Riduci")
    expect(page.locator('.it-brand-title[lang="it"]')).to_have_count(0)
    accessible(page)
    civic = inside.civic_number
    page.locator("#id_pasted").fill(f"{civic.latitude}, {civic.longitude}, 300")
    page.get_by_role("button", name="Aggiungi alle zone").click()
    page.get_by_role("button", name="Salva l'area e vedi chi riceve l'allerta").click()
    expect(page.get_by_role("heading", name="Chi riceve l'allerta")).to_be_visible()
    expect(page.locator("#people-total")).to_contain_text("raggiunge")
    accessible(page)

    # Send now; the monitor follows.
    page.goto(f"/allerta/operatori/allerte/{alert.pk}/")
    page.get_by_role("button", name="Invia ora").click()
    expect(page.get_by_text("ESERCITAZIONE").first).to_be_visible()
    alert.refresh_from_db()
    assert alert.status in ("sending", "sent")
    page.goto(f"/allerta/operatori/allerte/{alert.pk}/andamento/")
    expect(page.locator("main")).to_contain_text("SMS")
    # The automatic updates can be paused (WCAG 2.2.2); shown while the sending is live.
    pause = page.locator("#monitor-pause")
    expect(pause).to_have_attribute("aria-pressed", "false")
    if pause.is_visible():
        pause.click()
        expect(pause).to_have_attribute("aria-pressed", "true")
        expect(pause).to_have_text("Riprendi gli aggiornamenti")
    accessible(page)

    # The phone simulator: inside, a call ringing, an SMS and an e-mail marked as a drill.
    page.goto(f"/simulatore-telefono/?numero={inside.mobile}&email={inside.email}")
    main = page.locator("main")
    expect(main).to_contain_text("Squilla")
    expect(main).to_contain_text("ESERCITAZIONE - ")
    expect(main).to_contain_text(alert.email_subject or alert.headline)
    # Far away: nothing at all.
    page.goto(f"/simulatore-telefono/?numero={outside.mobile}&email={outside.email}")
    expect(page.locator("main")).not_to_contain_text("ESERCITAZIONE")
    expect(page.locator("main")).not_to_contain_text("Squilla")
