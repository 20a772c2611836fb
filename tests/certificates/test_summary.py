"""The summary before confirming (Modello Comuni): the request shows what will be asked for and
what it costs; «Modifica» goes back to the form filled in; nothing is registered before
«Conferma»."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from sportello.certificates.models import Certificate

from .conftest import Household, page_text

pytestmark = pytest.mark.django_db


def test_the_request_shows_a_summary_with_the_cost_and_registers_nothing(
    giulia_client: Client, household: Household
) -> None:
    url = f"/certificati/richiedi/{household.giulia.pk}/"
    answers = {"kind": "residenza", "use": "pratica di mutuo", "exemption": ""}
    summary = giulia_client.post(url, answers)
    text = page_text(summary)
    assert summary.status_code == 200
    assert "Riepilogo della richiesta" in text
    assert "pratica di mutuo" in text
    assert "€ 16,00 di imposta di bollo" in text
    assert 'data-element="service-summary"' in text
    assert not Certificate.objects.exists()
    hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', text))
    assert {key: hidden[key] for key in answers} == answers

    edit = giulia_client.post(url, {**answers, "modifica": "1"})
    assert edit.status_code == 200
    assert 'value="pratica di mutuo"' in edit.content.decode()
    assert "Richiedi il certificato" in page_text(edit)
    assert not Certificate.objects.exists()

    giulia_client.post(url, {**answers, "conferma": "1"})
    assert Certificate.objects.count() == 1


def test_an_exempt_request_says_it_costs_nothing(
    giulia_client: Client, household: Household
) -> None:
    text = page_text(
        giulia_client.post(
            f"/certificati/richiedi/{household.giulia.pk}/",
            {"kind": "residenza", "use": "iscrizione scolastica", "exemption": "scuola"},
        )
    )
    assert "Nessuno: esente dal bollo (Iscrizione e frequenza di asilo nido" in text
