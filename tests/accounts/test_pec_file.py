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
