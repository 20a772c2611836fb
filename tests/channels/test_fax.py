"""Fax rendering: a PDF becomes the page images a fax machine prints, as a TIFF Class F read back
here with Pillow; and what is not a PDF is refused with a clear message."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from sportello.channels.fax import FaxDocumentError, fax_document_from_html, fax_render

# A black square 50 mm across, 20 mm from the top-left corner of an A4 page with no margins.
SQUARE = """
<style>@page {{ size: {size}; margin: 0 }} body {{ margin: 0 }}
.square {{ position: absolute; left: 20mm; top: 20mm; width: 50mm; height: 50mm;
           background: #000 }}</style>
<div class="square"></div>
"""
TWO_PAGES = """
<style>@page { size: A4; margin: 2cm } h1 { color: #0066cc }</style>
<h1>Allerta meteo arancione</h1><p>Domani temporali forti su tutto il territorio comunale.</p>
<p style="break-before: page">Seconda pagina: numeri utili.</p>
"""


def _pages(tiff: bytes) -> list[Image.Image]:
    image = Image.open(io.BytesIO(tiff))
    pages = []
    for index in range(image.n_frames):
        image.seek(index)
        pages.append(image.copy())
        pages[-1].info = dict(image.info)
        pages[-1].tags = dict(image.tag_v2)
    return pages


def _black_extent(page: Image.Image) -> tuple[int, int, int, int]:
    """The bounding box (left, top, right, bottom) of the black pixels."""
    inverted = page.convert("L").point(lambda value: 255 - value)
    box = inverted.getbbox()
    assert box is not None, "the page is blank"
    return box


def test_every_page_becomes_a_fine_resolution_class_f_page() -> None:
    pdf = fax_document_from_html(html=TWO_PAGES)

    document = fax_render(pdf=pdf)

    assert document.pdf == pdf
    assert document.tiff.startswith((b"II*\0", b"MM\0*"))
    pages = _pages(document.tiff)
    assert len(pages) == 2  # one IFD per page
    for page in pages:
        assert page.size == (1728, 2292)  # A4 at 196 lines per inch
        assert page.mode == "1"
        assert page.info["compression"] == "group3"
        assert page.info["dpi"] == (204, 196)
        assert page.tags[259] == 3  # Compression: CCITT Group 3
        assert page.tags[292] == 0  # T4Options: 1-D
        assert page.tags[262] == 0  # WhiteIsZero
        assert page.tags[266] == 1  # FillOrder
        assert page.tags[296] == 2  # ResolutionUnit: inch
        assert page.tags[254] == 2  # a page of a multi-page document
        assert page.tags[278] == 2292  # one strip per page
        _black_extent(page)  # something is printed on it


def test_the_page_keeps_its_size_at_204_by_196_dots_per_inch() -> None:
    pdf = fax_document_from_html(html=SQUARE.format(size="A4"))

    [page] = _pages(fax_render(pdf=pdf).tiff)

    left, top, right, bottom = _black_extent(page)
    # 50 mm is 401.6 dots across and 385.8 lines down; A4 (1687 dots) is centred on the 1728.
    assert right - left == pytest.approx(50 / 25.4 * 204, abs=2)
    assert bottom - top == pytest.approx(50 / 25.4 * 196, abs=2)
    assert left == pytest.approx(20 + 20 / 25.4 * 204, abs=2)
    assert top == pytest.approx(20 / 25.4 * 196, abs=2)
    assert page.getpixel((5, 5)) == 255  # white stays white


def test_a_landscape_page_is_turned_to_fill_the_portrait_page() -> None:
    pdf = fax_document_from_html(html=SQUARE.format(size="A4 landscape"))

    [page] = _pages(fax_render(pdf=pdf).tiff)

    assert page.size == (1728, 2292)
    left, top, right, bottom = _black_extent(page)
    assert right - left == pytest.approx(50 / 25.4 * 204, abs=2)
    assert bottom - top == pytest.approx(50 / 25.4 * 196, abs=2)


def test_what_is_not_a_pdf_is_refused_clearly() -> None:
    with pytest.raises(FaxDocumentError, match="non è un PDF leggibile"):
        fax_render(pdf=b"<html>not a PDF</html>")
