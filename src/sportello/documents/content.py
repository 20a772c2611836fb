"""What an uploaded file really is, read from its content: a PDF that pypdf can open, or a JPEG
or PNG image that Pillow can decode. The file's name and the browser's content type are not
believed: a renamed program or text file is refused."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image
from pypdf import PdfReader

from sportello.core.exceptions import ApplicationError

PDF_MAGIC = b"%PDF-"
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
IMAGE_FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}


@dataclass(frozen=True)
class DetectedType:
    content_type: str
    extension: str


def max_bytes() -> int:
    return settings.SPORTELLO_DOCUMENT_MAX_BYTES


def max_megabytes() -> str:
    """The upload limit as people read it: «10»."""
    return _megabytes(max_bytes())


def _megabytes(size: int, *, round_up: bool = False) -> str:
    """10485761 -> «10,1» when rounding up (a file just over the limit must not read «10»)."""
    tenths = size * 10 / (1024 * 1024)
    text = f"{(math.ceil(tenths) if round_up else math.floor(tenths)) / 10:.1f}"
    return text.removesuffix(".0").replace(".", ",")


def _rewind(file: IO[bytes]) -> None:
    file.seek(0)


def _pdf_check(file: IO[bytes]) -> DetectedType:
    try:
        reader = PdfReader(file)
        encrypted = reader.is_encrypted
        pages = 0 if encrypted else len(reader.pages)
    except Exception as error:  # pypdf raises many kinds on malformed input
        raise ApplicationError(
            _(
                "Il file sembra un PDF ma è danneggiato e non si riesce ad aprirlo: "
                "salvalo o scansionalo di nuovo e riprova."
            ),
            extra={"field": "file"},
        ) from error
    finally:
        _rewind(file)
    if encrypted:
        raise ApplicationError(
            _("Il PDF è protetto da password: carica una copia senza protezione."),
            extra={"field": "file"},
        )
    if pages < 1:
        raise ApplicationError(_("Il PDF non ha pagine."), extra={"field": "file"})
    return DetectedType("application/pdf", ".pdf")


def _image_check(file: IO[bytes]) -> DetectedType:
    damaged = ApplicationError(
        _(
            "Il file sembra un'immagine ma è danneggiato e non si riesce ad aprirlo: "
            "salvalo o scansionalo di nuovo e riprova."
        ),
        extra={"field": "file"},
    )
    try:
        with warnings.catch_warnings():
            # A huge image is refused rather than decoded (a "decompression bomb").
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                image_format = image.format
                image.verify()  # structure and checksums
            _rewind(file)
            with Image.open(file) as image:
                image.load()  # every pixel decodes: a truncated image fails here
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise ApplicationError(
            _("L'immagine ha troppi pixel: riducila (per esempio a 300 dpi) e riprova."),
            extra={"field": "file"},
        ) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise damaged from error
    finally:
        _rewind(file)
    if image_format not in IMAGE_FORMATS:
        raise damaged
    content_type, extension = IMAGE_FORMATS[image_format]
    return DetectedType(content_type, extension)


def document_content_detect(*, file: IO[bytes], size: int) -> DetectedType:
    """The real type of an uploaded document, or ApplicationError saying in plain Italian why
    it cannot be accepted (empty, too large, not PDF/JPEG/PNG, damaged, password-protected)."""
    if size <= 0:
        raise ApplicationError(
            _("Il file è vuoto: scegli il file giusto e caricalo di nuovo."),
            extra={"field": "file"},
        )
    if size > max_bytes():
        raise ApplicationError(
            _(
                "Il file è troppo grande (%(size)s MB): il massimo è %(max)s MB. Riducilo, per "
                "esempio scansionandolo a una risoluzione più bassa, e riprova."
            )
            % {"size": _megabytes(size, round_up=True), "max": max_megabytes()},
            extra={"field": "file"},
        )
    _rewind(file)
    head = file.read(1024)
    _rewind(file)
    if PDF_MAGIC in head:  # the PDF header may follow a little junk, as readers allow
        return _pdf_check(file)
    if head.startswith((JPEG_MAGIC, PNG_MAGIC)):
        return _image_check(file)
    raise ApplicationError(
        _(
            "Il file non è un PDF né un'immagine JPEG o PNG, gli unici formati accettati. "
            "Conta il contenuto del file, non il suo nome: rinominarlo non basta."
        ),
        extra={"field": "file"},
    )
