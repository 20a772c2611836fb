"""Reading PEC messages: which are requests (with the citizen's codice fiscale), which are
receipts, and which an operator must look at, and why."""

from __future__ import annotations

import datetime
import os

import pytest
from stdnum.it import codicefiscale as stdnum_cf

from sportello.accounts.pec.parse import PecKind, pec_parse
from sportello.registry.codice_fiscale import codice_fiscale_compute, codice_fiscale_omocode
from tests.accounts.pec_builder import (
    DEFAULT_SENT_AT,
    PROVIDER_ADDRESS,
    build_p7m,
    build_pec,
    build_plain_email,
    build_receipt,
    build_request_form_pdf,
)

MARIO = "RSSMRA85T10A562S"
ANNA = codice_fiscale_compute(
    last_name="Bianchi",
    first_name="Anna",
    sex="F",
    birth_date=datetime.date(1990, 3, 5),
    birth_place_code="E625",
)
SENDER = "mario.rossi@pec.it"
NO_CODE = "Nessun codice fiscale valido nel messaggio o negli allegati."


def test_the_codes_used_here_are_valid() -> None:
    assert stdnum_cf.is_valid(MARIO)
    assert stdnum_cf.is_valid(ANNA)


def test_request_with_the_codice_fiscale_in_the_body() -> None:
    body = f"Buongiorno,\nchiedo le credenziali. Il mio codice fiscale è {MARIO}.\nMario Rossi"
    message = pec_parse(raw=build_pec(sender=SENDER, subject="Richiesta credenziali", body=body))

    assert message.kind == PecKind.REQUEST
    assert message.codice_fiscale == MARIO
    assert message.sender == SENDER
    assert message.reply_to == SENDER
    assert message.subject == "Richiesta credenziali"
    assert message.received_at == DEFAULT_SENT_AT
    assert message.received_at.utcoffset() == datetime.timedelta(hours=1)
    assert message.text == body
    assert message.attachments == ()
    assert message.reason == ""
    assert message.message_id.startswith("opec210.")
    assert message.message_id.endswith("@pec.provider.it")


def test_request_with_the_codice_fiscale_only_in_the_attached_pdf_form() -> None:
    form = build_request_form_pdf(codice_fiscale=ANNA, first_name="Anna", last_name="Bianchi")
    message = pec_parse(
        raw=build_pec(
            sender="anna.bianchi@pec.it",
            subject="Richiesta credenziali",
            body="Invio in allegato il modulo compilato.",
            attachments=[("modulo-richiesta.pdf", form, "application/pdf")],
        )
    )

    assert message.kind == PecKind.REQUEST
    assert message.codice_fiscale == ANNA
    assert message.sender == "anna.bianchi@pec.it"
    assert message.attachments == ("modulo-richiesta.pdf",)
    assert ANNA not in message.text


def test_request_with_the_form_signed_digitally_as_p7m() -> None:
    signed_form = build_p7m(content=build_request_form_pdf(codice_fiscale=MARIO))
    message = pec_parse(
        raw=build_pec(
            sender=SENDER,
            subject="Richiesta credenziali",
            body="Modulo firmato digitalmente in allegato.",
            attachments=[("modulo.pdf.p7m", signed_form, "application/pkcs7-mime")],
        )
    )

    assert message.kind == PecKind.REQUEST
    assert message.codice_fiscale == MARIO
    assert message.attachments == ("modulo.pdf.p7m",)


def test_request_with_the_codice_fiscale_only_in_a_text_attachment() -> None:
    message = pec_parse(
        raw=build_pec(
            sender=SENDER,
            subject="Richiesta credenziali",
            body="Dati in allegato.",
            attachments=[("dati.txt", f"Codice fiscale: {MARIO}\n".encode(), "text/plain")],
        )
    )

    assert message.kind == PecKind.REQUEST
    assert message.codice_fiscale == MARIO
    assert message.attachments == ("dati.txt",)


def test_lower_case_codice_fiscale_is_normalised() -> None:
    message = pec_parse(
        raw=build_pec(sender=SENDER, subject="credenziali", body=f"cf: {MARIO.lower()} grazie")
    )

    assert message.kind == PecKind.REQUEST
    assert message.codice_fiscale == MARIO


def test_omocode_codice_fiscale_is_accepted_as_written() -> None:
    omocode = codice_fiscale_omocode(codice_fiscale=MARIO, level=3)
    assert stdnum_cf.is_valid(omocode)
    assert omocode != MARIO

    message = pec_parse(
        raw=build_pec(sender=SENDER, subject="Richiesta", body=f"Codice fiscale {omocode}")
    )

    assert message.kind == PecKind.REQUEST
    assert message.codice_fiscale == omocode


