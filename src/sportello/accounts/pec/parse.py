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

import datetime
import hashlib
import logging
import re
from dataclasses import dataclass
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime

from django.db import models
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from sportello.accounts.pec.content import (
    PecAttachment,
    codice_fiscale_find,
    codice_fiscale_sources,
    message_content,
)
from sportello.accounts.pec.daticert import Daticert, daticert_parse, envelope_parts
from sportello.accounts.pec.mime import header

logger = logging.getLogger(__name__)

MESSAGE_ID_LIMIT = 255

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
_ON_BEHALF = re.compile(r"per\s+conto\s+di\s*:?\s*(\S+@[^\s>\"]+)", re.IGNORECASE)
_SUBJECT_PREFIX = re.compile(r"^\s*POSTA\s+CERTIFICATA\s*:\s*", re.IGNORECASE)


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
    message_id = _message_id(value=header(envelope, "Message-ID"), raw=raw)
    if not envelope.keys():
        return PecMessage(
            kind=PecKind.UNRECOGNISED,
            message_id=message_id,
            reason=_("Il contenuto non è un messaggio di posta elettronica."),
        )

    transport = header(envelope, "X-Trasporto").lower()
    receipt_header = header(envelope, "X-Ricevuta").lower()
    daticert_data, original = envelope_parts(envelope)
    daticert = daticert_parse(data=daticert_data) if daticert_data is not None else None
    if daticert is not None and not header(envelope, "Message-ID"):
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
        content = message_content(message=content_of, descend=content_of is original)
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
        envelope_content = message_content(message=envelope, descend=False)
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

    content = message_content(message=original, descend=True)
    code, invalid = codice_fiscale_find(
        texts=codice_fiscale_sources(subject=common["subject"], content=content)
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


def _sender(*, envelope: Message, daticert: Daticert | None, original: Message | None) -> str:
    if daticert and (address := _address(daticert.mittente)):
        return address
    from_value = header(envelope, "From")
    if match := _ON_BEHALF.search(from_value):
        return _address(match.group(1))
    if original is not None and (address := _address(header(original, "From"))):
        return address
    return _address(from_value)


def _reply_to(*, envelope: Message, daticert: Daticert | None, original: Message | None) -> str:
    if daticert and (address := _address(daticert.risposte)):
        return address
    if address := _address(header(envelope, "Reply-To")):
        return address
    if original is not None:
        return _address(header(original, "Reply-To"))
    return ""


def _subject(*, envelope: Message, daticert: Daticert | None, original: Message | None) -> str:
    if daticert and daticert.oggetto:
        return daticert.oggetto
    if original is not None and (subject := header(original, "Subject")):
        return subject
    return _SUBJECT_PREFIX.sub("", header(envelope, "Subject"))


def _date(message: Message) -> datetime.datetime | None:
    value = header(message, "Date")
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # «-0000»: UTC, local zone unknown
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment
