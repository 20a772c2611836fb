"""Stamp duty: a certificate that owes the €16 bollo waits until the registry office records the
payment; exemptions are printed with their law; civil-status certificates never pay. The office
also revokes certificates, with a reason, and the public check says so."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.certificates.models import Certificate, CertificateStatus
from sportello.core.models import AuditEvent

from .conftest import Household, ask, download, page_text, pdf_text

CHANGELIST = "/backoffice/certificates/certificate/"


def record_payment(client: Client, certificate: Certificate):
    return client.post(
        CHANGELIST, {"action": "record_stamp_duty_paid", "_selected_action": [certificate.pk]}
    )


def revoke(client: Client, certificate: Certificate, reason: str):
    return client.post(
        CHANGELIST,
        {"action": "revoke", "_selected_action": [certificate.pk], "reason": reason},
    )


def test_with_stamp_duty_due_the_certificate_waits_for_the_payment(
    giulia_client: Client, clerk_client: Client, household: Household
) -> None:
    response = ask(giulia_client, household.giulia, "residenza", use="pratica di mutuo")

    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.status == CertificateStatus.AWAITING_PAYMENT
    history = page_text(giulia_client.get("/certificati/"))
    assert "In attesa del pagamento del bollo (€ 16,00)" in history
    assert f"/certificati/{certificate.pk}/pdf/" not in history
    refused = download(giulia_client, certificate)
    assert refused.status_code == 302
    assert refused["Content-Type"] != "application/pdf"
    # Nobody can verify a certificate that has not been issued yet.
    not_yet = page_text(Client().get(f"/certificati/verifica/{certificate.display_code}/"))
    assert "Certificato non trovato" in not_yet

    assert record_payment(clerk_client, certificate).status_code == 302

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate.paid_at is not None
    assert certificate.paid_recorded_by.username == "anagrafe"
    assert certificate.valid_until is not None
    text = pdf_text(download(giulia_client, certificate).content)
    assert "Imposta di bollo di € 16,00 assolta in modo virtuale" in text
    assert "pratica di mutuo" in text
    assert AuditEvent.objects.filter(action="certificate_stamp_duty_paid").exists()


def test_a_certificate_is_valid_six_months(giulia_client: Client, household: Household) -> None:
    ask(giulia_client, household.giulia, "residenza", exemption="pensione")

    certificate = Certificate.objects.get()
    issued = timezone.localdate(certificate.issued_at)
    months = (certificate.valid_until.year - issued.year) * 12 + (
        certificate.valid_until.month - issued.month
    )
    assert months == 6
    assert certificate.valid_until.day <= issued.day
    text = pdf_text(download(giulia_client, certificate).content)
    assert f"Valido fino al {certificate.valid_until:%d/%m/%Y}" in text


def test_civil_status_certificates_never_pay_the_duty(
    giulia_client: Client, household: Household
) -> None:
    ask(giulia_client, household.giulia, "matrimonio", use="pratica di successione")

    certificate = Certificate.objects.get()
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate.stamp_duty == 0
    text = pdf_text(download(giulia_client, certificate).content)
    assert "Esente dall'imposta di bollo: art. 7 L. 29 dicembre 1990, n. 405" in text
    assert "coniugata il 12/06/2010 a Valdoria" in text
    # A birth certificate states facts that cannot change: no expiry.
    ask(giulia_client, household.giulia, "nascita", use="pratica di successione")
    assert Certificate.objects.get(kind="nascita").valid_until is None


def test_an_unknown_exemption_is_refused(giulia_client: Client, household: Household) -> None:
    response = ask(giulia_client, household.giulia, "residenza", exemption="amicizia")

    assert response.status_code == 400
    assert not Certificate.objects.exists()


def test_only_the_registry_office_records_payments(
    giulia_client: Client, household: Household
) -> None:
    ask(giulia_client, household.giulia, "residenza")
    certificate = Certificate.objects.get()
    counter = User.objects.create_user("urp", is_staff=True)
    counter.groups.add(Group.objects.get(name=Role.COUNTER_OPERATOR))
    client = Client()
    client.force_login(counter)

    record_payment(client, certificate)

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.AWAITING_PAYMENT


def test_a_revoked_certificate_says_so_to_whoever_checks_it(
    giulia_client: Client, clerk_client: Client, household: Household
) -> None:
    ask(giulia_client, household.giulia, "residenza", exemption="pensione")
    certificate = Certificate.objects.get()

    asked = clerk_client.post(
        CHANGELIST, {"action": "revoke", "_selected_action": [certificate.pk]}
    )
    assert "Motivo della revoca" in page_text(asked)  # an intermediate page, not a pop-up
    assert revoke(clerk_client, certificate, "").status_code == 200  # a reason is required
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    assert revoke(clerk_client, certificate, "dati di residenza errati").status_code == 302

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    today = timezone.localdate().strftime("%d/%m/%Y")
    verified = page_text(Client().get(f"/certificati/verifica/{certificate.display_code}/"))
    assert "Certificato revocato" in verified
    assert f"revocato il {today}" in verified
    history = page_text(giulia_client.get("/certificati/"))
    assert "dati di residenza errati" in history
    assert f"/certificati/{certificate.pk}/pdf/" not in history
    assert download(giulia_client, certificate).status_code == 302
    assert AuditEvent.objects.get(action="certificate_revoked").detail == {
        "reason": "dati di residenza errati"
    }


def test_a_payment_recorded_after_the_registry_changed_is_refused(
    giulia_client: Client, clerk_client: Client, household: Household
) -> None:
    ask(giulia_client, household.luca, "stato_libero")
    certificate = Certificate.objects.get()
    luca = household.luca
    luca.civil_status = "married"
    luca.civil_status_date = datetime.date(2026, 5, 1)
    luca.save()

    response = record_payment(clerk_client, certificate)

    assert response.status_code == 302
    assert "non può più essere rilasciato" in page_text(clerk_client.get(CHANGELIST))
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.AWAITING_PAYMENT
