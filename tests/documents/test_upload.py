"""Registry clerks upload copies in the back-office: the real type is read from the content,
the size is limited, and what fails a check is not stored."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.storage import storages
from django.test import Client

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.core.models import AuditEvent
from sportello.documents.checks import documents_storage_private
from sportello.documents.models import DocumentCopy

from .conftest import Family, keep_copy, pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db

ADD = "/backoffice/documents/documentcopy/add/"


def post_copy(client: Client, person, file, **fields: str):
    data = {"person": person.pk, "kind": "carta_identita", "description": "", "file": file}
    return client.post(ADD, {**data, **fields})


def form_errors(response) -> str:
    assert response.status_code == 200, "the upload was accepted"
    errors = response.context["adminform"].form.errors
    return " ".join(message for messages in errors.values() for message in messages)


def test_a_clerk_uploads_a_pdf_copy(clerk_client: Client, family: Family) -> None:
    content = pdf_bytes()

    response = post_copy(
        clerk_client, family.parent, upload("scansione.PDF", content), description="fronte"
    )

    assert response.status_code == 302
    copy = DocumentCopy.objects.get()
    assert (copy.person, copy.kind, copy.description) == (family.parent, "carta_identita", "fronte")
    assert (copy.content_type, copy.size) == ("application/pdf", len(content))
    assert copy.sha256 == hashlib.sha256(content).hexdigest()
    assert copy.file.name.endswith(".pdf") and family.parent.codice_fiscale not in copy.file.name
    assert storages["documents"].open(copy.file.name).read() == content
    assert AuditEvent.objects.filter(action="document_copy_upload").count() == 1


def test_the_type_comes_from_the_content_not_the_name(clerk_client: Client, family: Family) -> None:
    response = post_copy(clerk_client, family.parent, upload("foto.pdf", png_bytes()))

    assert response.status_code == 302
    copy = DocumentCopy.objects.get()
    assert copy.content_type == "image/png"
    assert copy.file.name.endswith(".png")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" * 64, id="program"),
        pytest.param("Carta d'identità di Mario Rossi\n".encode() * 20, id="text"),
    ],
)
def test_a_renamed_program_or_text_file_is_refused(
    clerk_client: Client, family: Family, content: bytes
) -> None:
    response = post_copy(clerk_client, family.parent, upload("carta.pdf", content))

    assert "non è un PDF né un'immagine JPEG o PNG" in form_errors(response)
    assert "rinominarlo non basta" in form_errors(response)
    assert not DocumentCopy.objects.exists()
    assert not storages["documents"].listdir("")[1]


def test_a_file_over_10_mb_is_refused(clerk_client: Client, family: Family) -> None:
    content = pdf_bytes() + b"\n%" + b"0" * (10 * 1024 * 1024)

    response = post_copy(clerk_client, family.parent, upload("grande.pdf", content))

    errors = form_errors(response)
    assert "Il file è troppo grande (10,1 MB): il massimo è 10 MB" in errors
    assert not DocumentCopy.objects.exists()


def test_a_damaged_pdf_is_refused(clerk_client: Client, family: Family) -> None:
    response = post_copy(
        clerk_client, family.parent, upload("rotto.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 100)
    )

    assert "sembra un PDF ma è danneggiato" in form_errors(response)
    assert not DocumentCopy.objects.exists()


def test_a_clerk_opens_a_copy_and_the_access_is_audited(
    clerk_client: Client, family: Family
) -> None:
    copy = keep_copy(family.minor)

    response = clerk_client.get(f"/documenti/ufficio/{copy.pk}/scarica/")

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    event = AuditEvent.objects.get(action="document_copy_download")
    assert (event.actor.username, event.channel) == ("anagrafe", "backoffice")


def test_a_counter_operator_cannot_open_copies(family: Family) -> None:
    copy = keep_copy(family.parent)
    operator = User.objects.create_user("sportello", is_staff=True)
    operator.groups.add(Group.objects.get(name=Role.COUNTER_OPERATOR))
    client = Client()
    client.force_login(operator)

    assert client.get(f"/documenti/ufficio/{copy.pk}/scarica/").status_code == 403
    assert client.get(ADD).status_code == 403


def test_removing_a_copy_removes_its_file(
    clerk_client: Client, family: Family, django_capture_on_commit_callbacks
) -> None:
    copy = keep_copy(family.parent)
    name = copy.file.name

    with django_capture_on_commit_callbacks(execute=True):
        response = clerk_client.post(
            f"/backoffice/documents/documentcopy/{copy.pk}/delete/", {"post": "yes"}
        )

    assert response.status_code == 302
    assert not DocumentCopy.objects.exists()
    assert not storages["documents"].exists(name)


def test_the_storage_must_not_be_inside_the_web_root(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media" / "private")},
        },
    }

    [error] = documents_storage_private(None)

    assert error.id == "sportello.documents.E002"
