"""The live monitor of an alert and its reports, as the civil-protection operator reads them:
each channel's states kept apart, the figures the page's script polls, a provider down while the
others go on, a stopped alert, the map of the people reached per address, the CSV of every
delivery (masked) and the PDF summary."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.alerts.models import (
    Alert,
    AlertStatus,
    Contact,
    Subscription,
    SubscriptionStatus,
)
from sportello.channels.base import ChannelError, DeliveryStatus, Medium
from sportello.channels.models import Delivery, Dispatch, DispatchStatus
from sportello.core.models import AuditEvent
from sportello.places.models import CivicNumber

S = DeliveryStatus
ANNA_MOBILE, ANNA_LANDLINE, ANNA_EMAIL = "+393401111111", "+390586111111", "anna.rossi@example.it"
BRUNO_MOBILE = "+393402222222"
CARLO_LANDLINE = "+390586333333"  # public directory
DARIO_MOBILE = "+393404444444"
NUMBERS = [ANNA_MOBILE, ANNA_LANDLINE, BRUNO_MOBILE, CARLO_LANDLINE, DARIO_MOBILE]


@pytest.fixture(autouse=True)
def _no_problems_left_over() -> None:
    cache.clear()  # provider problems live in the cache, keyed by dispatch id


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def counter_clerk(town) -> User:
    user = User.objects.create_user("urp_sportello_test", is_staff=True)
    user.groups.add(Group.objects.get(name=Role.COUNTER_OPERATOR))
    return user


def _subscription(civic: CivicNumber, mobile: str, **fields) -> Subscription:
    values = {
        "status": SubscriptionStatus.ACTIVE,
        "first_name": "Test",
        "last_name": mobile[-4:],
        "mobile": mobile,
        "email": "",
        "civic_number": civic,
        "privacy_accepted_at": timezone.now(),
        "verified_at": timezone.now(),
    }
    values.update(fields)
    return Subscription.objects.create(**values)


@pytest.fixture
def people(town) -> dict:
    civic = list(CivicNumber.objects.select_related("street").order_by("pk")[:4])
    return {
        "civic": civic,
        "anna": _subscription(civic[0], ANNA_MOBILE, landline=ANNA_LANDLINE, email=ANNA_EMAIL),
        "bruno": _subscription(civic[1], BRUNO_MOBILE),
        "carlo": Contact.objects.create(
            name="Carlo Verdi", number=CARLO_LANDLINE, address_text="x", civic_number=civic[2]
        ),
        "dario": _subscription(civic[3], DARIO_MOBILE),
    }


def _alert(operator: User, **fields) -> Alert:
    values = {
        "event": "Pioggia intensa",
        "headline": "Allerta meteo arancione",
        "description": "Piogge forti fino a domani sera.",
        "area": {"city": True},
        "created_by": operator,
        "confirm_requested": True,
        "use_email": True,
    }
    values.update(fields)
    return Alert.objects.create(**values)


def _in_flight(alert: Alert, people: dict) -> Alert:
    """An alert half-way through: every state the issue tells apart has a row."""
    dispatch = Dispatch.objects.create(purpose="alert", reference=str(alert.identifier))
    alert.dispatch, alert.status, alert.sent_at = dispatch, AlertStatus.SENDING, timezone.now()
    alert.save()
    anna, bruno = f"s{people['anna'].pk}", f"s{people['bruno'].pk}"
    carlo, dario = f"c{people['carlo'].pk}", f"s{people['dario'].pk}"
    later = timezone.now() + timedelta(minutes=5)
    rows = [
        # Anna: heard the call and pressed 1; the landline's answering machine took the message.
        (Medium.VOICE, ANNA_MOBILE, anna, S.CONFIRMED, 1, {"keys": "1", "answered_by": "human"}),
        (Medium.VOICE, ANNA_LANDLINE, anna, S.VOICEMAIL, 1, {"answered_by": "machine"}),
        (Medium.SMS, ANNA_MOBILE, anna, S.DELIVERED, 1, {}),
        (Medium.EMAIL, ANNA_EMAIL, anna, S.SENT, 1, {}),
        # Bruno: the SMS was refused; the provider's reason quotes his number.
        (Medium.VOICE, BRUNO_MOBILE, bruno, S.RINGING, 1, {}),
        (Medium.SMS, BRUNO_MOBILE, bruno, S.FAILED, 1, {"reason": f"Numero {BRUNO_MOBILE} errato"}),
        # Carlo (directory): busy, the second attempt waits its turn.
        (Medium.VOICE, CARLO_LANDLINE, carlo, S.BUSY, 1, {}),
        (Medium.VOICE, CARLO_LANDLINE, carlo, S.QUEUED, 2, {"not_before": later}),
        # Dario: three calls unanswered, then the fallback SMS that nobody could deliver.
        (Medium.VOICE, DARIO_MOBILE, dario, S.NO_ANSWER, 1, {}),
        (Medium.VOICE, DARIO_MOBILE, dario, S.NO_ANSWER, 2, {}),
        (Medium.VOICE, DARIO_MOBILE, dario, S.NO_ANSWER, 3, {}),
        (Medium.SMS, DARIO_MOBILE, dario, S.FAILED, 1, {"reason": "Utente non raggiungibile"}),
    ]
    Delivery.objects.bulk_create(
        [
            Delivery(
                dispatch=dispatch,
                medium=medium,
                to=to,
                recipient=recipient,
                status=status,
                attempt=attempt,
                purpose="alert",
                reference=str(alert.identifier),
                claimed_at=None if status == S.QUEUED else timezone.now(),
                **extra,
            )
            for medium, to, recipient, status, attempt, extra in rows
        ]
    )
    return Alert.objects.get(pk=alert.pk)


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return unescape(response.content.decode())


def _row(page: str, medium: str, status: str) -> tuple[str, str, bool]:
    """(label, number, visible) of a status line in a channel's table, as printed."""
    match = re.search(
        rf'<tr data-shown="{medium}\.{status}"[^>]*?( hidden)?>\s*<th scope="row">'
        rf"<span[^>]*></span>([^<]+)</th>\s*<td[^>]*>([^<]*)</td>",
        page,
    )
    assert match, f"no line for {medium} {status}"
    return match.group(2), match.group(3), match.group(1) is None


