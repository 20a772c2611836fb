"""Asking for a certificate online: exempt ones are sealed and handed over at once, verifiable
by anyone; never about someone outside one's registry family; never one that does not apply."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
import segno
from django.test import Client
from pyhanko.sign.validation import SignatureCoverageLevel
from pypdf import PdfReader

from sportello.certificates.models import Certificate, CertificateStatus
from sportello.core.models import AuditEvent
from tests.conftest import ON_CI

from .conftest import (
    PUBLIC_URL,
    Household,
    altered,
    ask,
    demo_root,
    download,
    page_text,
    pdf_text,
    printed_code,
    seal_status,
)


def qr_matrix_in(data: bytes) -> list[list[bool]]:
    """The modules of the QR code printed on the certificate, read from its image as a
    scanner would see them (dark = True)."""
    images = [image.image for page in PdfReader(io.BytesIO(data)).pages for image in page.images]
    squares = [image for image in images if image.width == image.height]
    assert len(squares) == 1, "expected one QR code"
    qr = squares[0]
    grey = qr.convert("L")
    size = None
    for version in range(1, 41):
        modules = 17 + 4 * version + 8  # with the quiet zone of 4 modules each side
        if grey.width % modules == 0:
            size = modules
            break
    assert size, "the image is not a QR code of whole modules"
    step = grey.width // size
    return [
        [
            grey.getpixel((x * step + step // 2, y * step + step // 2)) < 128
            for x in range(4, size - 4)
        ]
        for y in range(4, size - 4)
    ]


def test_exempt_family_certificate_for_oneself_is_sealed_and_verifiable(
    giulia_client: Client, household: Household, demo_seal_dir
) -> None:
    response = ask(
        giulia_client,
        household.giulia,
        "stato_di_famiglia",
        use="uso pensione",
        exemption="pensione",
    )

    assert response.status_code == 302
    assert response["Location"] == "/certificati/"
    history = page_text(giulia_client.get("/certificati/"))
    assert "Certificato rilasciato" in history
    assert "Certificato di stato di famiglia" in history
    certificate = Certificate.objects.get()
    assert certificate.display_code in history
    pdf = download(giulia_client, certificate)
    assert pdf["Content-Type"] == "application/pdf"
    data = pdf.content

    status = seal_status(data, demo_root(demo_seal_dir))
    assert status.bottom_line
    assert status.trusted and status.intact and status.valid
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE

    text = pdf_text(data)
    assert "CERTIFICATO DI STATO DI FAMIGLIA" in text.upper()
    for person in (household.giulia, household.marco, household.luca):
        assert person.codice_fiscale in text
    assert "Esente dall'imposta di bollo: art. 9 Tabella allegato B" in text
    assert "uso pensione" in text
    assert "non può essere prodotto agli organi della pubblica amministrazione" in text
    verify_url = f"{PUBLIC_URL}/certificati/verifica/{certificate.display_code}/"
    assert verify_url in text
    assert printed_code(text) == certificate.display_code
    assert qr_matrix_in(data) == [list(row) for row in segno.make(verify_url, error="m").matrix]

    # Whoever scans the QR code lands on the public page, logged in or not.
    verified = page_text(Client().get(verify_url.removeprefix(PUBLIC_URL)))
    assert "Certificato autentico e valido" in verified
    assert "Certificato di stato di famiglia" in verified
    assert household.giulia.last_name not in verified
    assert household.giulia.codice_fiscale not in verified


@pytest.mark.skipif(
    shutil.which("pdfsig") is None and not ON_CI,
    reason="pdfsig (poppler-utils) is not installed: the check by a second PDF reader is skipped",
)
def test_an_independent_reader_accepts_the_seal_and_spots_a_change(
    giulia_client: Client, household: Household, tmp_path
) -> None:
    assert shutil.which("pdfsig"), "CI=true needs pdfsig: apt-get install poppler-utils"
    ask(giulia_client, household.giulia, "nascita", use="pratica di successione")
    data = download(giulia_client, Certificate.objects.get()).content
    sealed, forged = tmp_path / "sealed.pdf", tmp_path / "forged.pdf"
    sealed.write_bytes(data)
    forged.write_bytes(altered(data))

    good = subprocess.run(["pdfsig", str(sealed)], capture_output=True, text=True, check=True)
    bad = subprocess.run(["pdfsig", str(forged)], capture_output=True, text=True)

    assert "Signature is Valid" in good.stdout
    assert "Total document signed" in good.stdout
    assert "ETSI.CAdES.detached" in good.stdout  # PAdES
    assert "Signature is Valid" not in bad.stdout


def test_a_certificate_about_a_family_member_is_issued_and_audited(
    giulia_client: Client, household: Household
) -> None:
    response = ask(giulia_client, household.luca, "residenza", exemption="scuola")

    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert certificate.subject == household.luca
    assert certificate.status == CertificateStatus.ISSUED
    requested = AuditEvent.objects.get(action="certificate_requested")
    assert requested.actor_label == household.giulia.codice_fiscale
    assert requested.detail["subject_id"] == household.luca.pk
    assert household.luca.codice_fiscale in pdf_text(download(giulia_client, certificate).content)
    assert AuditEvent.objects.filter(action="certificate_downloaded").count() == 1


def test_nobody_outside_the_family_can_be_asked_about(
    giulia_client: Client, household: Household, outsider
) -> None:
    page = giulia_client.get(f"/certificati/richiedi/{outsider.pk}/")
    crafted = ask(giulia_client, outsider, "residenza", exemption="scuola")

    assert page.status_code == 403
    assert crafted.status_code == 403
    assert "solo per te e per chi fa parte della tua famiglia" in page_text(crafted)
    assert outsider.last_name not in page_text(crafted)
    assert not Certificate.objects.exists()
    denied = AuditEvent.objects.filter(action="certificate_subject_denied")
    assert denied.count() == 2
    assert {event.detail["subject_id"] for event in denied} == {outsider.pk}
    assert denied.first().actor_label == household.giulia.codice_fiscale


def test_the_people_offered_are_oneself_and_the_family_only(
    giulia_client: Client, household: Household, outsider
) -> None:
    page = page_text(giulia_client.get("/certificati/richiedi/"))

    for person in (household.giulia, household.marco, household.luca):
        assert f"/certificati/richiedi/{person.pk}/" in page
    assert f"/certificati/richiedi/{outsider.pk}/" not in page


def test_a_certificate_that_does_not_apply_is_neither_offered_nor_issued(
    giulia_client: Client, household: Household
) -> None:
    offered = page_text(giulia_client.get(f"/certificati/richiedi/{household.luca.pk}/"))
    crafted = ask(giulia_client, household.luca, "matrimonio")

    assert "Certificato di stato libero" in offered
    assert "Certificato di matrimonio" not in offered
    assert crafted.status_code == 400
    assert "Il certificato di matrimonio non può essere rilasciato per Luca Bianchi" in page_text(
        crafted
    )
    assert not Certificate.objects.exists()


def test_the_use_must_be_declared(giulia_client: Client, household: Household) -> None:
    response = ask(giulia_client, household.giulia, "residenza", use="  ", exemption="scuola")

    assert response.status_code == 400
    assert "Scrivi per quale uso ti serve il certificato" in page_text(response)
    assert not Certificate.objects.exists()


def test_the_service_is_for_certified_citizens(client: Client, household: Household) -> None:
    response = client.get("/certificati/")

    assert response.status_code == 302
    assert response["Location"] == "/accedi/?next=/certificati/"
