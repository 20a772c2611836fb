"""The people of the demo anagrafe before they are rows: birth places, members, origins, the
codice fiscale encoder, and the date and weighting helpers the drawers share."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import TypeVar

from codicefiscale.codicefiscale import encode_birthplace

from sportello.registry.codice_fiscale import (
    OMOCODE_POSITIONS,
    codice_fiscale_compute,
    codice_fiscale_omocode,
)
from sportello.registry.demo import wordlists
from sportello.registry.models import IdentityDocument

# The day the demo town is a picture of: ages are counted to it, so the same seed gives the
# same people whatever day the demo is built.
TOWN_DATE = date(2026, 1, 1)
YEAR_DAYS = 365.2425

T = TypeVar("T")


class BirthPlace:
    """A birth place as the registry writes it, with its Belfiore code."""

    __slots__ = ("label", "code")

    def __init__(self, label: str, code: str) -> None:
        self.label = label
        self.code = code


@cache
def comune(name: str, province: str) -> BirthPlace:
    code = encode_birthplace(f"{name}, {province}", datetime(1990, 1, 1))
    return BirthPlace(f"{name} ({province})", str(code))


@cache
def country(name: str) -> BirthPlace:
    return BirthPlace(name, str(encode_birthplace(name, datetime(1990, 1, 1))))


def livorno() -> BirthPlace:
    return comune("Livorno", "LI")


@dataclass
class Member:
    """A person before they get a codice fiscale and a row."""

    first_name: str
    last_name: str
    sex: str
    birth_date: date
    birth_place: BirthPlace
    citizenship: str
    civil_status: str
    relationship: str
    civil_status_date: date | None = None
    civil_status_place: str = ""
    cohabitation_contract_date: date | None = None
    aire: bool = False
    aire_country: str = ""
    documents: list[IdentityDocument] = field(default_factory=list)


@dataclass
class Origin:
    """Where a household comes from: Italy, or a foreign community and when it arrived."""

    nationality: wordlists.Nationality | None = None
    arrived: date | None = None
    naturalised: bool = False

    @property
    def citizenship(self) -> str:
        if self.nationality is None or self.naturalised:
            return "IT"
        return self.nationality.iso


# Omocodia: when two people would share a code, the Agenzia delle Entrate replaces digits with
# letters starting from the rightmost (positions 15, 14, 13, 11, 10, 8, 7 counting from 1).
class CodiceFiscaleEncoder:
    """The registry's codice fiscale (official algorithm), with omocodia applied when a code is
    already taken, as the Agenzia delle Entrate does."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken

    def encode(self, member: Member) -> str | None:
        """A code no one else has, or None if all eight variants are taken."""
        code = codice_fiscale_compute(
            last_name=member.last_name,
            first_name=member.first_name,
            sex=member.sex,
            birth_date=member.birth_date,
            birth_place_code=member.birth_place.code,
        )
        candidates = [code] + [
            codice_fiscale_omocode(codice_fiscale=code, level=level)
            for level in range(1, len(OMOCODE_POSITIONS) + 1)
        ]
        for candidate in candidates:
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        return None


def pick(rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


def by_age(table: Sequence[tuple[int, T]], age: float) -> T:
    for limit, value in table:
        if age < limit:
            return value
    return table[-1][1]


def years(value: float) -> timedelta:
    return timedelta(days=round(value * YEAR_DAYS))


def age_on(birth_date: date, day: date = TOWN_DATE) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def between(rng: random.Random, earliest: date, latest: date) -> date:
    return earliest + timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))


def birthday(born: date, year: int) -> date:
    try:
        return born.replace(year=year)
    except ValueError:  # 29 February
        return born.replace(year=year, day=28)


def adult_on(born: date, years: int = 18) -> date:
    return birthday(born, born.year + years)