def _text(node: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", node)).strip()


# --- the page ----------------------------------------------------------------------------


def test_each_channel_shows_every_state_apart_without_javascript(operator, people) -> None:
    alert = _in_flight(_alert(operator, exercise=True), people)

    page = _page(login(operator).get(f"/allerta/operatori/allerte/{alert.pk}/andamento/"))

    assert "ESERCITAZIONE" in page
    assert f'href="/allerta/operatori/allerte/{alert.pk}/andamento/">Aggiorna' in page
    voice = {s: _row(page, "voice", s) for s in (S.CONFIRMED, S.VOICEMAIL, S.RINGING, S.BUSY)}
    assert voice[S.CONFIRMED] == ("Ascolto confermato", "1", True)
    assert voice[S.VOICEMAIL] == ("Segreteria telefonica", "1", True)
    assert voice[S.RINGING] == ("Squilla", "1", True)
    assert voice[S.BUSY] == ("Occupato", "1", True)
    assert _row(page, "voice", S.NO_ANSWER)[1:] == ("3", True)
    assert _row(page, "voice", S.QUEUED)[1:] == ("1", True)
    assert _row(page, "voice", S.ANSWERED)[1:] == ("0", True)  # answered ≠ confirmed ≠ voicemail
    assert _row(page, "sms", S.DELIVERED)[1:] == ("1", True)
    assert _row(page, "sms", S.ACCEPTED)[1:] == ("0", True)  # accepted ≠ delivered
    assert _row(page, "sms", S.FAILED)[1:] == ("2", True)
    assert _row(page, "email", S.SENT)[1:] == ("1", True)
    assert _row(page, "sms", S.VOICEMAIL)[2] is False  # not a state an SMS can be in
    assert "non risulta ascoltato" in page  # voicemail is not "heard"
    # Totals, the hand-off and the outcome, as text beside the bars.
    assert "Messaggi e chiamate in tutto" in page
    figures = re.search(r'data-text="total_text">(\d+)<', page)
    assert figures and figures.group(1) == "12"
    assert re.search(r'data-text="handed_text">11 su 12 \(91%\)<', page)
    assert 'aria-valuetext="11 su 12 (91%)"' in page
    assert "Ascolti confermati (tasto 1)" in page
    assert "Invio in corso." in page


def test_the_page_polls_the_figures_while_sending(operator, people) -> None:
    alert = _in_flight(_alert(operator), people)
    client = login(operator)

    page = _page(client.get(f"/allerta/operatori/allerte/{alert.pk}/andamento/"))
    config = json.loads(
        re.search(
            r'<script id="monitor-config" type="application/json">(.*?)</script>', page, re.S
        ).group(1)
    )
    data = client.get(config["progressUrl"]).json()

    assert config["live"] is True and config["interval"] == 2000
    assert data["live"] is True and data["finished"] is False
    voice = data["progress"]["media"][Medium.VOICE]
    assert (voice["confirmed"], voice["voicemail"], voice["answered"]) == (1, 1, 0)
    assert (voice["busy"], voice["no_answer"], voice["queued"]) == (1, 3, 1)
    assert data["progress"]["media"][Medium.SMS]["failed"] == 2
    # The same words as the page, for the script to write in the same places.
    assert data["texts"]["voice.no_answer"] == "3"
    assert data["texts"]["handed_text"] == "11 su 12 (91%)"
    assert data["bars"]["handed"] == {"percent": 91, "text": "11 su 12 (91%)"}
    assert "11 messaggi su 12 affidati ai gestori" in data["summary"]
    assert not any(number in json.dumps(data) for number in NUMBERS)


def test_when_the_sending_is_over_the_page_stops_following_it(operator, people) -> None:
    alert = _in_flight(_alert(operator), people)
    Delivery.objects.filter(dispatch=alert.dispatch, status__in=[S.QUEUED, S.RINGING]).update(
        status=S.NO_ANSWER
    )
    Dispatch.objects.filter(pk=alert.dispatch_id).update(status=DispatchStatus.DONE)
    Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.SENT)
    client = login(operator)

    data = client.get(f"/allerta/operatori/allerte/{alert.pk}/andamento.json").json()
    page = _page(client.get(f"/allerta/operatori/allerte/{alert.pk}/andamento/"))

    assert data["finished"] is True and data["live"] is False
    assert data["texts"]["final_text"] == "11 su 12 (91%)"  # the e-mail: handed over, no report
    assert "Invio concluso" in data["texts"]["state_text"]
    assert '"live": false' in page
    assert "il resoconto è completo" in page


