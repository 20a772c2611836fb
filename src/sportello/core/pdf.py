"""PDF documents drawn with WeasyPrint from our own files only: the machinery every app's
documents share (certificates, payment notices, receipts).

Nothing is fetched from the network: the fonts are the Titillium Web files shipped with
Bootstrap Italia's static files, the coat of arms and QR codes are embedded as data URIs, and
the URL fetcher refuses everything else. Fonts and arms are read once per process.
"""

from __future__ import annotations

import atexit
import base64
import logging
import mimetypes
import threading
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from sportello.core.models import Municipality
from sportello.core.selectors import municipality_get
from sportello.core.templatetags.portal import GENERIC_ARMS

logger = logging.getLogger(__name__)

# Static paths (Bootstrap Italia's copy of Titillium Web) -> CSS weight and style.
FONTS = {
    "fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-regular.ttf": ("normal", "normal"),
    "fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-italic.ttf": ("normal", "italic"),
    "fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-600.ttf": ("600", "normal"),
    "fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-700.ttf": ("bold", "normal"),
}
FONT_FAMILY = "Sportello Titillium"


@cache
def _fonts() -> tuple[str, frozenset[str]]:
    """@font-face rules for the fonts found, and the files the fetcher may open."""
    rules = []
    allowed = set()
    for static_path, (weight, style) in FONTS.items():
        found = finders.find(static_path)
        if not found:
            logger.warning("Font %s not found among static files: using system fonts", static_path)
            continue
        path = Path(found).resolve()
        allowed.add(str(path))
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; '
            f'font-style: {style}; src: url("{path.as_uri()}"); }}'
        )
    return "\n".join(rules), frozenset(allowed)


@cache
def _weasyprint() -> tuple[Any, Any, Any]:
    """WeasyPrint's HTML class, a fetcher limited to our font files and data URIs, and one font
    configuration reused by every document (imported here: loading Pango takes a while)."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    allowed = _fonts()[1]

    class LocalFilesOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file:"):
                path = str(Path(url2pathname(urlsplit(url).path)).resolve())
                if path in allowed:
                    return super().fetch(url, headers)
            raise ValueError(f"Not fetched while drawing a PDF: {url[:80]}")

    fetcher = LocalFilesOnly(allowed_protocols={"file", "data"}, allow_redirects=False)
    # Released before the interpreter tears modules down (its finaliser needs them).
    atexit.register(_weasyprint.cache_clear)
    return HTML, fetcher, FontConfiguration()


# The shared font configuration is Fontconfig state: one document at a time per process.
_lock = threading.Lock()


def data_uri(data: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


@cache
def _arms_data_uri(name: str, updated: str) -> str:
    """The comune's uploaded arms, else the generic shield, as a data URI (cached per upload)."""
    if name:
        municipality = municipality_get()
        try:
            with municipality.coat_of_arms.open("rb") as arms:
                data = arms.read()
            content_type = mimetypes.guess_type(name)[0] or "image/png"
            return data_uri(data, content_type)
        except (OSError, AttributeError, ValueError):
            logger.warning("Coat of arms %s unreadable: using the generic shield", name)
    found = finders.find(GENERIC_ARMS)
    return data_uri(Path(found).read_bytes(), "image/svg+xml") if found else ""


def coat_of_arms_data_uri(municipality: Municipality | None) -> str:
    if municipality is None or not municipality.coat_of_arms:
        return _arms_data_uri("", "")
    return _arms_data_uri(municipality.coat_of_arms.name, municipality.updated_at.isoformat())


QR_SCALE = 8  # pixels per module: about 300 dpi at the printed size


def qr_data_uri(payload: str) -> str:
    """The QR code of `payload` (a URL, a pagoPA notice…) as a PNG, with its quiet zone (4
    modules) and error correction level M."""
    return segno.make(payload, error="m").png_data_uri(scale=QR_SCALE, border=4)


def pdf_render(template: str, context: dict[str, Any]) -> bytes:
    """The template drawn as a PDF, in Italian (official documents are)."""
    html_class, fetcher, font_config = _weasyprint()
    context = {**context, "font_face": _fonts()[0], "font_family": FONT_FAMILY}
    with translation.override("it"):  # official documents are in Italian
        html = render_to_string(template, context)
    with _lock:
        return html_class(string=html, url_fetcher=fetcher).write_pdf(font_config=font_config)
