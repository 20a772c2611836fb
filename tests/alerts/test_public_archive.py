"""The open-data archive: once an alert's sending is over (or stopped), its public content and
how many messages went out and arrived, channel by channel — and nothing about the people it
reached: no name, number or e-mail address in the page, the JSON or the CSV."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from sportello.accounts.models import User
from sportello.alerts.models import Alert, AlertStatus, Contact, Subscription, SubscriptionStatus
from sportello.channels.base import DeliveryStatus, Medium
from sportello.channels.models import Delivery, Dispatch, DispatchStatus
from sportello.places.models import CivicNumber
from tests.alerts.test_public import make_alert

S = DeliveryStatus
ANNA = {"mobile": "+393401111111", "email": "anna.rossi@example.it", "name": "Anna Rossi"}
BRUNO = {"mobile": "+393402222222", "email": "bruno.verdi@example.it", "name": "Bruno Verdi"}
CARLO = {"number": "+390586333333", "name": "Carlo Neri"}  # public directory
PERSONAL = [
    ANNA["mobile"],
    ANNA["email"],
    "Anna",
    "Rossi",
    BRUNO["mobile"],
    BRUNO["email"],
    "Bruno",
    CARLO["number"],
    "Carlo",
    "3401111111",
    "0586333333",
]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def author(town) -> User:
    return User.objects.create_user("paola.operatrice", first_name="Paola", is_staff=True)


def _subscriber(civic: CivicNumber, person: dict[str, str]) -> Subscription:
    first, last = person["name"].split()
    return Subscription.objects.create(
        status=SubscriptionStatus.ACTIVE,
        first_name=first,
        last_name=last,
        mobile=person["mobile"],
        email=person["email"],
        civic_number=civic,
        privacy_accepted_at=timezone.now(),
        verified_at=timezone.now(),
    )


def _sent(alert: Alert, rows: list[tuple[str, str, str, str, int]], *, done: bool) -> Alert:
    dispatch = Dispatch.objects.create(
        purpose="alert",
        reference=str(alert.identifier),
        status=DispatchStatus.DONE if done else DispatchStatus.RUNNING,
    )
    Delivery.objects.bulk_create(
        Delivery(
            dispatch=dispatch,
            medium=medium,
            to=to,
            recipient=recipient,
            status=status,
            attempt=attempt,
            purpose="alert",
            reference=str(alert.identifier),
        )
        for medium, to, recipient, status, attempt in rows
    )
    alert.dispatch = dispatch
    alert.save(update_fields=["dispatch"])
    return alert


@pytest.fixture
def closed(author, town) -> Alert:
    """A drill sent to Anna, Bruno and Carlo, now over."""
    civics = list(CivicNumber.objects.order_by("pk")[:3])
    anna, bruno = _subscriber(civics[0], ANNA), _subscriber(civics[1], BRUNO)
    carlo = Contact.objects.create(
        name=CARLO["name"], number=CARLO["number"], address_text="x", civic_number=civics[2]
    )
    alert = make_alert(
        author, headline="Esercitazione di evacuazione", exercise=True, sent_hours_ago=3
    )
    a, b, c = f"s{anna.pk}", f"s{bruno.pk}", f"c{carlo.pk}"
    return _sent(
        alert,
        [
            (Medium.VOICE, ANNA["mobile"], a, S.CONFIRMED, 1),
            (Medium.SMS, ANNA["mobile"], a, S.DELIVERED, 1),
            (Medium.EMAIL, ANNA["email"], a, S.SENT, 1),
            (Medium.VOICE, BRUNO["mobile"], b, S.NO_ANSWER, 1),
            (Medium.VOICE, BRUNO["mobile"], b, S.VOICEMAIL, 2),
            (Medium.SMS, BRUNO["mobile"], b, S.FAILED, 1),
            (Medium.EMAIL, BRUNO["email"], b, S.DELIVERED, 1),
            (Medium.VOICE, CARLO["number"], c, S.BUSY, 1),
            (Medium.VOICE, CARLO["number"], c, S.BUSY, 2),
        ],
        done=True,
    )


def _no_personal_data(text: str) -> None:
    for value in [*PERSONAL, "Paola", "paola.operatrice"]:
        assert value not in text, value


def test_a_closed_alert_is_published_with_its_figures_per_channel(closed) -> None:
    response = Client().get(f"/allerta/avvisi/archivio/{closed.identifier}.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    record = response.json()
    assert record["identifier"] == str(closed.identifier)
    assert record["status"] == "Exercise" and record["exercise"] is True
    assert record["msg_type"] == "Alert" and record["outcome"] == "completed"
    [info] = record["info"]
    assert info["language"] == "it-IT" and info["headline"] == "Esercitazione di evacuazione"
    assert info["severity"] == "Severe" and info["category"] == ["Met"]
    assert record["area"]["description"] == "Tutto il Comune"
    assert record["area"]["geocode"] == {"ISTAT": "049009"}
    assert record["area"]["geometry"]["type"] == "Polygon"
    voice = record["delivery"]["channels"]["voice"]
    assert voice == {
        "messages": 5,
        "handed_over": 5,
        "reached": 2,
        "confirmed": 1,
        "voicemail": 1,
        "not_answered": 3,
        "failed": 0,
        "canceled": 0,
    }
    assert record["delivery"]["channels"]["sms"]["reached"] == 1
    assert record["delivery"]["channels"]["sms"]["failed"] == 1
    assert record["delivery"]["channels"]["email"]["reached"] == 1
    assert record["delivery"]["channels"]["fax"]["messages"] == 0
    assert record["delivery"]["total"]["messages"] == 9
    assert record["licence"]["name"] == "CC BY 4.0"
    _no_personal_data(response.content.decode())


def test_the_open_data_never_names_the_people_reached(closed) -> None:
    client = Client()

    page = client.get("/allerta/avvisi/archivio/").content.decode()
    record = client.get(f"/allerta/avvisi/archivio/{closed.identifier}.json").content.decode()
    table = client.get("/allerta/avvisi/archivio/allerte.csv").content.decode()

    for text in (page, record, table):
        _no_personal_data(text)


def test_the_archive_page_lists_closed_alerts_with_the_licence(closed, author) -> None:
    running = make_alert(author, headline="Ancora in invio", status=AlertStatus.SENDING)
    _sent(running, [(Medium.SMS, "+393409999999", "s999", S.QUEUED, 1)], done=False)

    html = Client().get("/allerta/avvisi/archivio/").content.decode()

    assert "Esercitazione di evacuazione" in html and "ESERCITAZIONE" in html
    assert f"/allerta/avvisi/archivio/{closed.identifier}.json" in html
    assert "Ancora in invio" not in html
    assert "CC BY 4.0" in html and "creativecommons.org/licenses/by/4.0" in html
    assert "Comune di Livorno" in html  # the attribution to cite


def test_an_alert_still_sending_is_not_published_yet(author) -> None:
    running = make_alert(author, status=AlertStatus.SENDING)
    _sent(running, [(Medium.SMS, "+393409999999", "s999", S.QUEUED, 1)], done=False)
    draft = make_alert(author, status=AlertStatus.DRAFT, sent_hours_ago=None)

    client = Client()

    assert client.get(f"/allerta/avvisi/archivio/{running.identifier}.json").status_code == 404
    assert client.get(f"/allerta/avvisi/archivio/{draft.identifier}.json").status_code == 404
    assert client.get(f"/allerta/avvisi/archivio/{uuid.uuid4()}.json").status_code == 404


def test_a_stopped_alert_is_published_with_what_was_canceled(author) -> None:
    stopped = make_alert(author, status=AlertStatus.STOPPED, stopped_at=timezone.now())
    _sent(
        stopped,
        [
            (Medium.SMS, "+393405555555", "s1", S.DELIVERED, 1),
            (Medium.SMS, "+393406666666", "s2", S.CANCELED, 1),
        ],
        done=False,
    )

    record = Client().get(f"/allerta/avvisi/archivio/{stopped.identifier}.json").json()

    assert record["outcome"] == "stopped" and record["stopped"]
    assert record["delivery"]["channels"]["sms"]["canceled"] == 1
    assert record["delivery"]["channels"]["sms"]["handed_over"] == 2


def test_the_csv_has_one_line_per_closed_alert(closed, author) -> None:
    english = make_alert(author, headline='=HYPERLINK("x")', sent_hours_ago=5)
    _sent(english, [(Medium.EMAIL, "x@example.it", "s5", S.DELIVERED, 1)], done=True)

    response = Client().get("/allerta/avvisi/archivio/allerte.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "public" in response["Cache-Control"]
    rows: list[dict[str, Any]] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["identifier"] for row in rows] == [str(closed.identifier), str(english.identifier)]
    first = rows[0]
    assert first["status"] == "Exercise" and first["outcome"] == "completed"
    assert first["voice_messages"] == "5" and first["voice_confirmed"] == "1"
    assert first["total_reached"] == "4"
    assert rows[1]["headline"].startswith("'=")  # a spreadsheet shows it as text


def test_the_permanent_page_links_its_open_data_once_closed(closed) -> None:
    html = Client().get(f"/allerta/avvisi/{closed.identifier}/").content.decode()

    assert f"/allerta/avvisi/archivio/{closed.identifier}.json" in html