def test_a_draft_has_nothing_to_follow_yet(operator, people) -> None:
    alert = _alert(operator)
    client = login(operator)

    page = _page(client.get(f"/allerta/operatori/allerte/{alert.pk}/andamento/"))
    data = client.get(f"/allerta/operatori/allerte/{alert.pk}/andamento.json").json()

    assert "L'allerta non è ancora stata inviata." in page
    assert data["progress"] is None and data["live"] is False


class DownProvider:
    name = "down"

    def send(self, delivery):
        raise ChannelError("connessione rifiutata")


def test_a_provider_down_is_shown_while_the_other_channels_go_on(
    operator, people, settings
) -> None:
    from sportello.channels.dispatch import dispatch_work

    settings.SPORTELLO_CHANNELS = {
        **settings.SPORTELLO_CHANNELS,
        "sms": "tests.alerts.console.test_monitor.DownProvider",
        "email": "sportello.channels.providers.simulator.Simulator",
    }
    alert = _alert(operator)
    dispatch = Dispatch.objects.create(purpose="alert", reference=str(alert.identifier))
    Alert.objects.filter(pk=alert.pk).update(dispatch=dispatch, status=AlertStatus.SENDING)
    anna = f"s{people['anna'].pk}"
    Delivery.objects.bulk_create(
        [
            Delivery(dispatch=dispatch, medium=medium, to=to, recipient=anna, purpose="alert")
            for medium, to in [(Medium.SMS, ANNA_MOBILE), (Medium.EMAIL, ANNA_EMAIL)]
        ]
    )
    dispatch_work(dispatch_id=dispatch.pk, medium=Medium.SMS)
    dispatch_work(dispatch_id=dispatch.pk, medium=Medium.EMAIL)
    client = login(operator)

    page = _page(client.get(f"/allerta/operatori/allerte/{alert.pk}/andamento/"))
    data = client.get(f"/allerta/operatori/allerte/{alert.pk}/andamento.json").json()

    assert "Il gestore SMS non risponde: connessione rifiutata. Gli altri canali proseguono" in page
    assert data["problems"] == [
        "Il gestore SMS non risponde: connessione rifiutata. Gli altri canali proseguono; "
        "questo riprende da solo appena il gestore risponde."
    ]
    assert data["texts"]["email.delivered"] == "1"
    assert data["texts"]["sms.queued"] == "1"  # waiting for the provider, not lost


