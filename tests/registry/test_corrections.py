"""«Segnala un errore»: a citizen reports a mistake in their registry data, the registry office
handles it in the back-office, and the citizen follows its status on the visura and by e-mail."""

from __future__ import annotations

import html

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.registry.models import CorrectionRequest, CorrectionStatus, CorrectionTopic
from sportello.registry.services.corrections import CORRECTION_OPEN_MAX, correction_request_create

from .factories import PersonFactory

pytestmark = pytest.mark.django_db

FORM = "/i-miei-dati/segnala-errore/"
QUEUE = "/backoffice/registry/correctionrequest/"
WRONG_NAME = "Il mio secondo nome è Maria, non Marta: lo dice l'atto di nascita."


@pytest.fixture
def citizen():
    person = PersonFactory(first_name="Giulia Marta", last_name="Ferretti", sex="F")
    return User.objects.create_user(person.codice_fiscale, person=person, email="giulia@example.it")


@pytest.fixture
def citizen_client(citizen) -> Client:
    client = Client()
    client.force_login(citizen)
    return client


@pytest.fixture
def clerk_client() -> Client:
    clerk = User.objects.create_user("anagrafe", is_staff=True)
    clerk.groups.add(Group.objects.get(name=Role.REGISTRY_CLERK))
    client = Client()
    client.force_login(clerk)
    return client


def page(client: Client, url: str = "/i-miei-dati/") -> str:
    return html.unescape(client.get(url).content.decode())


def handle(clerk_client: Client, correction, status: str, answer: str = ""):
    return clerk_client.post(
        f"{QUEUE}{correction.pk}/change/", {"status": status, "answer": answer}
    )


def test_a_citizen_reports_an_error_and_follows_it_to_the_answer(
    citizen, citizen_client, clerk_client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = citizen_client.post(
            FORM, {"topic": CorrectionTopic.NAME, "text": WRONG_NAME, "conferma": "1"}
        )

    assert response.status_code == 302
    assert response["Location"] == "/i-miei-dati/#segnalazioni"
    # Confirmed on two channels: the page, and an e-mail.
    [received] = mail.outbox
    assert received.to == ["giulia@example.it"]
    assert "abbiamo ricevuto la tua segnalazione" in received.body
    assert WRONG_NAME in received.body
    mail.outbox.clear()
    correction = CorrectionRequest.objects.get()
    assert (correction.person, correction.author) == (citizen.person, citizen)
    visura = page(citizen_client)
    assert "Segnalazione inviata all'ufficio anagrafe" in visura
    assert WRONG_NAME in visura and "<strong>Ricevuta</strong>" in visura

    # The registry office finds it in its queue and takes it in hand.
    assert citizen.person.last_name in page(clerk_client, f"{QUEUE}?status__exact=new")
    with django_capture_on_commit_callbacks(execute=True):
        assert handle(clerk_client, correction, CorrectionStatus.IN_PROGRESS).status_code == 302
    assert "<strong>In lavorazione</strong>" in page(citizen_client)
    [message] = mail.outbox
    assert message.to == ["giulia@example.it"]
    assert "in lavorazione" in message.subject
    assert "nome, cognome o sesso" in message.body

    # It corrects the data and closes the request with an answer.
    answer = "Abbiamo corretto il nome come risulta dall'atto di nascita."
    with django_capture_on_commit_callbacks(execute=True):
        assert handle(clerk_client, correction, CorrectionStatus.DONE, answer).status_code == 302
    visura = page(citizen_client)
    assert "<strong>Corretta</strong>" in visura and answer in visura
    assert len(mail.outbox) == 2
    assert answer in mail.outbox[1].body
    correction.refresh_from_db()
    assert correction.handled_by.username == "anagrafe" and correction.closed_at is not None


def test_closing_or_rejecting_needs_an_answer(clerk_client, citizen) -> None:
    correction = correction_request_create(
        person=citizen.person, author=citizen, topic=CorrectionTopic.BIRTH, text=WRONG_NAME
    )

    response = handle(clerk_client, correction, CorrectionStatus.REJECTED, "   ")

    assert response.status_code == 200
    assert "scrivi una risposta per il cittadino" in str(response.context["adminform"].form.errors)
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.NEW
    assert mail.outbox == []


def test_the_office_takes_several_requests_in_hand_at_once(
    clerk_client, citizen, django_capture_on_commit_callbacks
) -> None:
    for topic in (CorrectionTopic.BIRTH, CorrectionTopic.RESIDENCE):
        correction_request_create(
            person=citizen.person, author=citizen, topic=topic, text=WRONG_NAME
        )

    with django_capture_on_commit_callbacks(execute=True):
        clerk_client.post(
            QUEUE,
            {
                "action": "take_in_hand",
                "_selected_action": [c.pk for c in CorrectionRequest.objects.all()],
            },
        )

    statuses = set(CorrectionRequest.objects.values_list("status", flat=True))
    assert statuses == {CorrectionStatus.IN_PROGRESS}
    assert len(mail.outbox) == 2


def test_a_citizen_without_e_mail_is_not_written_to(
    clerk_client, django_capture_on_commit_callbacks
) -> None:
    person = PersonFactory()
    user = User.objects.create_user(person.codice_fiscale, person=person, email="")
    correction = correction_request_create(
        person=person, author=user, topic=CorrectionTopic.OTHER, text=WRONG_NAME
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert handle(clerk_client, correction, CorrectionStatus.IN_PROGRESS).status_code == 302

    assert mail.outbox == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"topic": "", "text": WRONG_NAME}, "Scegli quale dato è sbagliato."),
        ({"topic": "salary", "text": WRONG_NAME}, "Scegli un dato dall'elenco."),
        ({"topic": CorrectionTopic.NAME, "text": "  sbagliato "}, "almeno 10 caratteri"),
        ({"topic": CorrectionTopic.NAME, "text": "x" * 2001}, "al massimo 2000 caratteri"),
    ],
)
def test_a_report_that_says_nothing_usable_is_refused(
    citizen_client, data: dict[str, str], message: str
) -> None:
    response = citizen_client.post(FORM, {**data, "conferma": "1"})

    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())
    assert 'aria-invalid="true"' in response.content.decode()
    assert not CorrectionRequest.objects.exists()


