"""Shared steps of the alert tests: the form, answering the simulated call, hearing the code."""

from __future__ import annotations

import re

from django.test import Client

from sportello.channels.models import Delivery

MOBILE = "+393331234567"


def form(town, **overrides) -> dict[str, str]:
    fields = {
        "first_name": "Maria",
        "last_name": "Bianchi",
        "mobile": "333 123 4567",
        "email": "maria@example.it",
        "address": f"{town.street.name} {town.number}",
        "language": "it",
        "privacy": "on",
        # Sent from the summary page: «Conferma» (see test_summary for the step before).
        "conferma": "1",
    }
    fields.update(overrides)
    return fields


def answer_call(client: Client, call: Delivery, **fields: str) -> str:
    response = client.post(f"/simulatore-telefono/chiamata/{call.pk}/", {"step": "start", **fields})
    assert response.status_code == 200
    return response.content.decode()


def spoken_code(page: str) -> str:
    match = re.search(r"Il tuo codice è: ((?:\d, ){5}\d)", page)
    assert match, page
    return match.group(1).replace(", ", "")