def test_codice_fiscale_in_the_subject_or_in_an_html_only_body() -> None:
    from_subject = pec_parse(
        raw=build_pec(sender=SENDER, subject=f"Credenziali per {MARIO}", body="Grazie.")
    )
    html = f"<p>Codice fiscale: <b>{ANNA}</b></p>"
    from_html = pec_parse(
        raw=build_pec(sender=SENDER, subject="Richiesta", body="", html_body=html)
    )

    assert from_subject.codice_fiscale == MARIO
    assert from_html.kind == PecKind.REQUEST
    assert from_html.codice_fiscale == ANNA


def test_wrong_check_character_is_unrecognised_with_the_reason() -> None:
    wrong = MARIO[:15] + "X"
    assert not stdnum_cf.is_valid(wrong)

    message = pec_parse(
        raw=build_pec(sender=SENDER, subject="Richiesta", body=f"Il mio codice è {wrong}")
    )

    assert message.kind == PecKind.UNRECOGNISED
    assert message.codice_fiscale == ""
    assert str(message.reason) == (f"Il codice fiscale {wrong} trovato nel messaggio non è valido.")
    # The operator still sees who wrote and what.
    assert message.sender == SENDER
    assert wrong in message.text


def test_certified_message_without_a_codice_fiscale_is_unrecognised() -> None:
    message = pec_parse(
        raw=build_pec(sender=SENDER, subject="Informazioni", body="Quando apre l'ufficio?")
    )

    assert message.kind == PecKind.UNRECOGNISED
    assert str(message.reason) == NO_CODE
    assert message.text == "Quando apre l'ufficio?"


@pytest.mark.parametrize("tipo", ["avvenuta-consegna", "accettazione", "errore-consegna"])
def test_receipts_are_recognised_even_when_they_carry_a_codice_fiscale(tipo: str) -> None:
    # A full delivery receipt carries the municipality's own letter, which names the citizen.
    raw = build_receipt(tipo=tipo, body=f"Credenziali per il codice fiscale {MARIO}.")

    message = pec_parse(raw=raw)

    assert message.kind == PecKind.RECEIPT
    assert message.codice_fiscale == ""
    assert message.subject == "Le sue credenziali"


def test_ordinary_email_is_not_a_pec() -> None:
    message = pec_parse(
        raw=build_plain_email(
            sender="mario@example.com", subject="Credenziali", body=f"Il mio CF è {MARIO}"
        )
    )

    assert message.kind == PecKind.UNRECOGNISED
    assert str(message.reason) == "Il messaggio non è una PEC: manca daticert.xml."
    assert message.codice_fiscale == ""
    assert message.sender == "mario@example.com"
    assert message.subject == "Credenziali"
    assert message.message_id.endswith("@example.com")


def test_anomaly_envelope_is_not_a_request() -> None:
    raw = build_pec(sender=SENDER, subject="Richiesta", body=f"CF {MARIO}").replace(
        b"X-Trasporto: posta-certificata", b"X-Trasporto: errore"
    )

    message = pec_parse(raw=raw)

    assert message.kind == PecKind.UNRECOGNISED
    assert str(message.reason).startswith("Busta di anomalia")


def test_garbage_is_unrecognised_with_a_stable_id() -> None:
    garbage = os.urandom(2048)

    first = pec_parse(raw=garbage)
    again = pec_parse(raw=garbage)

    assert first.kind == PecKind.UNRECOGNISED
    assert first.reason
    assert first.message_id.startswith("sha256:")
    assert first.message_id == again.message_id
    assert pec_parse(raw=b"").kind == PecKind.UNRECOGNISED


def test_sender_is_the_certified_sender_from_daticert_not_the_envelope_from() -> None:
    raw = build_pec(sender=SENDER, subject="Richiesta", body=f"CF {MARIO}")
    # Providers word the envelope's From differently; daticert.xml certifies the sender.
    raw = raw.replace(b"Per conto di: mario.rossi@pec.it", b"Per conto di: altro@pec.it")
    assert b'From: "Per conto di: altro@pec.it" <posta-certificata@' in raw

    message = pec_parse(raw=raw)

    assert message.sender == SENDER
    assert message.sender != PROVIDER_ADDRESS


def test_postacert_encoded_in_base64_by_the_provider_is_read() -> None:
    message = pec_parse(
        raw=build_pec(sender=SENDER, subject="Richiesta", body=f"CF {MARIO}", postacert_base64=True)
    )

    assert message.kind == PecKind.REQUEST
    assert message.codice_fiscale == MARIO


def test_long_text_is_truncated() -> None:
    body = f"CF {MARIO}\n" + "testo " * 5000

    message = pec_parse(raw=build_pec(sender=SENDER, subject="Richiesta", body=body))

    assert message.kind == PecKind.REQUEST
    assert len(message.text) == 10_000
