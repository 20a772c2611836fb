"""The message's text and attachments, and the codice fiscale found in them."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message

from sportello.accounts.pec.mime import (
    SCAN_TEXT_LIMIT,
    decode_text,
    filename,
    html_text,
    leaves,
    part_text,
)
from sportello.accounts.pec.signed import signed_content
from sportello.core.exceptions import ApplicationError
from sportello.registry.codice_fiscale import codice_fiscale_validate

logger = logging.getLogger(__name__)

TEXT_LIMIT = 10_000
ATTACHMENT_LIMIT = 15 * 1024 * 1024
PDF_PAGE_LIMIT = 10
P7M_NESTING_LIMIT = 3

# Sixteen characters; the seven digit positions may hold the omocodia letters L-V.
_DIGIT = "[0-9LMNPQRSTUV]"
_CF_CANDIDATE = re.compile(
    rf"(?<![A-Z0-9])[A-Z]{{6}}{_DIGIT}{{2}}[ABCDEHLMPRST]{_DIGIT}{{2}}[A-Z]{_DIGIT}{{3}}[A-Z]"
    r"(?![A-Z0-9])"
)
_TEXT_EXTENSIONS = (".txt", ".text", ".csv", ".xml", ".html", ".htm")


@dataclass
class PecAttachment:
    filename: str
    content_type: str
    charset: str | None
    data: bytes


@dataclass
class Content:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[PecAttachment] = field(default_factory=list)
    attachment_names: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        text = "\n\n".join(self.plain) if self.plain else "\n\n".join(self.html)
        return text.strip()[:TEXT_LIMIT]


def message_content(*, message: Message, descend: bool) -> Content:
    content = Content()
    for part in leaves(message, descend=descend):
        name = filename(part)
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
            content.plain.append(part_text(part).strip())
        elif content_type == "text/html":
            content.html.append(html_text(part_text(part)))
    return content


def codice_fiscale_sources(*, subject: str, content: Content) -> Iterator[str]:
    """Texts to search, in order; attachments are read only if nothing was found before."""
    yield subject
    yield from content.plain
    yield from content.html
    for attachment in content.attachments:
        yield _attachment_text(attachment)


def codice_fiscale_find(*, texts: Iterator[str]) -> tuple[str, str]:
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
        data = signed_content(data)
        name = name.removesuffix(".p7m")
        content_type = "application/octet-stream"
        charset = None
    try:
        if data.startswith(b"%PDF-") or name.endswith(".pdf") or content_type == "application/pdf":
            return _pdf_text(data)
        if content_type.startswith("text/") or name.endswith(_TEXT_EXTENSIONS):
            text = decode_text(data=data[: SCAN_TEXT_LIMIT * 4], charset=charset)
            is_html = content_type == "text/html" or name.endswith((".html", ".htm"))
            return html_text(text) if is_html else text
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
