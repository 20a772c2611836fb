"""Reading the parts of an e-mail message safely: headers that may be malformed, attached
messages however a provider encoded them, text in whatever charset, HTML as plain text."""

from __future__ import annotations

import base64
import binascii
import html
import quopri
import re
from collections.abc import Iterator
from email import policy
from email.message import Message
from email.parser import BytesParser

from django.utils.html import strip_tags

# Limits on what is read to look for a codice fiscale: a request is a page or two.
SCAN_TEXT_LIMIT = 200_000
NESTING_LIMIT = 20

_HTML_DROP = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_BREAK = re.compile(r"<\s*(br|/p|/div|/tr|/li|/h\d)\b[^>]*>", re.IGNORECASE)
_BLANK_LINES = re.compile(r"\n\s*\n\s*(\n\s*)+")


def header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header the parser cannot make sense of counts as missing
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def filename(part: Message) -> str:
    try:
        return (part.get_filename() or "").strip()
    except Exception:
        return ""


def attached_message(part: Message) -> Message | None:
    """The message inside a message/rfc822 part, also when a provider encoded it in base64 or
    sent it as application/octet-stream."""
    if part.get_content_type() != "message/rfc822":
        data = part.get_payload(decode=True)
        return BytesParser(policy=policy.default).parsebytes(data) if data else None
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        return None
    encoding = header(part, "Content-Transfer-Encoding").lower()
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


def leaves(part: Message, *, descend: bool, depth: int = 0) -> Iterator[Message]:
    """The leaf parts in order; an attached message is yielded itself and, when `descend`,
    followed by its own parts."""
    if depth > NESTING_LIMIT:
        return
    if part.get_content_type() == "message/rfc822":
        yield part
        if descend:
            inner = attached_message(part)
            if inner is not None:
                yield from leaves(inner, descend=descend, depth=depth + 1)
        return
    if part.is_multipart():
        for sub in part.get_payload():
            yield from leaves(sub, descend=descend, depth=depth + 1)
        return
    yield part


def part_text(part: Message) -> str:
    data = part.get_payload(decode=True) or b""
    return decode_text(data=data[: SCAN_TEXT_LIMIT * 4], charset=part.get_content_charset())


def decode_text(*, data: bytes, charset: str | None) -> str:
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return data.decode(candidate).replace("\r\n", "\n")
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", "replace").replace("\r\n", "\n")


def html_text(markup: str) -> str:
    markup = _HTML_DROP.sub(" ", markup[:SCAN_TEXT_LIMIT])
    markup = _HTML_BREAK.sub("\n", markup)
    text = html.unescape(strip_tags(markup))
    text = "\n".join(line.strip() for line in text.splitlines())
    return _BLANK_LINES.sub("\n\n", text).strip()
