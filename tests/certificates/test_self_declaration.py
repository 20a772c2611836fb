"""Self-declaration (DPR 445/2000 art. 46): the same facts, in a form filled in from the
registry for the citizen to sign; not sealed, free, with the warning about false statements."""

from __future__ import annotations

import io

from django.test import Client
from pypdf import PdfReader

from sportello.certificates.models import Certificate

from .conftest import Household, page_text, pdf_text


def test_a_filled_in_family_declaration_to_sign(
    giulia_client: Client, household: Household
) -> None:
    response = giulia_client.post("/certificati/autocertificazione/", {"kind": "stato_di_famiglia"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Dichiarazione sostitutiva di certificazione" in text
    assert "art. 46" in text
    assert "La sottoscritta Giulia Ferretti" in text
    for person in (household.giulia, household.marco, household.luca):
        assert person.codice_fiscale in text
    assert "art. 76" in text
    assert "Firma del dichiarante" in text
    assert PdfReader(io.BytesIO(response.content)).get_fields() is None  # no seal
    assert not Certificate.objects.exists()


def test_only_what_applies_is_offered_and_accepted(
    giulia_client: Client, household: Household
) -> None:
    page = page_text(giulia_client.get("/certificati/autocertificazione/"))
    crafted = giulia_client.post("/certificati/autocertificazione/", {"kind": "stato_libero"})

    assert "Matrimonio" in page
    assert "Stato libero" not in page
    assert crafted.status_code == 400
    assert "Secondo l'anagrafe non puoi dichiarare questo fatto (stato libero)" in page_text(
        crafted
    )
