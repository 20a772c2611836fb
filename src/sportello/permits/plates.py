"""Vehicle plates: Italian formats (cars and trailers since 1994, motorcycles since 1999,
mopeds since 2006, the older provincial plates) and foreign plates, marked as such.

A plate is kept in its compact form (capitals, no spaces or dashes), as the cameras read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError

# Letters Italian plates use since 1994: no I, O, Q, U (they look like 1, 0, 0, V).
_L = "[A-HJ-NPR-TV-Z]"
ITALIAN_FORMATS = (
    ("car", re.compile(rf"^{_L}{{2}}\d{{3}}{_L}{{2}}$")),  # AB 123 CD (cars, trailers)
    ("motorcycle", re.compile(rf"^{_L}{{2}}\d{{5}}$")),  # AB 12345
    ("moped", re.compile(r"^X[2-9B-DF-HJ-NP-TV-Z]{5}$")),  # X2B4C6
    # Provincial plates before 1994: province (ROMA in full) and six characters, e.g. LI 123456,
    # MI A12345.
    ("provincial", re.compile(r"^(?:[A-Z]{2}|ROMA)(?:\d{6}|[A-Z]\d{5}|\d{5}[A-Z])$")),
)
FOREIGN = re.compile(r"^[A-Z0-9]{2,10}$")
_SEPARATORS = re.compile(r"[\s\-.·]+")


@dataclass(frozen=True)
class Plate:
    number: str  # compact: AB123CD
    foreign: bool
    kind: str  # car, motorcycle, moped, provincial, foreign

    @property
    def display(self) -> str:
        if self.kind == "car":
            return f"{self.number[:2]} {self.number[2:5]} {self.number[5:]}"
        return self.number


def plate_compact(text: str) -> str:
    return _SEPARATORS.sub("", (text or "").upper())


def plate_parse(text: str, *, foreign: bool = False) -> Plate:
    """The plate as typed (spaces, dashes, small letters allowed), or ApplicationError."""
    number = plate_compact(text)
    if not number:
        raise ApplicationError(_("Scrivi la targa del veicolo."), extra={"field": "plate"})
    if foreign:
        if not FOREIGN.match(number):
            raise ApplicationError(
                _(
                    "La targa estera può avere da 2 a 10 lettere e cifre, senza altri segni: "
                    "controlla di averla scritta bene."
                ),
                extra={"field": "plate"},
            )
        return Plate(number, True, "foreign")
    for kind, pattern in ITALIAN_FORMATS:
        if pattern.match(number):
            return Plate(number, False, kind)
    raise ApplicationError(
        _(
            "«%(plate)s» non è una targa italiana valida (per esempio AB 123 CD per le auto, "
            "AB 12345 per le moto, X2B4C6 per i ciclomotori). Se il veicolo ha una targa "
            "straniera, segna la casella «Targa estera»."
        )
        % {"plate": number},
        extra={"field": "plate"},
    )
