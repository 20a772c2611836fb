"""The alerts as anyone sees them: the active ones at the top of the portal's home page, the
recent alerts, and the permanent page of each alert with its zone on a map. Drafts, scheduled
alerts and re-confirmation campaigns never show; drills are marked ESERCITAZIONE."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from sportello.accounts.models import User
from sportello.alerts.models import Alert, AlertKind, AlertStatus
from sportello.alerts.public.selectors import alerts_active_forget
from sportello.alerts.sending import alert_stop
from sportello.places.models import CivicNumber


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()  # the active alerts are shared for 30 s: each test starts from nothing


@pytest.fixture
def author(town) -> User:
    return User.objects.create_user("protezione_civile", is_staff=True)


def make_alert(
    author: User,
    *,
    status: str = AlertStatus.SENT,
    sent_hours_ago: float | None = 1,
    expires_in_hours: float | None = 5,
    **fields: Any,
) -> Alert:
    """An alert as the console leaves it; times relative to now."""
    now = timezone.now()
    values: dict[str, Any] = {
        "event": "Mareggiata",
        "severity": "Severe",
        "urgency": "Expected",
        "certainty": "Likely",
        "headline": "Mareggiata sulla costa sud",
        "description": "Onde alte fino a 4 metri da stasera.",
        "instruction": "Stai lontano dal lungomare e dagli scogli.",
        "area": {"city": True},
        "area_description": "Tutto il Comune",
        "created_by": author,
        "status": status,
        "sent_at": None if sent_hours_ago is None else now - timedelta(hours=sent_hours_ago),
        "expires": None if expires_in_hours is None else now + timedelta(hours=expires_in_hours),
    }
    values.update(fields)
    return Alert.objects.create(**values)


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return unescape(response.content.decode())


def home_panel(client: Client | None = None) -> str:
    """The active-alerts panel of the home page ('' when the page has none)."""
    html = page_text((client or Client()).get("/"))
    match = re.search(r'<section class="sportello-active-alerts.*?</section>', html, re.S)
    return match.group(0) if match else ""


# --- the home page ---------------------------------------------------------------------------


def test_the_home_page_shows_an_active_alert_with_its_severity_in_words(author) -> None:
    alert = make_alert(author)

    panel = home_panel()

    assert "Mareggiata sulla costa sud" in panel
    assert "Gravità alta" in panel  # the colour is never alone
    assert "sportello-severity-severe" in panel
    assert "Stai lontano dal lungomare e dagli scogli." in panel
    assert "Tutto il Comune" in panel
    assert f'href="/allerta/avvisi/{alert.identifier}/"' in panel


def test_the_home_page_hides_stopped_expired_and_unsent_alerts(author) -> None:
    make_alert(author, headline="Interrotta dall'operatore", status=AlertStatus.STOPPED)
    make_alert(author, headline="Scaduta ieri", sent_hours_ago=30, expires_in_hours=-20)
    make_alert(author, headline="Senza fine, di due giorni fa", sent_hours_ago=48, expires=None)
    make_alert(author, headline="Ancora in bozza", status=AlertStatus.DRAFT, sent_hours_ago=None)
    make_alert(author, headline="Programmata", status=AlertStatus.SCHEDULED, sent_hours_ago=None)
    make_alert(
        author,
        headline="Da approvare",
        status=AlertStatus.AWAITING_APPROVAL,
        sent_hours_ago=None,
    )
    make_alert(author, headline="Riconferma dei numeri", kind=AlertKind.RECONFIRM)

    assert home_panel() == ""
    assert "Programmata" not in page_text(Client().get("/"))


def test_an_alert_without_an_end_stays_active_for_24_hours_after_sending(author) -> None:
    make_alert(author, headline="Ancora valida", sent_hours_ago=23, expires=None)
    make_alert(author, headline="Appena scaduta", sent_hours_ago=24.1, expires=None)

    panel = home_panel()

    assert "Ancora valida" in panel
    assert "Appena scaduta" not in panel


def test_the_most_severe_alert_comes_first(author) -> None:
    make_alert(author, headline="Vento moderato", severity="Moderate", sent_hours_ago=0.1)
    make_alert(author, headline="Alluvione in corso", severity="Extreme", sent_hours_ago=2)

    panel = home_panel()

    assert panel.index("Alluvione in corso") < panel.index("Vento moderato")
    assert "Gravità estrema" in panel and "Gravità moderata" in panel


def test_a_drill_is_marked_esercitazione_on_the_home_page(author) -> None:
    make_alert(author, headline="Prova di evacuazione", exercise=True)

    panel = home_panel()

    assert "ESERCITAZIONE" in panel
    assert "È una prova: non c'è nessun pericolo." in panel


def test_the_home_page_reads_the_alerts_once_then_from_the_cache(author) -> None:
    make_alert(author)
    client = Client()
    client.get("/")

    with CaptureQueriesContext(connection) as queries:
        panel = home_panel(client)

    assert "Mareggiata sulla costa sud" in panel
    assert not [q for q in queries.captured_queries if "alerts_alert" in q["sql"]]


def test_a_stopped_alert_leaves_the_home_page_once_the_shared_list_is_dropped(author) -> None:
    alert = make_alert(author, status=AlertStatus.SENDING)
    assert "Mareggiata sulla costa sud" in home_panel()

    alert_stop(alert=alert, by=author)
    alerts_active_forget()

    assert home_panel() == ""


# --- the permanent page ----------------------------------------------------------------------


def test_the_permanent_page_says_everything_in_words(author) -> None:
    alert = make_alert(author, onset=timezone.now() - timedelta(hours=1))

    html = page_text(Client().get(f"/allerta/avvisi/{alert.identifier}/"))

    assert "<h1" in html and "Mareggiata sulla costa sud" in html
    assert "Onde alte fino a 4 metri da stasera." in html
    assert "Stai lontano dal lungomare e dagli scogli." in html
    assert "Grave: pericolo significativo" in html  # severity in words
    assert "Attesa: agire entro un'ora" in html  # urgency
    assert "Probabile" in html  # certainty
    assert "In corso" in html
    assert "Tutto il Comune" in html


def test_the_permanent_page_draws_the_area_on_a_map(author, town) -> None:
    civic = CivicNumber.objects.order_by("pk").first()
    lon, lat = civic.longitude, civic.latitude
    ring = [
        [lon - 0.002, lat - 0.002],
        [lon + 0.002, lat - 0.002],
        [lon + 0.002, lat + 0.002],
        [lon - 0.002, lat - 0.002],
    ]
    area = {
        "features": {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]}},
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": {"radius": 300},
                },
            ],
        },
        "streets": [{"street": civic.street_id, "from": None, "to": None, "parity": "all"}],
    }
    alert = make_alert(author, area=area, area_description="1 poligono, 1 cerchio, 1 strada")

    html = page_text(Client().get(f"/allerta/avvisi/{alert.identifier}/"))
    config = json.loads(
        re.search(
            r'<script id="alert-map-config" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )

    assert config["area"]["type"] in ("Polygon", "MultiPolygon")
    assert config["outline"]["type"] == "Polygon"  # the town around it, useful without tiles
    (south, west), (north, east) = config["bounds"]
    assert south < lat < north and west < lon < east
    assert "leaflet/leaflet.js" in html and "alerts/public.js" in html


def test_a_whole_city_alert_is_drawn_as_the_outline_of_the_civic_numbers(author, town) -> None:
    alert = make_alert(author)

    html = page_text(Client().get(f"/allerta/avvisi/{alert.identifier}/"))
    config = json.loads(
        re.search(
            r'<script id="alert-map-config" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )

    (south, west), (north, east) = config["bounds"]
    for civic in CivicNumber.objects.all():
        assert south <= civic.latitude <= north and west <= civic.longitude <= east


@pytest.mark.parametrize(
    "status", [AlertStatus.DRAFT, AlertStatus.AWAITING_APPROVAL, AlertStatus.SCHEDULED]
)
def test_alerts_that_did_not_go_out_have_no_page(author, status) -> None:
    alert = make_alert(author, status=status, sent_hours_ago=None)

    assert Client().get(f"/allerta/avvisi/{alert.identifier}/").status_code == 404


def test_a_stopped_alert_that_never_went_out_has_no_page(author) -> None:
    alert = make_alert(author, status=AlertStatus.STOPPED, sent_hours_ago=None)

    assert Client().get(f"/allerta/avvisi/{alert.identifier}/").status_code == 404


def test_an_unknown_identifier_and_a_reconfirmation_campaign_have_no_page(author) -> None:
    campaign = make_alert(author, kind=AlertKind.RECONFIRM)

    assert Client().get(f"/allerta/avvisi/{uuid.uuid4()}/").status_code == 404
    assert Client().get(f"/allerta/avvisi/{campaign.identifier}/").status_code == 404


def test_the_permanent_page_links_the_cap_message(author) -> None:
    alert = make_alert(author)
    try:
        cap = reverse("alerts:cap_alert", args=[alert.identifier])
    except NoReverseMatch:
        pytest.skip("the CAP feed (alerts:cap_alert) is not installed here")

    html = page_text(Client().get(f"/allerta/avvisi/{alert.identifier}/"))

    assert f'href="{cap}"' in html


def test_the_permanent_page_of_a_drill_says_so(author) -> None:
    alert = make_alert(author, exercise=True)

    html = page_text(Client().get(f"/allerta/avvisi/{alert.identifier}/"))

    assert "ESERCITAZIONE" in html
    assert "non c'è nessun pericolo" in html


def test_a_stopped_and_an_ended_alert_say_they_are_over(author) -> None:
    stopped = make_alert(
        author, status=AlertStatus.STOPPED, stopped_at=timezone.now() - timedelta(minutes=10)
    )
    ended = make_alert(author, sent_hours_ago=10, expires_in_hours=-2)

    stopped_html = page_text(Client().get(f"/allerta/avvisi/{stopped.identifier}/"))
    ended_html = page_text(Client().get(f"/allerta/avvisi/{ended.identifier}/"))

    assert "Interrotta" in stopped_html and "ha interrotto questa allerta" in stopped_html
    assert "Conclusa" in ended_html and "Questa allerta è conclusa" in ended_html


def test_english_texts_in_the_english_interface_when_written(author) -> None:
    alert = make_alert(
        author,
        headline_en="Storm surge on the southern coast",
        description_en="Waves up to 4 metres from tonight.",
        instruction_en="Keep away from the seafront.",
    )
    only_italian = make_alert(author, headline="Solo in italiano")

    english = page_text(Client().get(f"/en/allerta/avvisi/{alert.identifier}/"))
    italian = page_text(Client().get(f"/allerta/avvisi/{alert.identifier}/"))
    fallback = page_text(Client().get(f"/en/allerta/avvisi/{only_italian.identifier}/"))

    assert '<h1 class="mt-2" lang="en">Storm surge on the southern coast</h1>' in english
    assert "Keep away from the seafront." in english
    assert "Storm surge" not in italian
    assert '<h1 class="mt-2" lang="it">Solo in italiano</h1>' in fallback


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_recent_alerts_with_their_state(author) -> None:
    make_alert(author, headline="Allerta in corso ora")
    make_alert(author, headline="Allerta finita", sent_hours_ago=48, expires_in_hours=-40)
    make_alert(author, headline="Allerta fermata", status=AlertStatus.STOPPED)
    make_alert(author, headline="Di quattro mesi fa", sent_hours_ago=24 * 120, expires=None)
    make_alert(author, headline="Bozza segreta", status=AlertStatus.DRAFT, sent_hours_ago=None)

    html = page_text(Client().get("/allerta/avvisi/"))

    def state_of(headline: str) -> str:
        """The marks printed in the list item of `headline`."""
        start = html.rindex('<li class="sportello-alert-card', 0, html.index(headline))
        return html[start : html.index(headline)]

    assert "In corso" in state_of("Allerta in corso ora")
    assert "Conclusa" in state_of("Allerta finita")
    assert "Interrotta" in state_of("Allerta fermata")
    assert "Di quattro mesi fa" not in html
    assert "Bozza segreta" not in html


def test_the_list_is_paginated(author) -> None:
    for index in range(23):
        make_alert(author, headline=f"Avviso numero {index:02d}", sent_hours_ago=index + 1)

    first = page_text(Client().get("/allerta/avvisi/"))
    second = page_text(Client().get("/allerta/avvisi/?pagina=2"))

    assert "Avviso numero 00" in first and "Avviso numero 19" in first
    assert "Avviso numero 20" not in first
    assert "Avviso numero 22" in second and "Pagina 2 di 2" in second
