"""Belfiore codes of birth places, by name and by code, as they were on the birth date."""

from __future__ import annotations

import datetime

import pytest

from sportello.core.exceptions import ApplicationError
from sportello.registry.belfiore import (
    birth_place_by_code,
    birth_place_candidates,
    birth_place_code_lookup,
)


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Livorno", "E625"),
        ("LIVORNO", "E625"),
        ("Bagno a Ripoli", "A564"),
        ("San Giuliano Terme", "A562"),
        ("Francia", "Z110"),
        ("France", "Z110"),
        ("Castro (LE)", "M261"),
        ("Castro, BG", "C337"),
        ("E625", "E625"),
    ],
)
def test_code_of_a_place_name(name: str, code: str) -> None:
    assert birth_place_code_lookup(name=name) == code


def test_a_merged_comune_gives_the_code_it_had_on_the_birth_date() -> None:
    # Montalcino merged with San Giovanni d'Asso on 1 January 2017 and got a new code.
    assert birth_place_code_lookup(name="Montalcino", birth_date=datetime.date(1970, 5, 1)) == (
        "F402"
    )
    assert birth_place_code_lookup(name="Montalcino", birth_date=datetime.date(2018, 5, 1)) == (
        "M378"
    )
    assert birth_place_code_lookup(name="Montalcino") == "M378"


def test_a_state_that_no_longer_exists_is_found() -> None:
    assert birth_place_code_lookup(name="Cecoslovacchia", birth_date=datetime.date(1980, 1, 1)) == (
        "Z105"
    )


def test_a_name_shared_by_two_comuni_asks_for_the_province() -> None:
    with pytest.raises(ApplicationError) as caught:
        birth_place_code_lookup(name="Castro")
    assert caught.value.message == (
        "il luogo di nascita «Castro» è ambiguo: indicare la provincia (BG, LE)"
    )
    codes = {place.code for place in birth_place_candidates(name="Castro")}
    assert {"C337", "M261"} <= codes


def test_an_unknown_place_is_refused() -> None:
    with pytest.raises(ApplicationError, match="luogo di nascita sconosciuto: «Atlantide»"):
        birth_place_code_lookup(name="Atlantide")


def test_place_of_a_code_on_the_birth_date() -> None:
    # A001 was «Abano» until 1924, then «Abano Terme».
    assert birth_place_by_code(code="A001", birth_date=datetime.date(1920, 1, 1)).name == "Abano"
    assert birth_place_by_code(code="a001", birth_date=datetime.date(1980, 1, 1)).label == (
        "Abano Terme (PD)"
    )
    france = birth_place_by_code(code="Z110")
    assert france.is_foreign and france.label == "Francia"


def test_an_unknown_code_is_refused() -> None:
    with pytest.raises(ApplicationError, match="codice catastale sconosciuto"):
        birth_place_by_code(code="Z999")
