"""Reading upstream authorities' feeds (SPORTELLO_CAP_FEEDS): each URL is a CAP message, an Atom
feed or an RSS feed of CAP messages. New messages become drafts once; a feed that times out,
answers with an error or with garbage is logged and reported, and the others go on.

The last report is kept in the cache for the operators' import page.
"""

from __future__ import annotations

import dataclasses
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from sportello.alerts.cap.importing import cap_import, cap_import_user, cap_seen
from sportello.alerts.cap.reading import MAX_CAP_BYTES, cap_read
from sportello.alerts.cap.validation import CAP_NAMESPACE, XmlRefused, xml_read
from sportello.core.exceptions import ApplicationError

logger = logging.getLogger(__name__)

FETCH_TIMEOUT_SECONDS = 10.0
MAX_FEED_BYTES = 2 * 1024 * 1024
# Entries read per feed and poll (newest first in every feed we know).
MAX_ENTRIES = 50
REPORT_KEY = "sportello.alerts.cap.poll_report"
USER_AGENT = "Sportello-CAP/1.0 (+civil protection alert system)"
ATOM = "http://www.w3.org/2005/Atom"


class FetchError(Exception):
    """A URL that could not be read; the message is for the operators (Italian)."""


@dataclasses.dataclass
class FeedReport:
    url: str
    checked_at: str
    ok: bool = True
    error: str = ""
    imported: list[int] = dataclasses.field(default_factory=list)
    already: int = 0
    skipped: list[str] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _opener() -> urllib.request.OpenerDirector:
    """HTTP and HTTPS only (no file:, ftp: or data: URLs, even through a redirect)."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPRedirectHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def fetch(url: str, *, timeout: float, limit: int) -> bytes:
    """The body at `url`; FetchError with a plain reason otherwise."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(_("indirizzo non valido: servono http o https"))
    # Only http(s) here, and the opener has no handler for any other scheme (redirects too).
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310
    try:
        with _opener().open(request, timeout=timeout) as response:
            body = response.read(limit + 1)
    except urllib.error.HTTPError as error:
        raise FetchError(
            _("il server ha risposto con l'errore HTTP %(code)s") % {"code": error.code}
        ) from error
    except TimeoutError as error:
        raise FetchError(
            _("nessuna risposta entro %(seconds)s secondi") % {"seconds": f"{timeout:g}"}
        ) from error
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise FetchError(
                _("nessuna risposta entro %(seconds)s secondi") % {"seconds": f"{timeout:g}"}
            ) from error
        raise FetchError(_("non raggiungibile (%(reason)s)") % {"reason": reason}) from error
    except (OSError, ValueError) as error:
        raise FetchError(_("lettura non riuscita (%(reason)s)") % {"reason": error}) from error
    if len(body) > limit:
        raise FetchError(
            _("risposta troppo grande (oltre %(mb)s MB)") % {"mb": limit // (1024 * 1024)}
        )
    return body


def _entry_links(entry: etree._Element, base: str) -> list[str]:
    """CAP links of an Atom entry: type application/cap+xml first, else XML alternates."""
    links = entry.findall(f"{{{ATOM}}}link")
    typed = [link for link in links if "cap" in (link.get("type") or "").lower()]
    if not typed:
        typed = [
            link
            for link in links
            if "xml" in (link.get("type") or "").lower()
            or (link.get("href") or "").lower().endswith(".xml")
        ]
    return [urljoin(base, link.get("href")) for link in typed[:1] if link.get("href")]


def feed_messages(content: bytes, *, url: str) -> list[tuple[str, bytes | None]]:
    """(url, embedded message or None to fetch) for every CAP message a document offers: itself
    if it is a CAP message, the entries of an Atom feed, the items of an RSS feed. FetchError when
    the document is none of those."""
    try:
        root = xml_read(content)
    except XmlRefused as error:
        raise FetchError(_("il contenuto non è XML (%(reason)s)") % {"reason": error}) from error
    if etree.QName(root).localname == "alert":
        return [(url, content)]
    found: list[tuple[str, bytes | None]] = []
    if root.tag == f"{{{ATOM}}}feed":
        for entry in root.findall(f"{{{ATOM}}}entry")[:MAX_ENTRIES]:
            embedded = entry.find(f".//{{{CAP_NAMESPACE}}}alert")
            if embedded is not None:
                found.append((url, etree.tostring(embedded)))
                continue
            found.extend((link, None) for link in _entry_links(entry, url))
        return found
    if etree.QName(root).localname == "rss":
        for item in root.findall("channel/item")[:MAX_ENTRIES]:
            enclosure = item.find("enclosure")
            link = enclosure.get("url") if enclosure is not None else item.findtext("link")
            if link and link.strip():
                found.append((urljoin(url, link.strip()), None))
        return found
    raise FetchError(_("non è un messaggio CAP né un feed Atom o RSS"))


def _one(
    report: FeedReport, *, link: str, content: bytes | None, timeout: float, user: Any
) -> None:
    if content is None:
        try:
            content = fetch(link, timeout=timeout, limit=MAX_CAP_BYTES)
        except FetchError as error:
            report.skipped.append(f"{link}: {error}")
            return
    try:
        message = cap_read(content)
    except ApplicationError as error:
        details = "; ".join(error.extra.get("errors", [])[:3])
        report.skipped.append(f"{link}: {error.message} {details}".strip())
        return
    if cap_seen(sender=message.sender, identifier=message.identifier):
        report.already += 1
        return
    if message.expires is not None and message.expires <= timezone.now():
        report.skipped.append(_("%(link)s: messaggio già scaduto, non importato") % {"link": link})
        return
    try:
        imported = cap_import(content, by=user, origin="feed", url=link)
    except ApplicationError as error:
        report.skipped.append(f"{link}: {error.message}")
        return
    report.imported.append(imported.alert.pk)
    logger.info("CAP feed %s: draft alert %s from %s", report.url, imported.alert.pk, link)


def cap_feed_poll(url: str, *, timeout: float = FETCH_TIMEOUT_SECONDS) -> FeedReport:
    """Read one feed and import its new messages as drafts; never raises."""
    report = FeedReport(url=url, checked_at=timezone.now().isoformat())
    try:
        content = fetch(url, timeout=timeout, limit=MAX_FEED_BYTES)
        messages = feed_messages(content, url=url)
    except FetchError as error:
        report.ok, report.error = False, str(error)
        logger.warning("CAP feed %s not read: %s", url, error)
        return report
    user = cap_import_user() if messages else None
    for link, embedded in messages:
        try:
            _one(report, link=link, content=embedded, timeout=timeout, user=user)
        except Exception:  # one bad message never stops the others
            logger.exception("CAP feed %s: message %s failed", url, link)
            report.skipped.append(
                _("%(link)s: errore imprevisto, vedi il registro") % {"link": link}
            )
    for reason in report.skipped:
        logger.warning("CAP feed %s: %s", url, reason)
    return report


def cap_feeds_poll(
    urls: Iterable[str], *, timeout: float = FETCH_TIMEOUT_SECONDS
) -> list[FeedReport]:
    """Poll every feed in turn; the reports are also kept for the import page."""
    reports = [cap_feed_poll(url, timeout=timeout) for url in urls]
    cache.set(REPORT_KEY, [report.as_dict() for report in reports], timeout=None)
    return reports


def cap_poll_report() -> list[dict[str, Any]]:
    """The last poll's reports (empty before the first)."""
    return cache.get(REPORT_KEY) or []
