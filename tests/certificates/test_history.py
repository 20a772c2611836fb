"""«I miei certificati»: what the citizen asked for, downloadable again while valid; expired ones
listed without the download; nobody else's."""

from __future__ import annotations

import datetime

from django.test import Client

from sportello.certificates.models import Certificate

from .conftest import Household, ask, citizen_of, download, page_text


def test_valid_certificates_download_again_and_expired_ones_do_not(
    giulia_client: Client, household: Household
) -> None:
    ask(giulia_client, household.giulia, "residenza", exemption="pensione")
    ask(giulia_client, household.luca, "stato_civile", exemption="scuola")
    old, recent = Certificate.objects.order_by("pk")
    Certificate.objects.filter(pk=old.pk).update(valid_until=datetime.date(2020, 1, 31))

    history = page_text(giulia_client.get("/certificati/"))

    assert "Scaduto il 31/01/2020" in history
    assert f"/certificati/{old.pk}/pdf/" not in history
    assert f"/certificati/{recent.pk}/pdf/" in history
    assert "Luca Bianchi" in history
    assert download(giulia_client, old).status_code == 302
    assert download(giulia_client, recent).status_code == 200
    assert download(giulia_client, recent).content.startswith(b"%PDF-")


def test_nobody_sees_or_downloads_someone_elses_certificates(
    giulia_client: Client, household: Household
) -> None:
    ask(giulia_client, household.giulia, "residenza", exemption="pensione")
    certificate = Certificate.objects.get()
    marco = Client()
    marco.force_login(citizen_of(household.marco))

    assert certificate.display_code not in page_text(marco.get("/certificati/"))
    assert download(marco, certificate).status_code == 404
