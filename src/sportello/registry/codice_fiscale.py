"""The codice fiscale of a person: its format and check character (python-stdnum), whether it
matches the person's surname, name, sex, birth date and birth place (python-codicefiscale's
encoding rules), omocodia, and a fast computation for generating demo citizens.

Omocodia: when two people would get the same code, the Agenzia delle Entrate replaces digits
with letters (0->L, 1->M, … 9->V), starting from the rightmost of the seven digit positions, and
recomputes the check character. Any such variant of the computed code belongs to the same data.
"""

from __future__ import annotations

import datetime
import functools

from codicefiscale import codicefiscale as cf_lib
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.it import codicefiscale as stdnum_cf

from sportello.core.exceptions import ApplicationError

# Positions (0-based) that hold digits in a plain code and may hold letters in an omocode,
# from the one replaced first (rightmost) to the one replaced last.
OMOCODE_POSITIONS = (14, 13, 12, 10, 9, 7, 6)
_DIGITS_TO_LETTERS = str.maketrans("0123456789", "LMNPQRSTUV")
_LETTERS_TO_DIGITS = str.maketrans("LMNPQRSTUV", "0123456789")
_MONTH_LETTERS = "ABCDEHLMPRST"
FEMALE_DAY_OFFSET = 40
_SEPARATORS = str.maketrans("", "", "-:")

# The parts of a codice fiscale, in the order a mismatch is reported.
PART_LAST_NAME = "last_name"
PART_FIRST_NAME = "first_name"
PART_BIRTH_DATE = "birth_date"
PART_SEX = "sex"
PART_BIRTH_PLACE = "birth_place_code"


def _part_labels() -> dict[str, str]:
    # Built per call so that the translation follows the active language.
    return {
        PART_LAST_NAME: _("al cognome"),
        PART_FIRST_NAME: _("al nome"),
        PART_BIRTH_DATE: _("alla data di nascita"),
        PART_SEX: _("al sesso"),
        PART_BIRTH_PLACE: _("al luogo di nascita"),
    }


def codice_fiscale_normalize(value: str) -> str:
    """Upper case, without spaces or separators: « rssmra85t10a562s » -> «RSSMRA85T10A562S».

    The same as stdnum's `compact()`, which is several times slower (the import calls this on
    every row)."""
    return "".join((value or "").translate(_SEPARATORS).split()).upper()


def codice_fiscale_validate(*, codice_fiscale: str) -> str:
    """Check the format and the check character; return the normalized code.

    Only the 16-character code of a person is accepted: the 11-digit numeric code belongs to
    companies (and to provisional codes), which the registry does not hold.
    """
    code = codice_fiscale_normalize(codice_fiscale)
    if not code:
        raise ApplicationError(_("il codice fiscale è mancante"), extra={"field": "codice_fiscale"})
    if len(code) != 16:
        raise ApplicationError(
            _("il codice fiscale deve avere 16 caratteri (ne ha %(count)d)") % {"count": len(code)},
            extra={"field": "codice_fiscale"},
        )
    try:
        stdnum_cf.validate(code)
    except stdnum_errors.InvalidChecksum:
        raise ApplicationError(
            _("il codice fiscale è errato: il carattere di controllo non corrisponde"),
            extra={"field": "codice_fiscale"},
        ) from None
    except stdnum_errors.InvalidComponent:
        raise ApplicationError(
            _("il codice fiscale contiene una data di nascita inesistente"),
            extra={"field": "codice_fiscale"},
        ) from None
    except stdnum_errors.ValidationError:
        raise ApplicationError(
            _("il codice fiscale non ha il formato previsto (6 lettere, 2 cifre, 1 lettera, ...)"),
            extra={"field": "codice_fiscale"},
        ) from None
    return code


def codice_fiscale_base(*, codice_fiscale: str) -> str:
    """The plain code behind an omocode: letters in the digit positions turned back into digits
    and the check character recomputed. A plain code is returned as it is."""
    chars = list(codice_fiscale_normalize(codice_fiscale))
    for position in OMOCODE_POSITIONS:
        chars[position] = chars[position].translate(_LETTERS_TO_DIGITS)
    body = "".join(chars[:15])
    return body + stdnum_cf.calc_check_digit(body)


def codice_fiscale_is_omocode(*, codice_fiscale: str) -> bool:
    code = codice_fiscale_normalize(codice_fiscale)
    return codice_fiscale_base(codice_fiscale=code) != code


