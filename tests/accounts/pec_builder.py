"""Realistic PEC messages for tests, as a PEC mailbox receives them (DM 2 novembre 2005).

A certified message is a transport envelope from the sender's provider: multipart/signed
(S/MIME, with a real detached signature by a test provider certificate) around a multipart/mixed
holding the provider's text (plain and HTML), `daticert.xml` and the original message as
`postacert.eml`. Receipts have `X-Ricevuta` and a daticert whose `tipo` names them.
Everything is serialised with CRLF line endings, as on the wire and as IMAP returns it.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from email import policy
from email.message import EmailMessage
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid
from xml.sax.saxutils import escape

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

MUNICIPALITY_PEC = "protocollo@pec.comune.example.it"
PROVIDER_DOMAIN = "pec.provider.it"
PROVIDER_NAME = "Provider PEC S.p.A."
PROVIDER_ADDRESS = f"posta-certificata@{PROVIDER_DOMAIN}"
ITALY_WINTER = datetime.timezone(datetime.timedelta(hours=1))
DEFAULT_SENT_AT = datetime.datetime(2026, 11, 24, 10, 15, 0, tzinfo=ITALY_WINTER)

# (filename, content, MIME type)
Attachment = tuple[str, bytes, str]

RECEIPT_SUBJECTS = {
    "accettazione": "ACCETTAZIONE",
    "non-accettazione": "AVVISO DI NON ACCETTAZIONE",
    "presa-in-carico": "PRESA IN CARICO",
    "avvenuta-consegna": "CONSEGNA",
    "errore-consegna": "AVVISO DI MANCATA CONSEGNA",
    "preavviso-errore-consegna": "AVVISO DI MANCATA CONSEGNA PER SUP. TEMPO MASSIMO",
    "rilevazione-virus": "PROBLEMA DI SICUREZZA",
}


def build_original(
    *,
    sender: str,
    to: str,
    subject: str,
    body: str,
    html_body: str | None = None,
    attachments: Sequence[Attachment] = (),
    sent_at: datetime.datetime = DEFAULT_SENT_AT,
) -> EmailMessage:
    """The message as the citizen wrote it in their PEC webmail."""
    message = EmailMessage()
    message["Date"] = format_datetime(sent_at)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message.set_content(body)
    if html_body is not None:
        message.add_alternative(html_body, subtype="html")
    for filename, content, mime_type in attachments:
        maintype, subtype = mime_type.split("/", 1)
        if maintype == "text":
            message.add_attachment(content.decode("utf-8"), subtype=subtype, filename=filename)
        else:
            message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


def build_daticert(
    *,
    tipo: str,
    sender: str,
    to: str,
    subject: str,
    identifier: str,
    original_id: str,
    sent_at: datetime.datetime = DEFAULT_SENT_AT,
    errore: str = "nessuno",
    delivered_to: str | None = None,
) -> bytes:
    zone = sent_at.strftime("%z")
    delivery = f"    <consegna>{escape(delivered_to)}</consegna>\n" if delivered_to else ""
    receipt = '    <ricevuta tipo="completa" />\n' if tipo == "avvenuta-consegna" else ""
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<postacert tipo="{escape(tipo)}" errore="{escape(errore)}">\n'
        "  <intestazione>\n"
        f"    <mittente>{escape(sender)}</mittente>\n"
        f'    <destinatari tipo="certificato">{escape(to)}</destinatari>\n'
        f"    <risposte>{escape(sender)}</risposte>\n"
        f"    <oggetto>{escape(subject)}</oggetto>\n"
        "  </intestazione>\n"
        "  <dati>\n"
        f"    <gestore-emittente>{escape(PROVIDER_NAME)}</gestore-emittente>\n"
        f'    <data zona="{zone}">\n'
        f"      <giorno>{sent_at:%d/%m/%Y}</giorno>\n"
        f"      <ora>{sent_at:%H:%M:%S}</ora>\n"
        "    </data>\n"
        f"    <identificativo>{escape(identifier)}</identificativo>\n"
        f"    <msgid>{escape(original_id)}</msgid>\n"
        f"{receipt}{delivery}"
        "  </dati>\n"
        "</postacert>\n"
    )
    return xml.encode("utf-8")


def build_pec(
    *,
    sender: str,
    subject: str,
    body: str,
    attachments: Sequence[Attachment] = (),
    tipo: str = "posta-certificata",
    to: str = MUNICIPALITY_PEC,
    html_body: str | None = None,
    sent_at: datetime.datetime = DEFAULT_SENT_AT,
    postacert_base64: bool = False,
) -> bytes:
    """A transport envelope (busta di trasporto) carrying the citizen's message.

    `postacert_base64` imitates providers that base64-encode the message/rfc822 part.
    """
    original = build_original(
        sender=sender,
        to=to,
        subject=subject,
        body=body,
        html_body=html_body,
        attachments=attachments,
        sent_at=sent_at,
    )
    identifier = _identifier(sent_at)
    when = f"{sent_at:%d/%m/%Y} alle ore {sent_at:%H:%M:%S} ({sent_at:%z})"
    text = (
        "Messaggio di posta certificata\n\n"
        f'Il giorno {when} il messaggio\n"{subject}" è stato inviato da "{sender}"\n'
        f"indirizzato a:\n{to}\n"
        "Il testo originale si trova nell'allegato postacert.eml\n"
        f"Identificativo messaggio: {identifier}\n"
        "L'allegato daticert.xml contiene informazioni di servizio sulla trasmissione\n"
    )
    mixed = _provider_part(title="Messaggio di posta certificata", text=text)
    mixed.attach(
        _daticert_part(
            build_daticert(
                tipo=tipo,
                sender=sender,
                to=to,
                subject=subject,
                identifier=identifier,
                original_id=str(original["Message-ID"]),
                sent_at=sent_at,
            )
        )
    )
    mixed.attach(_postacert_part(original, base64_encoded=postacert_base64))
    envelope = _signed(mixed)
    envelope["Return-Path"] = f"<{PROVIDER_ADDRESS}>"
    envelope["Date"] = format_datetime(sent_at)
    envelope["From"] = f'"Per conto di: {sender}" <{PROVIDER_ADDRESS}>'
    envelope["Reply-To"] = sender
    envelope["To"] = to
    envelope["Subject"] = f"POSTA CERTIFICATA: {subject}"
    envelope["Message-ID"] = f"<{identifier}>"
    envelope["X-Riferimento-Message-ID"] = str(original["Message-ID"])
    envelope["X-Trasporto"] = "posta-certificata"
    return envelope.as_bytes(policy=policy.SMTP)


def build_receipt(
    *,
    tipo: str = "avvenuta-consegna",
    sender: str = MUNICIPALITY_PEC,
    recipient: str = "mario.rossi@pec.it",
    subject: str = "Le sue credenziali",
    body: str = "Gentile cittadino, in allegato la lettera con le credenziali.",
    sent_at: datetime.datetime = DEFAULT_SENT_AT,
) -> bytes:
    """A receipt the municipality gets for a PEC it sent: from its own provider (accettazione)
    or from the recipient's (avvenuta-consegna, errori). A delivery receipt is "completa": it
    carries the message that was delivered."""
    original = build_original(
        sender=sender, to=recipient, subject=subject, body=body, sent_at=sent_at
    )
    identifier = _identifier(sent_at)
    label = RECEIPT_SUBJECTS[tipo]
    delivered = tipo == "avvenuta-consegna"
    text = (
        f"Ricevuta di {tipo.replace('-', ' ')}\n\n"
        f"Il giorno {sent_at:%d/%m/%Y} alle ore {sent_at:%H:%M:%S} ({sent_at:%z}) il messaggio\n"
        f'"{subject}" proveniente da "{sender}"\nindirizzato a "{recipient}"\n'
        + ("è stato consegnato nella casella di destinazione.\n" if delivered else "")
        + f"Identificativo messaggio: {identifier}\n"
    )
    mixed = _provider_part(title=f"Ricevuta di {tipo}", text=text)
    mixed.attach(
        _daticert_part(
            build_daticert(
                tipo=tipo,
                sender=sender,
                to=recipient,
                subject=subject,
                identifier=identifier,
                original_id=str(original["Message-ID"]),
                sent_at=sent_at,
                errore="nessuno" if tipo in ("accettazione", "avvenuta-consegna") else "altro",
                delivered_to=recipient if delivered else None,
            )
        )
    )
    if delivered:
        mixed.attach(_postacert_part(original, base64_encoded=False))
    envelope = _signed(mixed)
    envelope["Return-Path"] = f"<{PROVIDER_ADDRESS}>"
    envelope["Date"] = format_datetime(sent_at)
    envelope["From"] = PROVIDER_ADDRESS
    envelope["To"] = sender
    envelope["Subject"] = f"{label}: {subject}"
    envelope["Message-ID"] = f"<{identifier}>"
    envelope["X-Riferimento-Message-ID"] = str(original["Message-ID"])
    envelope["X-Ricevuta"] = tipo
    if delivered:
        envelope["X-TipoRicevuta"] = "completa"
    return envelope.as_bytes(policy=policy.SMTP)


def build_plain_email(*, sender: str, subject: str, body: str, to: str = MUNICIPALITY_PEC) -> bytes:
    """An ordinary e-mail, not certified."""
    message = build_original(sender=sender, to=to, subject=subject, body=body)
    return message.as_bytes(policy=policy.SMTP)


def build_request_form_pdf(
    *, codice_fiscale: str, first_name: str = "Mario", last_name: str = "Rossi"
) -> bytes:
    """The municipality's request form, filled in and saved as PDF."""
    return _request_form_pdf(codice_fiscale, first_name, last_name)


