"""IUV and codice avviso, as pagoPA specifies them for a comune with a segregation code.

The codice avviso (NAV) is 18 digits: the aux digit 3, the comune's segregation code (2
digits), the IUV base (13 digits) and two check digits, the remainder of dividing the number
made of the first 16 digits by 93. The IUV is the NAV without its aux digit (17 digits).
IUV bases are drawn at random, so that nobody can guess another citizen's notice from their own.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable

AUX_DIGIT = "3"
BASE_DIGITS = 13
_SEGREGATION = re.compile(r"^\d{2}$")
_NOTICE = re.compile(r"^\d{18}$")


def check_digits(*, segregation_code: str, base: str) -> str:
    """The two check digits: (aux digit, segregation code, IUV base as one number) mod 93."""
    return f"{int(AUX_DIGIT + segregation_code + base) % 93:02d}"


def iuv_make(*, segregation_code: str, base: str) -> str:
    if not _SEGREGATION.match(segregation_code):
        raise ValueError(f"segregation code must be 2 digits, not {segregation_code!r}")
    if len(base) != BASE_DIGITS or not base.isdigit():
        raise ValueError(f"IUV base must be {BASE_DIGITS} digits, not {base!r}")
    return segregation_code + base + check_digits(segregation_code=segregation_code, base=base)


def notice_number_of(iuv: str) -> str:
    return AUX_DIGIT + iuv


def notice_number_valid(notice_number: str) -> bool:
    """An 18-digit codice avviso with aux digit 3 whose check digits are right."""
    if not _NOTICE.match(notice_number or "") or notice_number[0] != AUX_DIGIT:
        return False
    return notice_number[16:] == check_digits(
        segregation_code=notice_number[1:3], base=notice_number[3:16]
    )


def notice_number_display(notice_number: str) -> str:
    """«3011 2345 6789 0123 45»: grouped in fours, as printed on the notice."""
    return " ".join(notice_number[i : i + 4] for i in range(0, len(notice_number), 4))


def iuvs_draw(
    count: int, *, segregation_code: str, taken: Callable[[Iterable[str]], set[str]]
) -> list[str]:
    """`count` new IUVs, distinct from each other and from those `taken` reports as in use."""
    found: list[str] = []
    seen: set[str] = set()
    for _round in range(100):
        if len(found) >= count:
            break
        wanted = count - len(found)
        candidates = []
        while len(candidates) < wanted:
            base = f"{secrets.randbelow(10**BASE_DIGITS):0{BASE_DIGITS}d}"
            iuv = iuv_make(segregation_code=segregation_code, base=base)
            if iuv not in seen:
                seen.add(iuv)
                candidates.append(iuv)
        used = taken(candidates)
        found.extend(iuv for iuv in candidates if iuv not in used)
    else:
        raise RuntimeError("no free IUV found in 100 rounds: is the IUV space exhausted?")
    return found
