"""`sportello pec_file`: a PEC request tried on a local run, from the bundled sample."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from sportello.accounts.models import CredentialRequest, RequestChannel

pytestmark = pytest.mark.django_db


def test_the_sample_pec_is_filed_with_its_attachment(settings) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    out = io.StringIO()
    call_command("pec_file", stdout=out)
    filed = CredentialRequest.objects.get()
    assert filed.channel == RequestChannel.PEC
    assert filed.certified_sender == "mario.rossi@pec.example.it"
    assert [f.filename for f in filed.files.all()] == ["carta-identita.pdf"]
    assert f"/operatori/richieste/{filed.pk}/" in out.getvalue()
    call_command("pec_file", stdout=io.StringIO())  # the same message is not filed twice
    assert CredentialRequest.objects.count() == 1


def test_the_sample_pec_comes_from_a_resident_of_the_demo_town(settings) -> None:
    """On the demo, the clerk finds the sample's codice fiscale in the registry and can issue."""
    from sportello.accounts.demo import PEC_SAMPLE_SENDER
    from sportello.registry.models import Person

    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    call_command("demo", "--citizens", "20", "--seed", "1", stdout=io.StringIO())
    assert Person.objects.count() == 20  # the town keeps its size
    call_command("pec_file", stdout=io.StringIO())

    filed = CredentialRequest.objects.get(channel=RequestChannel.PEC)
    sender = Person.objects.get(codice_fiscale=PEC_SAMPLE_SENDER["codice_fiscale"])
    assert filed.codice_fiscale == sender.codice_fiscale
    assert filed.person == sender
    assert (sender.first_name, sender.last_name) == ("Mario", "Rossi")
    assert sender.residence is not None and not hasattr(sender, "account")
