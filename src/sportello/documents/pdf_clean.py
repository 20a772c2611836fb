"""Active content out of PDFs before anyone downloads them: JavaScript, actions run on opening
(OpenAction, AA), launching programs, submitting forms, embedded files, XFA forms, rich media.
A PDF a clerk scanned or received may carry any of them; what a citizen downloads from the
Comune must not. Done with pikepdf (qpdf), which rewrites the file keeping only what is still
referenced; pages, images and links to web addresses stay as they were."""

from __future__ import annotations

import io

import pikepdf
from pikepdf import Array, Dictionary

# Keys whose presence alone means code or an action run without the reader asking.
_DROP_KEYS = ("/OpenAction", "/AA", "/JS", "/JavaScript", "/EmbeddedFiles", "/XFA")
# Actions that run code, start programs, send data or open other files.
_DANGEROUS_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/GoToR",
    "/GoToE",
    "/RichMediaExecute",
    "/Rendition",
    "/Movie",
    "/Sound",
}
_DANGEROUS_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound"}


def _dangerous_action(value) -> bool:
    return isinstance(value, Dictionary) and str(value.get("/S", "")) in _DANGEROUS_ACTIONS


def _clean(obj, seen: set, changed: list) -> None:
    if isinstance(obj, pikepdf.Stream):
        key = obj.objgen
        if key != (0, 0):
            if key in seen:
                return
            seen.add(key)
        dictionary = obj.stream_dict
    elif isinstance(obj, Dictionary):
        if obj.is_indirect:
            if obj.objgen in seen:
                return
            seen.add(obj.objgen)
        dictionary = obj
    elif isinstance(obj, Array):
        if obj.is_indirect:
            if obj.objgen in seen:
                return
            seen.add(obj.objgen)
        for item in list(obj):
            _clean(item, seen, changed)
        return
    else:
        return
    for key in _DROP_KEYS:
        if key in dictionary:
            del dictionary[key]
            changed.append(key)
    for key in ("/A", "/Next"):
        if key in dictionary and _dangerous_action(dictionary[key]):
            del dictionary[key]
            changed.append(key)
    if "/Annots" in dictionary and isinstance(dictionary.Annots, Array):
        kept = [
            annotation
            for annotation in dictionary.Annots
            if str(annotation.get("/Subtype", "")) not in _DANGEROUS_ANNOTATIONS
        ]
        if len(kept) != len(dictionary.Annots):
            dictionary.Annots = Array(kept)
            changed.append("/Annots")
    for key in list(dictionary.keys()):
        if key in ("/Parent", "/P"):  # back-links: reached from the other side anyway
            continue
        _clean(dictionary[key], seen, changed)


def pdf_without_active_content(data: bytes) -> bytes | None:
    """The PDF rewritten without active content, or None if it had none (keep it as it is)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        changed: list[str] = []
        seen: set = set()
        _clean(pdf.trailer, seen, changed)
        if "/Names" in pdf.Root and not dict(pdf.Root.Names.items()):
            del pdf.Root.Names
        if not changed:
            return None
        out = io.BytesIO()
        pdf.remove_unreferenced_resources()
        pdf.save(out)
        return out.getvalue()
