"""The certified envelope's own parts: daticert.xml (who sent it, to whom, when) and the
original message (postacert.eml)."""

from __future__ import annotations

import datetime
import re
import xml.etree.ElementTree as ET  # noqa: S405 - see daticert_parse
import zoneinfo
from dataclasses import dataclass
from email.message import Message

from sportello.accounts.pec.mime import NESTING_LIMIT, attached_message, filename

DATICERT_LIMIT = 256 * 1024
ITALIAN_TIME = zoneinfo.ZoneInfo("Europe/Rome")
_ZONE = re.compile(r"([+-])(\d{2}):?(\d{2})")
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)


@dataclass(frozen=True)
class Daticert:
    tipo: str
    errore: str
    mittente: str
    risposte: str
    oggetto: str
    identificativo: str
    received_at: datetime.datetime | None


def envelope_parts(envelope: Message) -> tuple[bytes | None, Message | None]:
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
        name = filename(part).lower()
        if part.get_content_type() == "message/rfc822" or name == "postacert.eml":
            inner = attached_message(part)
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


def _local_name(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower()


def daticert_parse(*, data: bytes) -> Daticert | None:
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

    return Daticert(
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