def test_a_stopped_alert_says_so_and_how_many_were_canceled(operator, people) -> None:
    from sportello.alerts.sending import alert_stop

    alert = _in_flight(_alert(operator), people)
    alert_stop(alert=alert, by=operator)
    client = login(operator)

    page = _page(client.get(f"/allerta/operatori/allerte/{alert.pk}/andamento/"))

    assert "Invio interrotto il" in page and "da Paola Neri" in page
    assert "1 messaggio non ancora affidato ai gestori è stato annullato." in page
    assert _row(page, "voice", S.CANCELED)[1:] == ("1", True)


# --- the map -----------------------------------------------------------------------------


def test_the_map_shows_who_was_reached_per_address_without_personal_data(operator, people) -> None:
    alert = _in_flight(_alert(operator), people)
    civic = people["civic"]

    response = login(operator).get(f"/allerta/operatori/allerte/{alert.pk}/andamento/mappa.geojson")
    collection = response.json()

    assert response["Content-Type"] == "application/geo+json"
    by_address = {f["properties"]["address"]: f for f in collection["features"]}
    states = {c.pk: by_address[f"{c.street.full_name} {c.label}"] for c in civic}
    assert states[civic[0].pk]["properties"]["state"] == "reached"  # Anna
    assert states[civic[0].pk]["geometry"]["coordinates"] == [civic[0].longitude, civic[0].latitude]
    assert states[civic[1].pk]["properties"]["state"] == "progress"  # Bruno's phone rings
    assert states[civic[2].pk]["properties"]["state"] == "progress"  # Carlo: second attempt
    assert states[civic[3].pk]["properties"]["state"] == "unreached"  # Dario
    assert collection["people"] == {"reached": 1, "progress": 2, "handed": 0, "unreached": 1}
    assert collection["reached_percent"] == 25
    text = response.content.decode()
    assert not any(number in text for number in [*NUMBERS, ANNA_EMAIL, "Carlo", "Verdi"])


def test_the_page_lists_the_unreached_addresses_for_those_without_the_map(operator, people) -> None:
    alert = _in_flight(_alert(operator), people)
    dario = people["civic"][3]

    page = _page(login(operator).get(f"/allerta/operatori/allerte/{alert.pk}/andamento/"))

    table = page.split("Indirizzi con persone non raggiunte", 1)[1].split("</table>")[0]
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", table)
    assert cells[-3:] == [f"{dario.street.full_name} {dario.label}", "1", "0"]
    assert "Persone avvisate: 4, di cui raggiunte 1 (25%)." in _text(page)


def test_the_map_is_one_query_however_many_deliveries(
    operator, people, django_assert_max_num_queries
) -> None:
    alert = _in_flight(_alert(operator), people)
    contacts = Contact.objects.bulk_create(
        [
            Contact(
                name=f"N{i}",
                number=f"+39058650{i:04d}",
                address_text="-",
                civic_number=people["civic"][i % 4],
            )
            for i in range(1500)
        ]
    )
    Delivery.objects.bulk_create(
        [
            Delivery(
                dispatch=alert.dispatch,
                medium=Medium.VOICE,
                to=c.number,
                recipient=f"c{c.pk}",
                status=S.COMPLETED if i % 2 else S.FAILED,
            )
            for i, c in enumerate(contacts)
        ]
    )
    client = login(operator)

    with django_assert_max_num_queries(6):  # session, user, alert, the aggregation
        collection = client.get(
            f"/allerta/operatori/allerte/{alert.pk}/andamento/mappa.geojson"
        ).json()

    assert collection["people_total"] == 1504
    assert collection["people"]["reached"] == 1 + 750


# --- the reports -------------------------------------------------------------------------


def _csv(response) -> tuple[str, list[list[str]]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    return body, list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))