def test_a_citizen_may_have_only_a_few_requests_waiting(citizen, citizen_client) -> None:
    for _ in range(CORRECTION_OPEN_MAX):
        correction_request_create(
            person=citizen.person, author=citizen, topic=CorrectionTopic.OTHER, text=WRONG_NAME
        )

    response = citizen_client.post(
        FORM, {"topic": CorrectionTopic.OTHER, "text": WRONG_NAME, "conferma": "1"}
    )

    assert response.status_code == 200
    assert "aspetta che l'ufficio anagrafe le esamini" in html.unescape(response.content.decode())
    assert CorrectionRequest.objects.count() == CORRECTION_OPEN_MAX


def test_the_topic_can_be_chosen_from_the_link(citizen_client) -> None:
    form = citizen_client.get(FORM, {"dato": "residence"}).content.decode()

    assert '<option value="residence" selected>' in form


def test_a_citizen_sees_only_their_own_requests(citizen, citizen_client) -> None:
    other = PersonFactory(first_name="Ugo", last_name="Bassi")
    correction_request_create(
        person=other, author=None, topic=CorrectionTopic.OTHER, text="Segreto di Ugo Bassi."
    )

    assert "Segreto di Ugo Bassi" not in page(citizen_client)


def test_only_the_registry_office_handles_requests(citizen) -> None:
    correction_request_create(
        person=citizen.person, author=citizen, topic=CorrectionTopic.OTHER, text=WRONG_NAME
    )
    operator = User.objects.create_user("sportello", is_staff=True)
    operator.groups.add(Group.objects.get(name=Role.COUNTER_OPERATOR))
    client = Client()
    client.force_login(operator)

    assert client.get(QUEUE).status_code == 403


def test_the_report_is_summarised_before_it_is_sent(citizen_client) -> None:
    answers = {"topic": CorrectionTopic.NAME, "text": WRONG_NAME}
    summary = html.unescape(citizen_client.post(FORM, answers).content.decode())
    assert "Riepilogo della segnalazione" in summary
    assert WRONG_NAME in summary
    assert 'name="conferma"' in summary and 'name="modifica"' in summary
    assert not CorrectionRequest.objects.exists()
    edit = html.unescape(citizen_client.post(FORM, {**answers, "modifica": "1"}).content.decode())
    assert WRONG_NAME in edit and "Invia la segnalazione" in edit
    assert not CorrectionRequest.objects.exists()
    citizen_client.post(FORM, {**answers, "conferma": "1"})
    assert CorrectionRequest.objects.count() == 1


def test_the_personal_area_lists_the_report_and_every_service(citizen, citizen_client) -> None:
    correction_request_create(
        person=citizen.person, author=citizen, topic=CorrectionTopic.NAME, text=WRONG_NAME
    )
    area = html.unescape(citizen_client.get("/area-personale/").content.decode())
    items = area.split('data-element="personal-area-items"', 1)[1].split("</ul>", 1)[0]
    assert "Segnalazione all'anagrafe" in items and "Ricevuta" in items
    assert 'href="/i-miei-dati/#segnalazioni"' in items
    services = area.split('data-element="personal-area-services"', 1)[1].split("</ul>", 1)[0]
    for url in ("/i-miei-dati/", "/certificati/", "/pagamenti/", "/allerta/iscrizione/"):
        assert f'href="{url}"' in services, url
