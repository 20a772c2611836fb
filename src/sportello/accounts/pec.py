"""Certified e-mail (PEC) as it arrives in the municipality's mailbox, read to find requests for
login credentials.

What a PEC mailbox receives (DM 2 novembre 2005, "Regole tecniche del servizio di trasmissione di
documenti informatici mediante posta elettronica certificata"):

- a transport envelope (busta di trasporto): a message from the sender's provider, signed with
  S/MIME (multipart/signed), with `X-Trasporto: posta-certificata`, From «"Per conto di: <sender>"
  <posta-certificata@provider>», and the subject prefixed with «POSTA CERTIFICATA:». Inside: the
  provider's text (plain and HTML), `daticert.xml` (who sent it, to whom, when, its identifier)
  and the original message as `postacert.eml` (message/rfc822);
- receipts (ricevute: accettazione, avvenuta-consegna, errore-consegna, ...) with
  `X-Ricevuta: <tipo>` and a `daticert.xml` whose `tipo` names the receipt; a full delivery
  receipt also carries the original message;
- anomaly envelopes (busta di anomalia, `X-Trasporto: errore`): an ordinary e-mail, or one that
  failed the provider's checks, wrapped by the recipient's provider. They are not certified.

`pec_parse()` turns the raw bytes into a `PecMessage`: a request when it is a certified message
in which a valid codice fiscale is found (subject, body, text or PDF attachments, also inside
signed `.p7m` files), a receipt, or something an operator has to look at, with the reason.
The provider's S/MIME signature is not verified here: the mailbox is the provider's, and messages
that did not travel as PEC arrive as anomaly envelopes.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import html
import io
import logging
import quopri
import re
import xml.etree.ElementTree as ET  # noqa: S405 - see _daticert_parse
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from django.db import models
from django.utils.functional import Promise
from django.utils.html import strip_tags
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from sportello.core.exceptions import ApplicationError
from sportello.registry.codice_fiscale import codice_fiscale_validate

logger = logging.getLogger(__name__)

TEXT_LIMIT = 10_000
MESSAGE_ID_LIMIT = 255
# Limits on what is read to look for a codice fiscale: a request is a page or two.
DATICERT_LIMIT = 256 * 1024
ATTACHMENT_LIMIT = 15 * 1024 * 1024
PDF_PAGE_LIMIT = 10
SCAN_TEXT_LIMIT = 200_000
NESTING_LIMIT = 20
P7M_NESTING_LIMIT = 3

CERTIFIED_MESSAGE = "posta-certificata"
RECEIPT_TYPES = frozenset(
    {
        "accettazione",
        "non-accettazione",
        "presa-in-carico",
        "avvenuta-consegna",
        "errore-consegna",
        "preavviso-errore-consegna",
        "rilevazione-virus",
    }
)
ANOMALY_TRANSPORT = "errore"
ITALIAN_TIME = zoneinfo.ZoneInfo("Europe/Rome")

# Sixteen characters; the seven digit positions may hold the omocodia letters L-V.
_DIGIT = "[0-9LMNPQRSTUV]"
_CF_CANDIDATE = re.compile(
    rf"(?<![A-Z0-9])[A-Z]{{6}}{_DIGIT}{{2}}[ABCDEHLMPRST]{_DIGIT}{{2}}[A-Z]{_DIGIT}{{3}}[A-Z]"
    r"(?![A-Z0-9])"
)
_ON_BEHALF = re.compile(r"per\s+conto\s+di\s*:?\s*(\S+@[^\s>\"]+)", re.IGNORECASE)
_SUBJECT_PREFIX = re.compile(r"^\s*POSTA\s+CERTIFICATA\s*:\s*", re.IGNORECASE)
_ZONE = re.compile(r"([+-])(\d{2}):?(\d{2})")
_HTML_DROP = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_BREAK = re.compile(r"<\s*(br|/p|/div|/tr|/li|/h\d)\b[^>]*>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n\s*\n\s*(\n\s*)+")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_TEXT_EXTENSIONS = (".txt", ".text", ".csv", ".xml", ".html", ".htm")
# OID 1.2.840.113549.1.7.2 (CMS signedData), DER-encoded.
_SIGNED_DATA_OID = bytes.fromhex("2a864886f70d010702")


class PecKind(models.TextChoices):
    REQUEST = "request", _("Richiesta")
    RECEIPT = "receipt", _("Ricevuta PEC")
    UNRECOGNISED = "unrecognised", _("Non riconosciuto")


@dataclass(frozen=True)
class PecMessage:
    """What the municipality needs to know about one message of the PEC mailbox.

    `message_id` identifies the message for deduplication: the envelope's Message-ID without
    angle brackets, else the PEC identifier, else «sha256:<hash of the raw bytes>»; a value
    longer than 255 characters is replaced by «sha256:<hash of it>».
    `codice_fiscale` is set only for requests; `reason` only for unrecognised messages.
    """

    kind: PecKind
    message_id: str
    sender: str = ""
    reply_to: str = ""
    subject: str = ""
    received_at: datetime.datetime | None = None
    codice_fiscale: str = ""
    text: str = ""
    reason: str | Promise = ""
    attachments: tuple[str, ...] = ()
    # The attached files themselves (not nested messages), for the clerk to open.
    files: tuple[PecAttachment, ...] = ()


@dataclass(frozen=True)
class _Daticert:
    tipo: str
    errore: str
    mittente: str
    risposte: str
    oggetto: str
    identificativo: str
    received_at: datetime.datetime | None


@dataclass
class PecAttachment:
    filename: str
    content_type: str
    charset: str | None
    data: bytes


@dataclass
class _Content:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[PecAttachment] = field(default_factory=list)
    attachment_names: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        text = "\n\n".join(self.plain) if self.plain else "\n\n".join(self.html)
        return text.strip()[:TEXT_LIMIT]


def pec_parse(*, raw: bytes) -> PecMessage:
    """Classify one raw message of the PEC mailbox. Never raises on bad input: what cannot be
    read is UNRECOGNISED, with the reason."""
    try:
        return _parse(raw=raw)
    except Exception:
        logger.exception("a message of the PEC mailbox could not be parsed")
        return PecMessage(
            kind=PecKind.UNRECOGNISED,
            message_id=_hash_id(raw),
            reason=_("Il messaggio è malformato e non può essere letto."),
        )


def _parse(*, raw: bytes) -> PecMessage:
    envelope = BytesParser(policy=policy.default).parsebytes(raw)
    message_id = _message_id(value=_header(envelope, "Message-ID"), raw=raw)
    if not envelope.keys():
        return PecMessage(
            kind=PecKind.UNRECOGNISED,
            message_id=message_id,
            reason=_("Il contenuto non è un messaggio di posta elettronica."),
        )

    transport = _header(envelope, "X-Trasporto").lower()
    receipt_header = _header(envelope, "X-Ricevuta").lower()
    daticert_data, original = _envelope_parts(envelope)
    daticert = _daticert_parse(data=daticert_data) if daticert_data is not None else None
    if daticert is not None and not _header(envelope, "Message-ID"):
        message_id = _message_id(value=daticert.identificativo, raw=raw)

    common = {
        "message_id": message_id,
        "sender": _sender(envelope=envelope, daticert=daticert, original=original),
        "subject": _subject(envelope=envelope, daticert=daticert, original=original),
        "received_at": (daticert.received_at if daticert else None) or _date(envelope),
    }
    common["reply_to"] = (
        _reply_to(envelope=envelope, daticert=daticert, original=original) or (common["sender"])
    )

    def unrecognised(reason: str | Promise, content_of: Message) -> PecMessage:
        content = _content(message=content_of, descend=content_of is original)
        return PecMessage(
            kind=PecKind.UNRECOGNISED,
            text=content.text,
            attachments=tuple(content.attachment_names),
            files=tuple(content.attachments),
            reason=reason,
            **common,
        )

    if transport == ANOMALY_TRANSPORT:
        return unrecognised(
            _(
                "Busta di anomalia: il gestore PEC non ha potuto certificare il messaggio, che "
                "potrebbe non provenire da una casella PEC."
            ),
            original or envelope,
        )
    tipo = daticert.tipo if daticert else receipt_header
    if tipo in RECEIPT_TYPES:
        envelope_content = _content(message=envelope, descend=False)
        return PecMessage(
            kind=PecKind.RECEIPT,
            text=envelope_content.text,
            attachments=tuple(envelope_content.attachment_names),
            files=tuple(envelope_content.attachments),
            **common,
        )
    if daticert_data is None:
        return unrecognised(_("Il messaggio non è una PEC: manca daticert.xml."), envelope)
    if daticert is None:
        return unrecognised(
            _("Il file daticert.xml della PEC non è leggibile."), original or envelope
        )
    if tipo != CERTIFIED_MESSAGE:
        return unrecognised(
            format_lazy(_("Tipo di PEC sconosciuto: «{tipo}»."), tipo=tipo[:50]),
            original or envelope,
        )
    if original is None:
        return unrecognised(
            _("La PEC non contiene il messaggio originale (postacert.eml)."), envelope
        )

    content = _content(message=original, descend=True)
    code, invalid = _codice_fiscale_find(
        texts=_codice_fiscale_sources(subject=common["subject"], content=content)
    )
    if not code:
        reason = (
            format_lazy(
                _("Il codice fiscale {code} trovato nel messaggio non è valido."), code=invalid
            )
            if invalid
            else _("Nessun codice fiscale valido nel messaggio o negli allegati.")
        )
        return unrecognised(reason, original)
    return PecMessage(
        kind=PecKind.REQUEST,
        codice_fiscale=code,
        text=content.text,
        attachments=tuple(content.attachment_names),
        files=tuple(content.attachments),
        **common,
    )


# --- Headers and addresses ------------------------------------------------------------------


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header the parser cannot make sense of counts as missing
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _address(value: str) -> str:
    """The first e-mail address in a header value or daticert field, lower case."""
    try:
        pairs = getaddresses([value])
    except Exception:
        return ""
    for _name, address in pairs:
        if "@" in address:
            return address.strip().lower()
    return ""


def _hash_id(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _message_id(*, value: str, raw: bytes) -> str:
    value = value.strip().strip("<>").strip()
    if not value:
        return _hash_id(raw)
    if len(value) > MESSAGE_ID_LIMIT:
        return _hash_id(value.encode("utf-8", "replace"))
    return value


def _sender(*, envelope: Message, daticert: _Daticert | None, original: Message | None) -> str:
    if daticert and (address := _address(daticert.mittente)):
        return address
    from_value = _header(envelope, "From")
    if match := _ON_BEHALF.search(from_value):
        return _address(match.group(1))
    if original is not None and (address := _address(_header(original, "From"))):
        return address
    return _address(from_value)


def _reply_to(*, envelope: Message, daticert: _Daticert | None, original: Message | None) -> str:
    if daticert and (address := _address(daticert.risposte)):
        return address
    if address := _address(_header(envelope, "Reply-To")):
        return address
    if original is not None:
        return _address(_header(original, "Reply-To"))
    return ""


def _subject(*, envelope: Message, daticert: _Daticert | None, original: Message | None) -> str:
    if daticert and daticert.oggetto:
        return daticert.oggetto
    if original is not None and (subject := _header(original, "Subject")):
        return subject
    return _SUBJECT_PREFIX.sub("", _header(envelope, "Subject"))


def _date(message: Message) -> datetime.datetime | None:
    value = _header(message, "Date")
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # «-0000»: UTC, local zone unknown
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


# --- The envelope's parts and daticert.xml --------------------------------------------------


def _filename(part: Message) -> str:
    try:
        return (part.get_filename() or "").strip()
    except Exception:
        return ""


def _envelope_parts(envelope: Message) -> tuple[bytes | None, Message | None]:
    """daticert.xml and the original message, from the envelope's own parts (never from inside
    an attached message, which anyone could have written)."""
    daticert: bytes | None = None
    named_original: Message | None = None
    first_original: Message | None = None
    stack: list[tuple[Message, int]] = [(envelope, 0)]
    while stack:
        part, depth = stack.pop(0)
        if depth > NESTING_LIMIT:
            continue
        name = _filename(part).lower()
        if part.get_content_type() == "message/rfc822" or name == "postacert.eml":
            inner = _attached_message(part)
            if inner is not None:
                first_original = first_original or inner
                if name == "postacert.eml" and named_original is None:
                    named_original = inner
            continue
        if part.is_multipart():
            stack.extend((sub, depth + 1) for sub in part.get_payload())
            continue
        if name == "daticert.xml" and daticert is None:
            daticert = part.get_payload(decode=True) or b""
    return daticert, named_original or first_original


def _attached_message(part: Message) -> Message | None:
    """The message inside a message/rfc822 part, also when a provider encoded it in base64 or
    sent it as application/octet-stream."""
    if part.get_content_type() != "message/rfc822":
        data = part.get_payload(decode=True)
        return BytesParser(policy=policy.default).parsebytes(data) if data else None
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        return None
    encoding = _header(part, "Content-Transfer-Encoding").lower()
    if not inner.keys() and encoding in ("base64", "quoted-printable"):
        # The parser read the encoded text as a message without headers: decode and re-read.
        encoded = inner.get_payload()
        if isinstance(encoded, str):
            data = _decode_transfer(encoded=encoded, encoding=encoding)
            if data:
                return BytesParser(policy=policy.default).parsebytes(data)
    return inner


def _decode_transfer(*, encoded: str, encoding: str) -> bytes:
    try:
        if encoding == "base64":
            return base64.b64decode(encoded.encode("ascii", "ignore"))
        return quopri.decodestring(encoded.encode("ascii", "ignore"))
    except (binascii.Error, ValueError):
        return b""


def _local_name(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower()


def _daticert_parse(*, data: bytes) -> _Daticert | None:
    """The fields of daticert.xml, or None when it is not a readable `postacert` document.

    The standard library's parser is used on a document that declares no entities (which are
    refused); with expat >= 2.4 entity amplification is limited anyway. A DOCTYPE naming the
    DTD is fine: external DTDs are never fetched.
    """
    if len(data) > DATICERT_LIMIT or _ENTITY_DECLARATION.search(data):
        return None
    try:
        root = ET.fromstring(data)  # noqa: S314 - entity declarations refused above
    except ET.ParseError:
        # Some providers declare UTF-8 and write ISO-8859-1.
        text = re.sub(r"^\s*<\?xml[^>]*\?>", "", data.decode("iso-8859-1"))
        try:
            root = ET.fromstring(text)  # noqa: S314 - entity declarations refused above
        except ET.ParseError:
            return None
    if _local_name(root.tag) != "postacert":
        return None

    def first(name: str) -> ET.Element | None:
        return next((el for el in root.iter() if _local_name(el.tag) == name), None)

    def text_of(name: str) -> str:
        element = first(name)
        return " ".join("".join(element.itertext()).split()) if element is not None else ""

    return _Daticert(
        tipo=(root.get("tipo") or "").strip().lower(),
        errore=(root.get("errore") or "").strip().lower(),
        mittente=text_of("mittente"),
        risposte=text_of("risposte"),
        oggetto=text_of("oggetto"),
        identificativo=text_of("identificativo"),
        received_at=_daticert_moment(
            element=first("data"), day=text_of("giorno"), time=text_of("ora")
        ),
    )


def _daticert_moment(
    *, element: ET.Element | None, day: str, time: str
) -> datetime.datetime | None:
    """«<data zona="+0100"><giorno>24/11/2026</giorno><ora>10:15:00</ora></data>»."""
    try:
        moment = datetime.datetime.strptime(f"{day} {time}", "%d/%m/%Y %H:%M:%S")
    except ValueError:
        return None
    zone = (element.get("zona") or "") if element is not None else ""
    match = _ZONE.fullmatch(zone.strip())
    if match is None:  # PEC times are Italian times
        return moment.replace(tzinfo=ITALIAN_TIME)
    sign = -1 if match.group(1) == "-" else 1
    offset = datetime.timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
    if offset >= datetime.timedelta(hours=24):
        return moment.replace(tzinfo=ITALIAN_TIME)
    return moment.replace(tzinfo=datetime.timezone(sign * offset))


# --- The message's text and attachments -----------------------------------------------------


def _leaves(part: Message, *, descend: bool, depth: int = 0) -> Iterator[Message]:
    """The leaf parts in order; an attached message is yielded itself and, when `descend`,
    followed by its own parts."""
    if depth > NESTING_LIMIT:
        return
    if part.get_content_type() == "message/rfc822":
        yield part
        if descend:
            inner = _attached_message(part)
            if inner is not None:
                yield from _leaves(inner, descend=descend, depth=depth + 1)
        return
    if part.is_multipart():
        for sub in part.get_payload():
            yield from _leaves(sub, descend=descend, depth=depth + 1)
        return
    yield part


def _part_text(part: Message) -> str:
    data = part.get_payload(decode=True) or b""
    return _decode_text(data=data[: SCAN_TEXT_LIMIT * 4], charset=part.get_content_charset())


def _decode_text(*, data: bytes, charset: str | None) -> str:
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return data.decode(candidate).replace("\r\n", "\n")
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", "replace").replace("\r\n", "\n")


def _html_text(markup: str) -> str:
    markup = _HTML_DROP.sub(" ", markup[:SCAN_TEXT_LIMIT])
    markup = _HTML_BREAK.sub("\n", markup)
    text = html.unescape(strip_tags(markup))
    text = "\n".join(line.strip() for line in text.splitlines())
    return _BLANK_LINES.sub("\n\n", text).strip()


def _content(*, message: Message, descend: bool) -> _Content:
    content = _Content()
    for part in _leaves(message, descend=descend):
        name = _filename(part)
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            if name:
                content.attachment_names.append(name)
            continue
        if name or part.get_content_disposition() == "attachment":
            if name:
                content.attachment_names.append(name)
            data = part.get_payload(decode=True) or b""
            content.attachments.append(
                PecAttachment(
                    filename=name,
                    content_type=content_type,
                    charset=part.get_content_charset(),
                    data=data,
                )
            )
        elif content_type == "text/plain":
            content.plain.append(_part_text(part).strip())
        elif content_type == "text/html":
            content.html.append(_html_text(_part_text(part)))
    return content


# --- Codice fiscale -------------------------------------------------------------------------


def _codice_fiscale_sources(*, subject: str, content: _Content) -> Iterator[str]:
    """Texts to search, in order; attachments are read only if nothing was found before."""
    yield subject
    yield from content.plain
    yield from content.html
    for attachment in content.attachments:
        yield _attachment_text(attachment)


def _codice_fiscale_find(*, texts: Iterator[str]) -> tuple[str, str]:
    """The first valid codice fiscale, and the first invalid-looking candidate (for the reason)."""
    invalid = ""
    for text in texts:
        for match in _CF_CANDIDATE.finditer(text[:SCAN_TEXT_LIMIT].upper()):
            candidate = match.group(0)
            try:
                return codice_fiscale_validate(codice_fiscale=candidate), ""
            except ApplicationError:
                # Only something with digits looks like a codice fiscale to a person.
                if not invalid and any(char.isdigit() for char in candidate):
                    invalid = candidate
    return "", invalid


def _attachment_text(attachment: PecAttachment) -> str:
    data, name, content_type = attachment.data, attachment.filename.lower(), attachment.content_type
    if len(data) > ATTACHMENT_LIMIT:
        return ""
    charset = attachment.charset
    for _level in range(P7M_NESTING_LIMIT):
        if not (name.endswith(".p7m") or content_type.endswith("pkcs7-mime")):
            break
        data = _signed_content(data)
        name = name.removesuffix(".p7m")
        content_type = "application/octet-stream"
        charset = None
    try:
        if data.startswith(b"%PDF-") or name.endswith(".pdf") or content_type == "application/pdf":
            return _pdf_text(data)
        if content_type.startswith("text/") or name.endswith(_TEXT_EXTENSIONS):
            text = _decode_text(data=data[: SCAN_TEXT_LIMIT * 4], charset=charset)
            is_html = content_type == "text/html" or name.endswith((".html", ".htm"))
            return _html_text(text) if is_html else text
    except Exception:
        logger.warning("attachment %r of a PEC message could not be read", name, exc_info=True)
    return ""


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt("")  # forms are often "encrypted" with an empty password
    texts = [page.extract_text() or "" for page in list(reader.pages)[:PDF_PAGE_LIMIT]]
    return "\n".join(texts)


# --- Signed files (.p7m, CAdES): the signed content, without checking the signature ---------


def _signed_content(data: bytes) -> bytes:
    """The content of a CMS signedData file (DER or BER, raw or base64); b"" if unreadable."""
    if data[:1] != b"\x30":
        try:
            data = base64.b64decode(b"".join(data.split()), validate=True)
        except (binascii.Error, ValueError):
            return b""
    try:
        return _cms_content(data)
    except (IndexError, ValueError, RecursionError):
        return b""


def _ber_element(data: bytes, position: int) -> tuple[int, int, int, int]:
    """(tag byte, start of contents, end of contents, end of element) of a BER element."""
    tag = data[position]
    position += 1
    if tag & 0x1F == 0x1F:  # high tag number: skip its bytes
        while data[position] & 0x80:
            position += 1
        position += 1
    length = data[position]
    position += 1
    if length == 0x80:  # indefinite: contents end at the end-of-contents marker
        start = position
        while data[position : position + 2] != b"\x00\x00":
            position = _ber_element(data, position)[3]
        return tag, start, position, position + 2
    if length & 0x80:
        count = length & 0x7F
        if count > 8:
            raise ValueError("BER length too long")
        length = int.from_bytes(data[position : position + count], "big")
        position += count
    end = position + length
    if end > len(data):
        raise ValueError("BER element past the end of the data")
    return tag, position, end, end


def _ber_children(data: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    children = []
    while start < end:
        element = _ber_element(data, start)
        children.append(element)
        start = element[3]
    return children


def _ber_octets(data: bytes, element: tuple[int, int, int, int]) -> bytes:
    tag, start, end, _end = element
    if tag & 0x20:  # constructed OCTET STRING: the concatenation of its pieces
        return b"".join(_ber_octets(data, child) for child in _ber_children(data, start, end))
    return data[start:end]


def _cms_content(data: bytes) -> bytes:
    # ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT SignedData }
    _tag, start, end, _end = _ber_element(data, 0)
    content_type, explicit = _ber_children(data, start, end)[:2]
    if data[content_type[1] : content_type[2]] != _SIGNED_DATA_OID:
        return b""
    signed_data = _ber_children(data, explicit[1], explicit[2])[0]
    # SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo, ... }
    encapsulated = _ber_children(data, signed_data[1], signed_data[2])[2]
    # EncapsulatedContentInfo ::= SEQUENCE { eContentType OID, eContent [0] EXPLICIT OCTET STRING }
    parts = _ber_children(data, encapsulated[1], encapsulated[2])
    if len(parts) < 2:  # detached signature: no content here
        return b""
    octets = _ber_children(data, parts[1][1], parts[1][2])[0]
    return _ber_octets(data, octets)
