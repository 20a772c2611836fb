"""The public check: anyone, without logging in, types the code (or scans the QR code) or uploads
the PDF, and learns only whether it is authentic and valid."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sportello.certificates import rendering
from sportello.certificates.kinds import TYPES
from sportello.certificates.models import Certificate
from sportello.certificates.seal import seal_pdf, seal_reset
from sportello.certificates.selectors import certificate_facts

from .conftest import Household, altered, ask, download, page_text


@pytest.fixture
def issued(giulia_client: Client, household: Household) -> tuple[Certificate, bytes]:
    """Giulia's residence certificate, exempt, and its sealed PDF."""
    ask(giulia_client, household.giulia, "residenza", exemption="scuola")
    certificate = Certificate.objects.get()
    return certificate, download(giulia_client, certificate).content


def check_code(code: str) -> str:
    response = Client().get("/certificati/verifica/", {"codice": code})
    assert response.status_code == 200
    return page_text(response)


def upload(data: bytes, name: str = "certificato.pdf"):
    return Client().post(
        "/certificati/verifica/documento/",
        {"document": SimpleUploadedFile(name, data, content_type="application/pdf")},
    )


def _main_without_echo(page: str) -> str:
    """The page's main content, without the code echoed back in the input box."""
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r'value="[^"]*"', "", main)


def test_unknown_and_malformed_codes_get_the_same_answer(issued) -> None:
    unknown = check_code("ZZZZ-ZZZZ-ZZZZ")
    malformed = check_code("<script>ciao</script>")
    too_long = check_code("7" * 500)

    for page in (unknown, malformed, too_long):
        assert "Certificato non trovato" in page
        assert "Rilasciato il" not in page
    assert _main_without_echo(unknown) == _main_without_echo(malformed)


def test_a_code_typed_loosely_is_still_found(issued) -> None:
    certificate, _data = issued
    typed = " ".join(certificate.code.lower()).replace("0", "o").replace("1", "l")

    page = check_code(typed)

    assert "Certificato autentico e valido" in page
    assert certificate.display_code in page


def test_an_expired_certificate_is_authentic_but_expired(issued) -> None:
    certificate, _data = issued
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_until=datetime.date.today() - datetime.timedelta(days=1)
    )

    page = check_code(certificate.display_code)

    assert "Certificato autentico, ma scaduto" in page


def test_too_many_checks_from_one_address_are_slowed_down(issued, settings) -> None:
    settings.SPORTELLO_CERTIFICATE_VERIFY_LIMIT = 3
    client = Client()
    for _ in range(3):
        assert client.get("/certificati/verifica/ZZZZ-ZZZZ-ZZZZ/").status_code == 200

    response = client.get("/certificati/verifica/ZZZZ-ZZZZ-ZZZZ/")

    assert response.status_code == 429
    assert "Troppe verifiche" in page_text(response)
    assert "Certificato non trovato" not in page_text(response)


def test_the_uploaded_original_is_authentic(issued) -> None:
    _certificate, data = issued

    page = page_text(upload(data))

    assert "Certificato autentico e valido" in page
    assert "Certificato di residenza" in page


def test_a_copy_changed_by_one_byte_is_not_valid(issued) -> None:
    _certificate, data = issued

    page = page_text(upload(altered(data)))

    assert "Documento non valido" in page
    assert "Certificato autentico" not in page


def test_a_file_that_is_not_a_pdf_or_too_big_is_refused(issued, settings) -> None:
    _certificate, data = issued
    not_pdf = upload(b"GIF89a pretending", "certificato.pdf")
    settings.SPORTELLO_CERTIFICATE_UPLOAD_MAX_BYTES = 1024
    too_big = upload(data)

    assert not_pdf.status_code == 400
    assert "Il file non è un PDF" in page_text(not_pdf)
    assert too_big.status_code == 400
    assert "Il file è troppo grande" in page_text(too_big)
    # The form says the limit before anyone tries.
    assert "al massimo 1,0\xa0KB" in page_text(Client().get("/certificati/verifica/documento/"))


def test_an_unsealed_pdf_is_not_a_certificate(issued, giulia_client: Client) -> None:
    unsealed = giulia_client.post("/certificati/autocertificazione/", {"kind": "residenza"})

    page = page_text(upload(unsealed.content))

    assert "non ha un sigillo elettronico" in page


def _sealed_with_code(certificate: Certificate) -> bytes:
    """A PDF made like a certificate and sealed with the configured seal, for `certificate`
    (which need not exist in the database)."""
    certificate_type = TYPES[certificate.kind]
    pdf = rendering.certificate_pdf(
        certificate=certificate,
        certificate_type=certificate_type,
        facts=certificate_facts(person=certificate.subject, certificate_type=certificate_type),
        verify_url="https://example.invalid/",
    )
    return seal_pdf(pdf, location="Valdoria", reason="prova")


def test_a_valid_seal_on_an_unknown_code_is_reported(issued) -> None:
    certificate, _data = issued
    ghost = Certificate(
        code="ZZZZZZZZZZZZ",
        kind=certificate.kind,
        subject=certificate.subject,
        use="prova",
        issued_at=certificate.issued_at,
        valid_until=certificate.valid_until,
    )

    page = page_text(upload(_sealed_with_code(ghost)))

    assert "Documento non valido" in page
    assert "il codice del certificato non risulta tra quelli rilasciati" in page


def test_a_second_file_with_a_real_code_is_not_the_certificate(issued) -> None:
    certificate, _data = issued

    page = page_text(upload(_sealed_with_code(certificate)))

    assert "il file non è quello rilasciato con questo codice" in page


def test_a_seal_from_another_authority_is_not_the_comunes(
    issued, settings, foreign_seal_dir
) -> None:
    certificate, _data = issued
    settings.SPORTELLO_SEAL = {**settings.SPORTELLO_SEAL, "demo_dir": foreign_seal_dir}
    forged = _sealed_with_code(certificate)
    settings.SPORTELLO_SEAL = {
        **settings.SPORTELLO_SEAL,
        "demo_dir": foreign_seal_dir.parent / "missing",
        "trust_roots_file": None,
    }
    seal_reset()

    page = page_text(upload(forged))

    assert "Il sigillo elettronico non è quello del Comune" in page
