"""The accounting office's screens: find positions, look at one (audited), export them, annul
one with a reason, record a payment made at the counter, close anomalies. Other roles and
citizens are turned away."""

from __future__ import annotations

import pytest
from django.test import Client

from sportello.core.models import AuditEvent
from sportello.payments.models import Anomaly, PositionStatus, Receipt, ReceiptSource
from sportello.payments.services import receipts_receive

from .conftest import Household, make_position, page_text, receipt_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_office_finds_positions_by_debtor_and_state(
    accounting_client: Client, household: Household
) -> None:
    make_position(household.tommaso, reference="a", title="Mensa di Tommaso")
    paid = make_position(household.sara, reference="b", title="Trasporto di Sara")
    receipts_receive(documents=[receipt_for(paid.options.get())], source="provider")

    everything = page_text(accounting_client.get("/operatori/pagamenti/"))
    assert "Mensa di Tommaso" in everything and "Trasporto di Sara" in everything
    assert "2 posizioni trovate" in everything
    by_debtor = page_text(
        accounting_client.get(f"/operatori/pagamenti/?debtor={household.tommaso.codice_fiscale}")
    )
    assert "Mensa di Tommaso" in by_debtor and "Trasporto di Sara" not in by_debtor
    by_state = page_text(accounting_client.get("/operatori/pagamenti/?status=PAID"))
    assert "Trasporto di Sara" in by_state and "Mensa di Tommaso" not in by_state
    wrong = accounting_client.get(
        "/operatori/pagamenti/?created_from=2026-12-10&created_to=2026-12-01"
    )
    assert "La data iniziale viene dopo quella finale" in page_text(wrong)


def test_the_export_is_a_csv_of_the_filter_and_is_audited(
    accounting_client: Client, household: Household
) -> None:
    position = make_position(household.tommaso, title="Mensa di Tommaso")
    response = accounting_client.get("/operatori/pagamenti/esporta/?status=VALID")
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert lines[0].startswith("IUPD;Servizio;Oggetto")
    assert len(lines) == 2 and position.iupd in lines[1] and "€ 45,60" in lines[1]
    assert AuditEvent.objects.filter(action="payment_positions_exported").exists()


def test_looking_at_a_position_is_audited(accounting_client: Client, household: Household) -> None:
    position = make_position(household.tommaso)
    page = page_text(accounting_client.get(f"/operatori/pagamenti/{position.pk}/"))
    assert household.tommaso.codice_fiscale in page
    assert position.options.get().notice_number_display in page
    event = AuditEvent.objects.get(action="payment_position_viewed")
    assert event.actor.username == "ragioneria" and event.target_id == str(position.pk)


def test_an_annulment_needs_a_reason_and_is_final(
    accounting_client: Client, household: Household
) -> None:
    position = make_position(household.tommaso)
    url = f"/operatori/pagamenti/{position.pk}/annulla/"
    refused = accounting_client.post(url, {"reason": ""})
    assert refused.status_code == 400
    position.refresh_from_db()
    assert position.status == PositionStatus.VALID

    accounting_client.post(url, {"reason": "Doppia emissione"})
    position.refresh_from_db()
    assert position.status == PositionStatus.INVALID
    assert position.invalidated_by.username == "ragioneria"
    assert "Doppia emissione" in page_text(
        accounting_client.get(f"/operatori/pagamenti/{position.pk}/")
    )


def test_a_payment_made_at_the_counter_is_recorded_once(
    accounting_client: Client, household: Household
) -> None:
    position = make_position(household.tommaso)
    option = position.options.get()
    url = f"/operatori/pagamenti/{position.pk}/pagamento/"
    missing = accounting_client.post(
        url, {"option": option.pk, "paid_on": "2026-12-01", "reference": " "}
    )
    assert missing.status_code == 400
    assert not Receipt.objects.exists()

    accounting_client.post(
        url, {"option": option.pk, "paid_on": "2026-12-01", "reference": "URP, quietanza 123"}
    )
    position.refresh_from_db()
    assert position.status == PositionStatus.PAID
    receipt = Receipt.objects.get()
    assert receipt.source == ReceiptSource.OFFLINE and receipt.pays_option
    assert receipt.recorded_by.username == "ragioneria"
    assert AuditEvent.objects.filter(action="payment_recorded_offline").exists()

    again = accounting_client.post(
        url, {"option": option.pk, "paid_on": "2026-12-01", "reference": "di nuovo"}
    )
    assert again.status_code == 400
    assert Receipt.objects.count() == 1


def test_anomalies_are_listed_until_closed_with_a_note(
    accounting_client: Client, household: Household
) -> None:
    option = make_position(household.tommaso).options.get()
    receipts_receive(documents=[receipt_for(option, amount=100)], source="provider")
    listing = page_text(accounting_client.get("/operatori/pagamenti/anomalie/"))
    assert "Importo diverso da quello dell'avviso" in listing
    receipt = Receipt.objects.get(anomaly=Anomaly.AMOUNT_MISMATCH)

    accounting_client.post(f"/operatori/pagamenti/anomalie/{receipt.pk}/chiudi/", {"note": ""})
    receipt.refresh_from_db()
    assert receipt.resolved_at is None
    accounting_client.post(
        f"/operatori/pagamenti/anomalie/{receipt.pk}/chiudi/", {"note": "Rimborsato l'euro"}
    )
    receipt.refresh_from_db()
    assert receipt.resolved_at is not None and receipt.resolution_note == "Rimborsato l'euro"
    assert "Nessuna anomalia da esaminare" in page_text(
        accounting_client.get("/operatori/pagamenti/anomalie/")
    )


def test_other_roles_and_citizens_are_turned_away(
    school_client: Client, sara_client: Client, household: Household
) -> None:
    position = make_position(household.tommaso)
    for client in (school_client, sara_client):
        for url in (
            "/operatori/pagamenti/",
            f"/operatori/pagamenti/{position.pk}/",
            "/operatori/pagamenti/esporta/",
            "/operatori/pagamenti/anomalie/",
        ):
            assert client.get(url).status_code == 403, url
        assert (
            client.post(f"/operatori/pagamenti/{position.pk}/annulla/", {"reason": "x"}).status_code
            == 403
        )
    position.refresh_from_db()
    assert position.status == PositionStatus.VALID
    assert Client().get("/operatori/pagamenti/").status_code == 302
