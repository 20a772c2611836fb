"""Confirmation on two channels (Modello Comuni): a certificate issued is said on the page and
in an e-mail to whoever asked for it, with where to download and verify it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from sportello.certificates.models import Certificate

from .conftest import Household, ask, citizen_of

pytestmark = pytest.mark.django_db


def test_an_issued_certificate_is_confirmed_by_e_mail(
    giulia_client: Client, household: Household, django_capture_on_commit_callbacks
) -> None:
    account = citizen_of(household.giulia)
    account.email = "giulia@example.it"
    account.save()
    with django_capture_on_commit_callbacks(execute=True):
        ask(giulia_client, household.giulia, "stato_di_famiglia", exemption="pensione")
    certificate = Certificate.objects.get()
    [message] = mail.outbox
    assert message.to == ["giulia@example.it"]
    assert certificate.display_code in message.subject
    assert "è pronto" in message.body
    assert "/certificati/" in message.body
    assert f"/certificati/verifica/{certificate.display_code}/" in message.body


def test_without_an_address_nothing_is_sent(
    giulia_client: Client, household: Household, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ask(giulia_client, household.giulia, "stato_di_famiglia", exemption="pensione")
    assert Certificate.objects.count() == 1
    assert mail.outbox == []
