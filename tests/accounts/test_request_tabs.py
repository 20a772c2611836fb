"""The counter's queue of credential requests: each state's tab shows one number, how many
requests are in it."""

from __future__ import annotations

import re

import pytest

from sportello.accounts.models import CredentialRequest, RequestChannel, RequestStatus

pytestmark = pytest.mark.django_db


def test_each_tab_shows_how_many_requests_it_holds(admin_client) -> None:
    for status, count in ((RequestStatus.PENDING, 3), (RequestStatus.REJECTED, 1)):
        for _ in range(count):
            CredentialRequest.objects.create(channel=RequestChannel.ONLINE, status=status)

    page = admin_client.get("/operatori/richieste/").content.decode()

    tabs = {
        label.strip(): number
        for label, number in re.findall(
            r'href="\?stato=\w+"[^>]*>([^<]+)<span class="badge[^"]*">(\d+)</span>', page
        )
    }
    assert tabs == {
        "Da lavorare": "3",
        "Credenziali rilasciate": "0",
        "Respinta": "1",
        "Archiviato": "0",
    }