@functools.lru_cache(maxsize=16)
def _request_form_pdf(codice_fiscale: str, first_name: str, last_name: str) -> bytes:
    import weasyprint

    markup = f"""
    <html lang="it"><body>
      <h1>Richiesta di credenziali per i servizi online</h1>
      <p>Al Comune di Example</p>
      <table>
        <tr><th>Cognome</th><td>{escape(last_name)}</td></tr>
        <tr><th>Nome</th><td>{escape(first_name)}</td></tr>
        <tr><th>Codice fiscale</th><td>{escape(codice_fiscale)}</td></tr>
      </table>
      <p>Chiedo il rilascio delle credenziali di accesso allo Sportello del Cittadino.</p>
    </body></html>
    """
    return weasyprint.HTML(string=markup).write_pdf()


def build_p7m(*, content: bytes) -> bytes:
    """A CAdES-style signed file (.p7m): DER CMS signedData with the content inside."""
    certificate, key = _provider_certificate()
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(certificate, key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )


def _identifier(sent_at: datetime.datetime) -> str:
    unique = make_msgid().strip("<>").split("@", 1)[0].replace(".", "")
    return f"opec210.{sent_at:%Y%m%d%H%M%S}.{unique}.1.1@{PROVIDER_DOMAIN}"


def _provider_part(*, title: str, text: str) -> MIMEMultipart:
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText(text, "plain", "utf-8"))
    markup = "<br>\n".join(escape(line) for line in text.splitlines())
    alternative.attach(
        MIMEText(f"<html><body><h3>{escape(title)}</h3>\n{markup}</body></html>", "html", "utf-8")
    )
    mixed = MIMEMultipart("mixed")
    mixed.attach(alternative)
    return mixed