def test_the_csv_has_a_masked_row_per_delivery_for_italian_excel(operator, people) -> None:
    alert = _in_flight(_alert(operator, exercise=True), people)

    response = login(operator).get(f"/allerta/operatori/allerte/{alert.pk}/resoconto.csv")
    body, lines = _csv(response)

    assert response.streaming
    assert "ESERCITAZIONE" in response["Content-Disposition"]
    assert body.startswith("\ufeffESERCITAZIONE;Allerta meteo arancione;")
    assert lines[1][:6] == [
        "Canale",
        "Destinatario (rif.)",
        "Numero o indirizzo",
        "Lingua",
        "Tentativo",
        "Esito",
    ]
    rows = lines[2:]
    assert len(rows) == 12
    assert not any(secret in body for secret in [*NUMBERS, ANNA_EMAIL, BRUNO_MOBILE[3:]])
    confirmed = next(row for row in rows if row[5] == "Ascolto confermato")
    assert confirmed[:5] == [
        "Chiamata vocale",
        f"s{people['anna'].pk}",
        "'+39 *** *** 1111",
        "it",
        "1",
    ]
    assert confirmed[7:10] == ["persona", "1", "sì"]
    voicemail = next(row for row in rows if row[5] == "Segreteria telefonica")
    assert voicemail[7] == "segreteria telefonica" and voicemail[9] == ""
    assert next(row for row in rows if row[0] == "E-mail")[2] == "a***@example.it"
    refused = next(row for row in rows if row[6].startswith("Numero"))
    assert refused[6] == "Numero +39 *** *** 2222 errato"
    assert [row[4] for row in rows if row[2].endswith("4444") and row[0] != "SMS"] == [
        "1",
        "2",
        "3",
    ]
    assert AuditEvent.objects.filter(action="alert.report_csv", target_id=str(alert.pk)).exists()


def test_the_csv_of_an_alert_not_yet_sent_has_only_its_header(operator, people) -> None:
    alert = _alert(operator)

    response = login(operator).get(f"/allerta/operatori/allerte/{alert.pk}/resoconto.csv")
    _body, lines = _csv(response)

    assert lines[0][0] == "Allerta" and "ESERCITAZIONE" not in response["Content-Disposition"]
    assert len(lines) == 2


def _pdf_pages(response) -> list[str]:
    assert response["Content-Type"] == "application/pdf"
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def test_the_pdf_summary_has_the_totals_and_says_exercise_on_every_page(operator, people) -> None:
    from sportello.alerts.sending import alert_stop

    alert = _in_flight(_alert(operator, exercise=True), people)
    alert_stop(alert=alert, by=operator)

    pages = _pdf_pages(login(operator).get(f"/allerta/operatori/allerte/{alert.pk}/resoconto.pdf"))
    text = re.sub(r"\s+", " ", "\n".join(pages))

    assert all("ESERCITAZIONE" in page for page in pages)
    assert "Allerta meteo arancione" in text and "Pioggia intensa" in text
    assert "Area Tutto il Comune" in text
    assert "Chiamate vocali" in text and "Segreteria telefonica" in text
    assert "Persone avvisate 4" in text and "Raggiunte 1 (25%)" in text
    assert "Ascolti confermati (tasto 1) 1" in text
    assert re.search(r"Ultimo esito ricevuto \d{2}:\d{2}:\d{2}", text)  # not «—»
    assert "1 messaggio non ancora affidato ai gestori è stato annullato" in text
    assert "+39 *** *** 3333" in text  # Carlo's second attempt, canceled, masked
    assert not any(number in text for number in NUMBERS)
    assert AuditEvent.objects.filter(action="alert.report_pdf", target_id=str(alert.pk)).exists()


# --- who may look ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["andamento/", "andamento.json", "andamento/mappa.geojson", "resoconto.csv", "resoconto.pdf"],
)
def test_only_operators_who_may_view_alerts_see_the_monitor_and_reports(
    operator, counter_clerk, people, path
) -> None:
    alert = _in_flight(_alert(operator), people)
    url = f"/allerta/operatori/allerte/{alert.pk}/{path}"

    assert Client().get(url).status_code == 302  # to the login page
    assert login(counter_clerk).get(url).status_code == 403
    assert login(operator).get(url).status_code == 200
    assert (
        login(operator).get(f"/allerta/operatori/allerte/{alert.pk + 99}/{path}").status_code == 404
    )
