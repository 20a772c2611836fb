"""Requests for credentials that reach the counter operators: from the online form and by PEC.
The operator rejects with a reason, or issues; a PEC request gets the letter back by PEC, and if
that PEC cannot leave, nothing is issued."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client, override_settings
from django.urls import reverse

from sportello.accounts import pec_requests
from sportello.accounts.models import (
    CredentialIssue,
    CredentialRequest,
    RequestChannel,
    RequestStatus,
    User,
)
from sportello.core.models import AuditEvent
from tests.accounts.conftest import (
    CITIZEN_PASSWORD,
    document,
    letter_password,
    log_in,
    page_text,
    pdf_text,
)
from tests.accounts.pec_builder import build_pec

pytestmark = pytest.mark.django_db

CERTIFIED_SENDER = "giulia.ferretti@pec.example.it"


class RefusingBackend(BaseEmailBackend):
    """A PEC provider that hangs up."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


def online_form(**overrides: str) -> dict[str, str]:
    fields = {
        "codice_fiscale": "",
        "first_name": "Giulia",
        "last_name": "Ferretti",
        "email": "giulia.ferretti@example.it",
        "phone": "",
        "privacy": "on",
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def pec_request(resident) -> CredentialRequest:
    raw = build_pec(
        sender=CERTIFIED_SENDER,
        subject="Richiesta credenziali",
        body=f"Buongiorno, chiedo le credenziali. Codice fiscale {resident.codice_fiscale}.",
    )
    credential_request = pec_requests.credential_request_from_pec(raw=raw)
    assert credential_request.channel == RequestChannel.PEC
    assert credential_request.person == resident
    return credential_request


def test_an_online_request_with_a_wrong_codice_fiscale_is_not_filed(resident) -> None:
    wrong = resident.codice_fiscale[:-1] + ("A" if resident.codice_fiscale[-1] != "A" else "B")

    response = Client().post(reverse("accounts:online_request"), online_form(codice_fiscale=wrong))

    assert response.status_code == 200
    assert "Il codice fiscale è errato: il carattere di controllo non corrisponde." in page_text(
        response
    )
    assert not CredentialRequest.objects.exists()
    assert not mail.outbox


def test_an_online_request_is_queued_and_acknowledged(
    resident, operator_client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            reverse("accounts:online_request"),
            online_form(codice_fiscale=resident.codice_fiscale.lower()),
        )

    assert "Richiesta ricevuta" in page_text(response)
    credential_request = CredentialRequest.objects.get()
    assert (credential_request.status, credential_request.person) == (
        RequestStatus.PENDING,
        resident,
    )
    [acknowledgement] = mail.outbox
    assert acknowledgement.to == ["giulia.ferretti@example.it"]
    assert "richiesta di credenziali ricevuta" in acknowledgement.subject
    assert "URP - Ufficio Relazioni con il Pubblico" in acknowledgement.body
    queue = page_text(operator_client.get(reverse("accounts:operator_requests")))
    assert resident.codice_fiscale in queue
    assert "Modulo online" in queue


def test_the_operator_rejects_a_request_and_the_citizen_gets_the_reason(
    resident, operator_client, counter_operator, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(
            reverse("accounts:online_request"),
            online_form(codice_fiscale=resident.codice_fiscale),
        )
    credential_request = CredentialRequest.objects.get()
    mail.outbox.clear()
    url = reverse("accounts:operator_request", args=[credential_request.pk])
    assert "Verifica e rilascia" in page_text(operator_client.get(url))
    reason = "Il nome indicato non corrisponde a quello registrato in anagrafe."

    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(url, {"status": "rejected", "outcome": reason}, follow=True)

    assert "Richiesta chiusa." in page_text(response)
    assert "Nessuna richiesta in questo stato." in page_text(response)
    credential_request.refresh_from_db()
    assert (credential_request.status, credential_request.handled_by) == (
        RequestStatus.REJECTED,
        counter_operator,
    )
    [rejection] = mail.outbox
    assert rejection.to == ["giulia.ferretti@example.it"]
    assert "non accolta" in rejection.subject
    assert reason in rejection.body
    assert AuditEvent.objects.filter(action="credential_request_rejected").exists()


def test_the_clerk_opens_the_pec_attachments_and_is_not_asked_to_print(
    resident, operator_client, citizen_client
) -> None:
    identity_card = b"%PDF-1.4 la carta d'identita di Giulia"
    raw = build_pec(
        sender=CERTIFIED_SENDER,
        subject="Richiesta credenziali",
        body=f"Chiedo le credenziali. Codice fiscale {resident.codice_fiscale}.",
        attachments=[
            ("carta-identita.pdf", identity_card, "application/pdf"),
            ("pagina.html", b"<script>alert(1)</script>", "text/html"),
        ],
    )
    credential_request = pec_requests.credential_request_from_pec(raw=raw)
    detail = operator_client.get(reverse("accounts:operator_request", args=[credential_request.pk]))
    card, page = credential_request.files.all()
    card_url = reverse("accounts:operator_request_file", args=[credential_request.pk, card.pk])
    assert f'href="{card_url}"' in detail.content.decode()
    assert "carta-identita.pdf" in page_text(detail)

    opened = operator_client.get(card_url)
    assert opened.status_code == 200
    assert b"".join(opened.streaming_content) == identity_card
    assert opened["Content-Type"] == "application/pdf"
    assert "sandbox" in opened["Content-Security-Policy"]
    event = AuditEvent.objects.get(action="credential_request_file_opened")
    assert event.detail["file"] == "carta-identita.pdf"
    # What could run in a browser is only ever downloaded, as bytes.
    html_file = operator_client.get(
        reverse("accounts:operator_request_file", args=[credential_request.pk, page.pk])
    )
    assert html_file["Content-Type"] == "application/octet-stream"
    assert html_file["Content-Disposition"].startswith("attachment")
    # Nobody else opens them.
    assert citizen_client.get(card_url).status_code in (302, 403)
    assert Client().get(card_url).status_code == 302

    issue_page = page_text(
        operator_client.get(
            f"/operatori/credenziali/persona/{resident.pk}/?richiesta={credential_request.pk}"
        )
    )
    assert "stampala e consegnala" not in issue_page
    assert "non va stampata né consegnata" in issue_page
    assert "Documento di riconoscimento allegato" in issue_page
    assert "Scegli lo sportello" not in issue_page


def test_a_pec_request_is_answered_by_pec_with_the_letter(
    pec_request, resident, operator_client
) -> None:
    queue = page_text(operator_client.get(reverse("accounts:operator_requests")))
    assert CERTIFIED_SENDER in queue
    detail = page_text(
        operator_client.get(reverse("accounts:operator_request", args=[pec_request.pk]))
    )
    issue_url = f"/operatori/credenziali/persona/{resident.pk}/?richiesta={pec_request.pk}"
    assert f'href="{issue_url}"' in detail
    assert f"La lettera con le credenziali partirà per PEC a {CERTIFIED_SENDER}" in page_text(
        operator_client.get(issue_url)
    )

    response = operator_client.post(
        f"/operatori/credenziali/persona/{resident.pk}/",
        {**document(), "richiesta": str(pec_request.pk)},
    )

    assert f"La lettera è stata inviata per PEC a {CERTIFIED_SENDER}:" in page_text(response)
    assert "Scarica la lettera" not in page_text(response)
    [message] = mail.outbox
    assert message.to == [CERTIFIED_SENDER]
    assert message.from_email == "comune.valdoria@pec.example.it"
    [(filename, pdf, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"credenziali-{resident.codice_fiscale}.pdf", "application/pdf")
    password = letter_password(pdf_text(pdf))
    assert password not in message.body
    assert log_in(Client(), resident.codice_fiscale, password).status_code == 302
    pec_request.refresh_from_db()
    assert pec_request.status == RequestStatus.ISSUED
    issue = CredentialIssue.objects.get()
    assert (issue.channel, issue.request) == (RequestChannel.PEC, pec_request)


@override_settings(EMAIL_BACKEND="tests.accounts.test_requests.RefusingBackend")
def test_when_the_pec_cannot_leave_nothing_is_issued(
    pec_request, resident, operator_client
) -> None:
    response = operator_client.post(
        f"/operatori/credenziali/persona/{resident.pk}/",
        {**document(), "richiesta": str(pec_request.pk)},
    )

    assert response.status_code == 200
    text = page_text(response)
    assert "La PEC con le credenziali non è partita" in text
    assert "nessuna credenziale è stata rilasciata" in text
    assert "Credenziali rilasciate" not in text
    assert not User.objects.filter(person=resident).exists()
    assert not CredentialIssue.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="credentials_").exists()
    pec_request.refresh_from_db()
    assert pec_request.status == RequestStatus.PENDING


@override_settings(EMAIL_BACKEND="tests.accounts.test_requests.RefusingBackend")
def test_when_the_pec_cannot_leave_a_reissue_keeps_the_old_password(
    pec_request, citizen, operator_client
) -> None:
    operator_client.post(
        f"/operatori/credenziali/persona/{citizen.person.pk}/",
        {**document(), "richiesta": str(pec_request.pk)},
    )

    citizen.refresh_from_db()
    assert citizen.check_password(CITIZEN_PASSWORD)
    assert not citizen.password_is_temporary


def test_the_online_request_is_no_mail_relay(
    resident, settings, django_capture_on_commit_callbacks
) -> None:
    """An attacker posting again and again, with their own words as the name, to an address
    that is not theirs: a few requests are filed, one e-mail leaves, and none of their words."""
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    victim = "vittima@example.org"
    words = "Vinci un iPhone su http://truffa.example"
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for _attempt in range(30):
            response = attacker.post(
                reverse("accounts:online_request"),
                online_form(
                    codice_fiscale="RSSMRA80A01H501U",  # valid, not in the registry
                    first_name=words,
                    last_name=words,
                    email=victim,
                ),
            )
            statuses.append(response.status_code)
    limit = settings.SPORTELLO_CREDENTIAL_REQUEST_PER_ADDRESS
    assert statuses.count(200) == limit
    assert statuses.count(429) == 30 - limit
    assert "troppe richieste" in page_text(response)
    assert CredentialRequest.objects.count() == limit
    [acknowledgement] = mail.outbox
    assert acknowledgement.to == [victim]
    assert "truffa" not in acknowledgement.body
    assert "iPhone" not in acknowledgement.subject + acknowledgement.body
    assert AuditEvent.objects.filter(action="credential_request_refused").count() == 30 - limit


def test_one_client_cannot_request_for_many_addresses(resident, settings) -> None:
    client = Client(REMOTE_ADDR="203.0.113.10")
    per_client = settings.SPORTELLO_CREDENTIAL_REQUEST_PER_CLIENT
    codes = []
    for attempt in range(per_client + 2):
        codes.append(
            client.post(
                reverse("accounts:online_request"),
                online_form(
                    codice_fiscale=resident.codice_fiscale, email=f"persona{attempt}@example.it"
                ),
            ).status_code
        )
    assert codes == [200] * per_client + [429, 429]
    # Someone else, elsewhere, is not held up.
    other = Client(REMOTE_ADDR="198.51.100.7").post(
        reverse("accounts:online_request"),
        online_form(codice_fiscale=resident.codice_fiscale, email="altra@example.it"),
    )
    assert other.status_code == 200
