"""Fax documents: a PDF rasterised to what a fax machine prints (ITU-T T.4 fine resolution, as a
TIFF Class F), the PDF of an HTML page for cover sheets and alerts, and a fax delivery's PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from django.core.files.storage import default_storage
from PIL import Image, TiffImagePlugin
from weasyprint import HTML

from sportello.channels.base import ChannelError
from sportello.channels.models import Delivery

# T.4 fine resolution: 1728 dots across a 215 mm scan line (204 dpi), 196 lines per inch.
FAX_WIDTH = 1728
X_DPI = 204
Y_DPI = 196
A4_POINTS = (595.276, 841.89)  # 210 × 297 mm
FAX_HEIGHT = round(A4_POINTS[1] / 72 * Y_DPI)  # 2292 lines
# Text and lines without anti-aliasing, so that the 1-bit page keeps them solid.
_RENDER_FLAGS = (
    pdfium_c.FPDF_ANNOT
    | pdfium_c.FPDF_PRINTING
    | pdfium_c.FPDF_RENDER_NO_SMOOTHTEXT
    | pdfium_c.FPDF_RENDER_NO_SMOOTHPATH
)
# The TIFF Class F fields Pillow does not write by itself. PageNumber is left out: Pillow hands it
# to libtiff as (count, pointer) and would write garbage; no fax server needs it. Pillow stores a
# WhiteIsZero page by inverting it pixel by pixel (about 0.3 s a page): fine for a few pages.
_CLASS_F_TAGS = {
    254: 2,  # NewSubfileType: one page of a multi-page document
    262: 0,  # PhotometricInterpretation: WhiteIsZero
    266: 1,  # FillOrder: most significant bit first
    292: 0,  # T4Options: 1-D coding, EOLs not byte-aligned
}


class FaxDocumentError(ValueError):
    """The document cannot be faxed: not a PDF, protected by a password, or empty."""


@dataclass(frozen=True)
class FaxDocument:
    pdf: bytes
    tiff: bytes


def fax_render(*, pdf: bytes) -> FaxDocument:
    """Every page of `pdf` fitted to A4 (landscape pages turned) at 204 × 196 dpi, 1 bit deep,
    as a multi-page TIFF compressed with CCITT Group 3 1-D, one IFD per page."""
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError as error:
        raise FaxDocumentError(f"Il documento non è un PDF leggibile ({error}).") from error
    with document:
        pages = [_page_raster(page) for page in document]
    if not pages:
        raise FaxDocumentError("Il documento PDF non ha pagine.")
    buffer = io.BytesIO()
    tags = TiffImagePlugin.ImageFileDirectory_v2()
    for tag, value in _CLASS_F_TAGS.items():
        tags[tag] = value
    pages[0].save(
        buffer,
        format="TIFF",
        save_all=True,
        append_images=pages[1:],
        compression="group3",
        dpi=(X_DPI, Y_DPI),
        tiffinfo=tags,
        strip_size=2**31 - 1,  # one strip per page, as fax servers expect
    )
    return FaxDocument(pdf=pdf, tiff=buffer.getvalue())


def _page_raster(page: pdfium.PdfPage) -> Image.Image:
    width, height = page.get_size()
    rotation = 0
    if width > height:
        rotation, width, height = 1, height, width  # 90° clockwise
    scale = min(A4_POINTS[0] / width, A4_POINTS[1] / height)
    # Horizontal and vertical resolutions differ, so the page is drawn straight into a box of
    # the right pixel size rather than rendered square and resampled.
    box_width = min(FAX_WIDTH, round(width * scale / 72 * X_DPI))
    box_height = min(FAX_HEIGHT, round(height * scale / 72 * Y_DPI))
    bitmap = pdfium.PdfBitmap.new_native(FAX_WIDTH, FAX_HEIGHT, pdfium_c.FPDFBitmap_Gray)
    bitmap.fill_rect((255, 255, 255, 255), 0, 0, FAX_WIDTH, FAX_HEIGHT)
    left = (FAX_WIDTH - box_width) // 2
    top = (FAX_HEIGHT - box_height) // 2
    pdfium_c.FPDF_RenderPageBitmap(
        bitmap, page, left, top, box_width, box_height, rotation, _RENDER_FLAGS
    )
    # A threshold, not dithering: these are documents, and coloured text or a coloured banner
    # must come out solid rather than as a speckle of dots.
    return bitmap.to_pil().convert("1", dither=Image.Dither.NONE)


def fax_document_from_html(*, html: str) -> bytes:
    """The PDF of an HTML page (A4 unless its CSS says otherwise), e.g. a cover page or alert."""
    return HTML(string=html, base_url="/").write_pdf()


def fax_pdf_for(delivery: Delivery) -> bytes:
    """The PDF a fax delivery sends: `payload["document"]` names it in the default storage."""
    name = delivery.content.get("document")
    if not name:
        raise ChannelError("Il fax non indica il documento da inviare.", permanent=True)
    try:
        with default_storage.open(name, "rb") as document:
            return document.read()
    except FileNotFoundError as error:
        raise ChannelError(f"Documento del fax non trovato: {name}", permanent=True) from error


def fax_render_for(delivery: Delivery) -> FaxDocument:
    """The delivery's document ready for the line; a document that cannot be faxed never will."""
    try:
        return fax_render(pdf=fax_pdf_for(delivery))
    except FaxDocumentError as error:
        raise ChannelError(str(error), permanent=True) from error
