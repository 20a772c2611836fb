"""The demo's copies of documents: clearly fake specimens for the demo citizen's family."""

from __future__ import annotations

import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from sportello.documents.models import DocumentKind
from sportello.documents.services import document_copy_create
from sportello.registry.models import IdentityDocumentKind, Person


@cache
def specimen_font(weight: str, size: int):
    """Titillium Web, as bundled with Bootstrap Italia's static files: Pillow's default font
    has no accented letters («identit�»)."""
    from django.contrib.staticfiles import finders

    found = finders.find(f"fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-{weight}.ttf")
    if not found:
        return ImageFont.load_default(size)
    return ImageFont.truetype(found, size)


def _specimen(title: str, lines: list[str], *, image_format: str) -> bytes:
    """A clearly fake document: a card with the person's data and «FAC-SIMILE» across it."""
    image = Image.new("RGB", (1240, 800), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 1219, 779), outline=(0, 102, 204), width=6)
    title_font, text_font = specimen_font("600", 44), specimen_font("regular", 30)
    draw.text((60, 60), title, fill=(0, 51, 102), font=title_font)
    for index, line in enumerate(lines):
        draw.text((60, 160 + index * 56), line, fill="black", font=text_font)
    draw.text((60, 690), "FAC-SIMILE - documento di prova, senza valore", fill=(204, 0, 0),
              font=text_font)  # fmt: skip
    buffer = io.BytesIO()
    options = {"resolution": 150.0} if image_format == "PDF" else {}
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def demo_document_copies(persons: list[Person]) -> int:
    """Copies of documents for the demo citizen's family (the showcase household): the head's
    identity card, the spouse's marriage record, a child's birth record and identity card. The
    citizen sees their own and the children's; the spouse's is for the spouse alone."""
    if len(persons) < 4:
        return 0
    head, spouse, first_child, second_child = persons[:4]
    created = 0

    def add(person: Person, kind: str, description: str, title: str, image_format: str) -> None:
        nonlocal created
        lines = [
            f"{person.last_name.upper()} {person.first_name.upper()}",
            f"Nato/a il {person.birth_date:%d/%m/%Y} a {person.birth_place}",
            f"Codice fiscale {person.codice_fiscale}",
        ]
        content = _specimen(title, lines, image_format=image_format)
        document_copy_create(
            person=person, kind=kind, description=description,
            file=io.BytesIO(content), size=len(content),
        )  # fmt: skip
        created += 1

    card = next((d for d in head.identity_documents.all() if d.kind == IdentityDocumentKind.CIE),
                None)  # fmt: skip
    card_text = f"carta d'identità elettronica n. {card.number}" if card else "carta d'identità"
    add(head, DocumentKind.IDENTITY_CARD, f"{card_text}, fronte e retro",
        "Carta d'identità elettronica", "PDF")  # fmt: skip
    add(spouse, DocumentKind.MARRIAGE_RECORD, "estratto per riassunto dell'atto di matrimonio",
        "Atto di matrimonio", "PDF")  # fmt: skip
    add(first_child, DocumentKind.BIRTH_RECORD, "estratto dell'atto di nascita",
        "Atto di nascita", "PDF")  # fmt: skip
    add(second_child, DocumentKind.IDENTITY_CARD, "carta d'identità elettronica, fronte",
        "Carta d'identità elettronica", "PNG")  # fmt: skip
    return created
