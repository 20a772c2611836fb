"""An update says it is one, and ends the alert it updates everywhere the public looks; the
console links the two; a re-confirmation campaign is never published as a CAP alert; the fax and
the e-mail name the comune."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from sportello.accounts.models import User
from sportello.alerts.models import AlertKind, AlertStatus
from sportello.alerts.replay.selectors import replay_alerts
from sportello.alerts.sending import alert_payload, alert_update_draft
from sportello.channels.base import Medium
from tests.alerts.test_public import make_alert


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def operator(town) -> User:
    from django.contrib.auth.models import Group

    from sportello.accounts.roles import Role

    user = User.objects.create_user("protezione_civile", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.CIVIL_PROTECTION))
    return user


def _original_and_update(operator: User):
    original = make_alert(operator, headline="Mareggiata sulla costa sud", sent_hours_ago=2)
    update = alert_update_draft(alert=original, by=operator)
    update.headline = "Mareggiata: ora anche la costa nord"
    update.status = AlertStatus.SENT
    update.sent_at = timezone.now() - timedelta(minutes=10)
    update.save()
    return original, update


def test_every_message_of_an_update_says_aggiornamento(operator) -> None:
    original = make_alert(operator, sms_text="Mareggiata.", voice_text="Mareggiata.")
    update = alert_update_draft(alert=original, by=operator)

    payload = alert_payload(alert=update)

    assert payload[Medium.SMS]["it"]["text"].startswith("AGGIORNAMENTO - ")
    assert payload[Medium.EMAIL]["it"]["subject"].startswith("AGGIORNAMENTO - ")
    assert "sostituisce l'allerta inviata il" in payload[Medium.EMAIL]["it"]["text"]
    from sportello.alerts.flows.alert_calls import alert_message
    from sportello.channels.ivr import Call

    spoken = alert_message(
        Call(flow="alert_message", caller="", line="", params={"alert": update.pk}), "start", ""
    )
    assert "Aggiornamento: questo messaggio sostituisce quello precedente." in str(spoken)


def test_the_alert_an_update_replaced_is_no_longer_in_progress(operator) -> None:
    original, update = _original_and_update(operator)

    home = Client().get("/").content.decode()
    listing = Client().get("/allerta/avvisi/").content.decode()
    page = Client().get(f"/allerta/avvisi/{original.identifier}/").content.decode()
    active = Client().get("/api/v1/allerta/avvisi/attivi/").json()
    feed = Client().get("/allerta/cap/feed.atom").content.decode()

    assert "Mareggiata: ora anche la costa nord" in home
    assert "Mareggiata sulla costa sud" not in home
    assert [item["identifier"] for item in active] == [str(update.identifier)]
    assert "Conclusa" in page and "In corso" not in page
    assert listing.count("In corso") == 1
    assert str(original.identifier) not in feed and str(update.identifier) in feed
    assert [alert.pk for alert in replay_alerts()] == [update.pk]


def test_the_console_links_an_update_and_the_alert_it_updates(operator) -> None:
    original, update = _original_and_update(operator)
    client = Client()
    client.force_login(operator)

    original_page = client.get(f"/allerta/operatori/allerte/{original.pk}/").content.decode()
    update_page = client.get(f"/allerta/operatori/allerte/{update.pk}/").content.decode()

    assert f'href="/allerta/operatori/allerte/{update.pk}/"' in original_page
    assert f'href="/allerta/operatori/allerte/{original.pk}/"' in update_page


def test_a_reconfirmation_campaign_is_not_a_cap_alert(operator) -> None:
    campaign = make_alert(operator, kind=AlertKind.RECONFIRM, headline="Riconferma contatti")

    assert Client().get(f"/allerta/cap/{campaign.identifier}.xml").status_code == 404


def test_the_fax_and_the_email_name_the_comune(operator) -> None:
    alert = make_alert(operator, use_fax=True, email_text="Mareggiata.", fax_text="Mareggiata.")

    payload = alert_payload(alert=alert)

    assert "Protezione civile del Comune di Livorno" in payload[Medium.EMAIL]["it"]["text"]
    import io

    from django.core.files.storage import default_storage
    from pypdf import PdfReader

    from sportello.channels.fax import fax_render_for  # noqa: F401 - the fax is a PDF first

    with default_storage.open(payload[Medium.FAX]["it"]["document"]) as document:
        text = PdfReader(io.BytesIO(document.read())).pages[0].extract_text()
    assert "Protezione civile del Comune di Livorno" in text