def codice_fiscale_omocode(*, codice_fiscale: str, level: int) -> str:
    """The `level`-th omocode (1..7) of a code: its `level` rightmost digits turned into letters."""
    if not 1 <= level <= len(OMOCODE_POSITIONS):
        raise ValueError(f"omocode level must be between 1 and {len(OMOCODE_POSITIONS)}")
    chars = list(codice_fiscale_base(codice_fiscale=codice_fiscale))
    for position in OMOCODE_POSITIONS[:level]:
        chars[position] = chars[position].translate(_DIGITS_TO_LETTERS)
    body = "".join(chars[:15])
    return body + stdnum_cf.calc_check_digit(body)


@functools.lru_cache(maxsize=8192)
def _last_name_part(last_name: str) -> str:
    return cf_lib.encode_lastname(last_name)


@functools.lru_cache(maxsize=8192)
def _first_name_part(first_name: str) -> str:
    return cf_lib.encode_firstname(first_name)


def _birth_date_part(birth_date: datetime.date, sex: str) -> str:
    # The library parses strings with dateutil (slow); a datetime goes straight through.
    moment = datetime.datetime(birth_date.year, birth_date.month, birth_date.day)
    return cf_lib.encode_birthdate(moment, sex)  # type: ignore[arg-type]


def codice_fiscale_mismatches(
    *,
    codice_fiscale: str,
    last_name: str,
    first_name: str,
    sex: str,
    birth_date: datetime.date,
    birth_place_code: str,
) -> list[str]:
    """Which parts of a well-formed code do not match the data (PART_* names, in order).

    Omocodes are compared through their plain code, so a valid omocode of the computed code is
    consistent with the data.
    """
    code = codice_fiscale_base(codice_fiscale=codice_fiscale)
    mismatches: list[str] = []
    if code[0:3] != _last_name_part(last_name):
        mismatches.append(PART_LAST_NAME)
    if code[3:6] != _first_name_part(first_name):
        mismatches.append(PART_FIRST_NAME)
    day_number = int(code[9:11])
    same_date = (
        int(code[6:8]) == birth_date.year % 100
        and _MONTH_LETTERS.index(code[8]) + 1 == birth_date.month
        and day_number % FEMALE_DAY_OFFSET == birth_date.day
    )
    if not same_date:
        mismatches.append(PART_BIRTH_DATE)
    if ("F" if day_number > FEMALE_DAY_OFFSET else "M") != (sex or "").upper():
        mismatches.append(PART_SEX)
    if code[11:15] != (birth_place_code or "").strip().upper():
        mismatches.append(PART_BIRTH_PLACE)
    return mismatches


def codice_fiscale_check(
    *,
    codice_fiscale: str,
    last_name: str,
    first_name: str,
    sex: str,
    birth_date: datetime.date,
    birth_place_code: str,
) -> str:
    """Validate a person's codice fiscale and its consistency with their data.

    Returns the normalized code; raises ApplicationError naming, in plain Italian, what does not
    match («il codice fiscale non corrisponde al nome e alla data di nascita»). The mismatching
    parts are in `extra["mismatches"]`.
    """
    code = codice_fiscale_validate(codice_fiscale=codice_fiscale)
    mismatches = codice_fiscale_mismatches(
        codice_fiscale=code,
        last_name=last_name,
        first_name=first_name,
        sex=sex,
        birth_date=birth_date,
        birth_place_code=birth_place_code,
    )
    if mismatches:
        labels = _part_labels()
        parts = [labels[part] for part in mismatches]
        listed = (
            parts[0]
            if len(parts) == 1
            else _("%(first)s e %(last)s")
            % {
                "first": ", ".join(parts[:-1]),
                "last": parts[-1],
            }
        )
        raise ApplicationError(
            _("il codice fiscale non corrisponde %(parts)s") % {"parts": listed},
            extra={"field": "codice_fiscale", "mismatches": mismatches},
        )
    return code


def codice_fiscale_compute(
    *,
    last_name: str,
    first_name: str,
    sex: str,
    birth_date: datetime.date,
    birth_place_code: str,
) -> str:
    """The plain codice fiscale of a person, fast enough to generate many thousands.

    Uses python-codicefiscale's own encoders for each part and for the check character, but
    skips what makes its `encode()` slow (about 1.4 ms a call): the birth place search by name,
    date parsing with dateutil and the full decode it runs as a self-check. Name parts are cached.
    Look the code of a place up once with `belfiore.birth_place_code_lookup`.
    """
    body = (
        _last_name_part(last_name)
        + _first_name_part(first_name)
        + _birth_date_part(birth_date, sex.upper())
        + birth_place_code.upper()
    )
    return body + cf_lib.encode_cin(body)
