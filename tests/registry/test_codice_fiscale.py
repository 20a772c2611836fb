"""The codice fiscale: format and check character, consistency with the person's data,
omocodia, and the fast computation. Expected codes are published examples or were worked out by
hand from the rules (check characters with python-stdnum), not produced by the code under test."""

from __future__ import annotations

import datetime

import pytest

from sportello.core.exceptions import ApplicationError
from sportello.registry.codice_fiscale import (
    codice_fiscale_base,
    codice_fiscale_check,
    codice_fiscale_compute,
    codice_fiscale_is_omocode,
    codice_fiscale_omocode,
    codice_fiscale_validate,
)

# (code, surname, name, sex, birth date, Belfiore code of the birth place)
MARIO_ROSSI = ("RSSMRA85T10A562S", "Rossi", "Mario", "M", datetime.date(1985, 12, 10), "A562")
KNOWN = [
    MARIO_ROSSI,  # the usual published example; A562 is San Giuliano Terme (PI)
    ("BNCLRA90C45E625K", "Bianchi", "Laura", "F", datetime.date(1990, 3, 5), "E625"),
    # more than three consonants in the name: the second is skipped (G, F, R)
    ("VRDGFR62L21D612N", "Verdi", "Gianfranco", "M", datetime.date(1962, 7, 21), "D612"),
    # short surname padded with X; day 31 + 40 for a woman
    ("FOXDIA01A71E625O", "Fo", "Ida", "F", datetime.date(2001, 1, 31), "E625"),
    # born abroad: the code of the foreign state (France)
    ("DPNMRA75H55Z110Q", "Dupont", "Marie", "F", datetime.date(1975, 6, 15), "Z110"),
    # apostrophe and accent are ignored
    ("DNGNCL88P03F839T", "D'Angelo", "Nicolò", "M", datetime.date(1988, 9, 3), "F839"),
]


def check(code: str, last: str, first: str, sex: str, born: datetime.date, place: str) -> str:
    return codice_fiscale_check(
        codice_fiscale=code,
        last_name=last,
        first_name=first,
        sex=sex,
        birth_date=born,
        birth_place_code=place,
    )


@pytest.mark.parametrize("known", KNOWN, ids=[known[0] for known in KNOWN])
def test_known_codes_match_their_people(known: tuple) -> None:
    assert check(*known) == known[0]


@pytest.mark.parametrize("known", KNOWN, ids=[known[0] for known in KNOWN])
def test_compute_gives_the_known_codes(known: tuple) -> None:
    code, last, first, sex, born, place = known
    computed = codice_fiscale_compute(
        last_name=last, first_name=first, sex=sex, birth_date=born, birth_place_code=place
    )
    assert computed == code


def test_lower_case_and_spaces_are_normalized() -> None:
    assert check(" rssmra 85t10 a562s ", *MARIO_ROSSI[1:]) == "RSSMRA85T10A562S"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "il codice fiscale è mancante"),
        ("RSSMRA85T10A562", "il codice fiscale deve avere 16 caratteri (ne ha 15)"),
        ("RSSMRA85T10A562SX", "il codice fiscale deve avere 16 caratteri (ne ha 17)"),
        ("RSSMRA85T10A562A", "il carattere di controllo non corrisponde"),
        ("12345678901", "il codice fiscale deve avere 16 caratteri (ne ha 11)"),
        ("RSSMRA85Z10A562S", "non ha il formato previsto"),
        ("RSSMRA8XT10A562S", "non ha il formato previsto"),
    ],
)
def test_malformed_codes_are_refused(code: str, message: str) -> None:
    with pytest.raises(ApplicationError) as caught:
        codice_fiscale_validate(codice_fiscale=code)
    assert message in caught.value.message


def test_a_code_with_an_impossible_date_is_refused() -> None:
    # 31 February, with a correct check character
    with pytest.raises(ApplicationError, match="data di nascita inesistente"):
        codice_fiscale_validate(codice_fiscale="RSSMRA85B31A562F")


@pytest.mark.parametrize(
    ("data", "message", "parts"),
    [
        (
            ("Bianchi", "Mario", "M", datetime.date(1985, 12, 10), "A562"),
            "al cognome",
            ["last_name"],
        ),
        (("Rossi", "Luigi", "M", datetime.date(1985, 12, 10), "A562"), "al nome", ["first_name"]),
        (
            ("Rossi", "Mario", "M", datetime.date(1985, 12, 11), "A562"),
            "alla data di nascita",
            ["birth_date"],
        ),
        (("Rossi", "Mario", "F", datetime.date(1985, 12, 10), "A562"), "al sesso", ["sex"]),
        (
            ("Rossi", "Mario", "M", datetime.date(1985, 12, 10), "E625"),
            "al luogo di nascita",
            ["birth_place_code"],
        ),
    ],
)
def test_each_mismatch_is_named(data: tuple, message: str, parts: list[str]) -> None:
    with pytest.raises(ApplicationError) as caught:
        check("RSSMRA85T10A562S", *data)
    assert caught.value.message == f"il codice fiscale non corrisponde {message}"
    assert caught.value.extra["mismatches"] == parts


def test_the_century_is_not_in_the_code() -> None:
    assert check("RSSMRA85T10A562S", "Rossi", "Mario", "M", datetime.date(1885, 12, 10), "A562")


def test_several_mismatches_are_listed_together() -> None:
    with pytest.raises(ApplicationError) as caught:
        check("RSSMRA85T10A562S", "Rossi", "Luigi", "F", datetime.date(1985, 12, 11), "A562")
    assert caught.value.message == (
        "il codice fiscale non corrisponde al nome, alla data di nascita e al sesso"
    )


# Omocodia: 2 -> N in the last digit position, then 6 -> S, and all seven replaced.
OMOCODES = ["RSSMRA85T10A56NH", "RSSMRA85T10A5SNT", "RSSMRAURTMLARSNL"]


@pytest.mark.parametrize("omocode", OMOCODES)
def test_an_omocode_is_consistent_with_the_data(omocode: str) -> None:
    assert check(omocode, *MARIO_ROSSI[1:]) == omocode
    assert codice_fiscale_is_omocode(codice_fiscale=omocode)
    assert codice_fiscale_base(codice_fiscale=omocode) == "RSSMRA85T10A562S"


def test_an_omocode_of_someone_else_is_not() -> None:
    with pytest.raises(ApplicationError, match="alla data di nascita"):
        check("RSSMRA85T10A56NH", "Rossi", "Mario", "M", datetime.date(1985, 12, 12), "A562")


def test_omocodes_are_generated_right_to_left() -> None:
    assert codice_fiscale_omocode(codice_fiscale="RSSMRA85T10A562S", level=1) == OMOCODES[0]
    assert codice_fiscale_omocode(codice_fiscale="RSSMRA85T10A562S", level=2) == OMOCODES[1]
    assert codice_fiscale_omocode(codice_fiscale=OMOCODES[0], level=7) == OMOCODES[2]
    assert not codice_fiscale_is_omocode(codice_fiscale="RSSMRA85T10A562S")
    with pytest.raises(ValueError):
        codice_fiscale_omocode(codice_fiscale="RSSMRA85T10A562S", level=8)