def _daticert_part(data: bytes) -> MIMEApplication:
    part = MIMEApplication(data, "xml", name="daticert.xml")
    part.add_header("Content-Disposition", "inline", filename="daticert.xml")
    return part


def _postacert_part(original: EmailMessage, *, base64_encoded: bool) -> MIMEBase:
    if base64_encoded:
        import base64

        part = MIMENonMultipart("message", "rfc822", name="postacert.eml")
        encoded = base64.encodebytes(original.as_bytes(policy=policy.SMTP)).decode("ascii")
        part.set_payload(encoded)
        part["Content-Transfer-Encoding"] = "base64"
    else:
        part = MIMEMessage(original)
        part.set_param("name", "postacert.eml")
    part.add_header("Content-Disposition", "attachment", filename="postacert.eml")
    return part


def _signed(content: MIMEMultipart) -> MIMEMultipart:
    """multipart/signed with a real detached S/MIME signature of `content`."""
    certificate, key = _provider_certificate()
    signature = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content.as_bytes(policy=policy.SMTP))
        .add_signer(certificate, key, hashes.SHA256())
        .sign(
            serialization.Encoding.DER,
            [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary],
        )
    )
    signed = MIMEMultipart("signed", protocol="application/pkcs7-signature", micalg="sha-256")
    signed.preamble = "This is an S/MIME signed message"
    signed.attach(content)
    signature_part = MIMEApplication(signature, "pkcs7-signature", name="smime.p7s")
    signature_part.add_header("Content-Disposition", "attachment", filename="smime.p7s")
    signed.attach(signature_part)
    return signed


@functools.cache
def _provider_certificate() -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, PROVIDER_NAME),
            x509.NameAttribute(NameOID.COMMON_NAME, f"Posta Certificata {PROVIDER_DOMAIN}"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(PROVIDER_ADDRESS)]), False)
        .sign(key, hashes.SHA256())
    )
    return certificate, key
