"""A PDF a clerk uploads may carry JavaScript, actions run on opening, programs to launch or
embedded files: none of it reaches the citizen who downloads the copy (pikepdf rewrites it)."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.test import Client
from pikepdf import Array, Dictionary, Name, String
from pypdf import PdfReader

from sportello.documents.models import DocumentCopy, DocumentKind

from .conftest import Family, citizen_client, upload

pytestmark = pytest.mark.django_db

ACTIVE = (b"/JavaScript", b"/JS", b"/OpenAction", b"/EmbeddedFile", b"/Launch", b"/AA")


def active_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.Root.OpenAction = pdf.make_indirect(
        Dictionary(S=Name.JavaScript, JS=String("app.alert('ciao')"))
    )
    script = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String("run()")))
    evil = Dictionary(
        Type=Name.Filespec,
        F=String("evil.exe"),
        EF=Dictionary(F=pdf.make_stream(b"MZ", Type=Name.EmbeddedFile)),
    )
    pdf.Root.Names = Dictionary(
        JavaScript=Dictionary(Names=Array([String("a"), script])),
        EmbeddedFiles=Dictionary(Names=Array([String("evil.exe"), evil])),
    )
    page = pdf.pages[0]
    page.obj.AA = Dictionary(O=Dictionary(S=Name.Launch, F=String("calc.exe")))
    link = Dictionary(
        Type=Name.Annot,
        Subtype=Name.Link,
        Rect=[0, 0, 10, 10],
        A=Dictionary(S=Name.URI, URI=String("https://www.comune.livorno.it/")),
    )
    trap = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[0, 20, 10, 30], A=script)
    attached = Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[0, 40, 10, 50])
    page.obj.Annots = Array([pdf.make_indirect(a) for a in (link, trap, attached)])
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def uncompressed(data: bytes) -> bytes:
    """The file with every stream and object written out plainly, to search its text."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out = io.BytesIO()
        pdf.save(
            out,
            compress_streams=False,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
        )
        return out.getvalue()


def assert_inert(data: bytes) -> None:
    plain = uncompressed(data)
    assert [key for key in ACTIVE if key in plain] == []
    assert b"/FileAttachment" not in plain
    assert b"https://www.comune.livorno.it/" in plain  # an ordinary link stays
    assert len(PdfReader(io.BytesIO(data)).pages) == 1


def test_the_source_really_is_active() -> None:
    plain = uncompressed(active_pdf())
    assert all(key in plain for key in ACTIVE)


def test_an_uploaded_pdf_loses_its_active_content_before_a_citizen_downloads_it(
    clerk_client: Client, family: Family
) -> None:
    response = clerk_client.post(
        "/backoffice/documents/documentcopy/add/",
        {
            "person": family.parent.pk,
            "kind": "carta_identita",
            "description": "",
            "file": upload("scansione.pdf", active_pdf()),
        },
    )
    assert response.status_code == 302
    copy = DocumentCopy.objects.get()
    stored = storages["documents"].open(copy.file.name).read()
    assert_inert(stored)
    assert copy.size == len(stored)

    download = citizen_client(family.parent).get(f"/documenti/{copy.pk}/scarica/")
    assert_inert(b"".join(download.streaming_content))


def test_a_copy_kept_before_the_cleaning_is_cleaned_on_the_way_out(family: Family) -> None:
    data = active_pdf()
    copy = DocumentCopy(
        person=family.parent,
        kind=DocumentKind.IDENTITY_CARD,
        content_type="application/pdf",
        size=len(data),
        sha256="0" * 64,
    )
    copy.file.save("documento.pdf", ContentFile(data))

    download = citizen_client(family.parent).get(f"/documenti/{copy.pk}/scarica/")
    body = b"".join(download.streaming_content)
    assert_inert(body)
    assert int(download["Content-Length"]) == len(body)
