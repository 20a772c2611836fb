"""Birth places and their Belfiore codes (codici catastali), from python-codicefiscale's data.

Italian comuni change: they merge, split, get renamed and move between provinces, and a
merged comune often gets a new code (Montalcino was F402 until 2016 and is M378 since 2017).
A person keeps the code of the comune as it was on their birth date, so every lookup here
takes the birth date and prefers the place that existed on that day.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from codicefiscale.data import get_countries_data, get_municipalities_data
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError

FOREIGN_PROVINCE = "EE"  # how the data marks a foreign state
BELFIORE_CODE_RE = re.compile(r"^[A-Z]\d{3}$")
# «Castro (LE)», «Castro, LE», «Castro - LE»: a place name followed by its province.
_NAME_WITH_PROVINCE_RE = re.compile(
    r"^(?P<name>.+?)\s*(?:\((?P<p1>[A-Za-z]{2})\)|[,\-]\s*(?P<p2>[A-Za-z]{2}))$"
)
_NOT_ALPHANUMERIC_RE = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class BirthPlace:
    """A comune or foreign state as it was during one period, with its Belfiore code."""

    code: str
    name: str
    province: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None

    @property
    def is_foreign(self) -> bool:
        return self.province == FOREIGN_PROVINCE

    @property
    def label(self) -> str:
        """«Livorno (LI)» for a comune, «Francia» for a foreign state."""
        return self.name if self.is_foreign else f"{self.name} ({self.province})"

    def existed_on(self, day: datetime.date) -> bool:
        starts = self.valid_from or datetime.date.min
        ends = self.valid_until or datetime.date.max
        return starts <= day <= ends


def place_key(text: str) -> str:
    """Fold a place name for matching: «Sant'Angelo d'Alife» -> «sant-angelo-d-alife»."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_ALPHANUMERIC_RE.sub("-", stripped.lower()).strip("-")


def _parse_date(value: str) -> datetime.date | None:
    return datetime.date.fromisoformat(value[:10]) if value else None


class _Index:
    """Places by folded name and by code; built once, on first use (about 0.1 s)."""

    def __init__(self) -> None:
        self.by_name: dict[str, list[BirthPlace]] = defaultdict(list)
        self.by_code: dict[str, list[BirthPlace]] = defaultdict(list)
        seen: set[BirthPlace] = set()
        for entry in [*get_municipalities_data(), *get_countries_data()]:
            code = str(entry["code"]).upper()
            if not BELFIORE_CODE_RE.match(code):
                continue  # a few historical comuni never had a code («ND»)
            place = BirthPlace(
                code=code,
                name=entry["name"],
                province=str(entry["province"]).upper(),
                valid_from=_parse_date(entry["date_created"]),
                valid_until=_parse_date(entry["date_deleted"]),
            )
            if place in seen:
                continue  # the data lists some periods twice
            seen.add(place)
            self.by_code[code].append(place)
            names = {entry["name"], *entry.get("name_slugs", [])}
            names |= {entry.get(key, "") for key in ("name_alt", "name_trans", "name_alt_en")}
            for key in {place_key(name) for name in names if name}:
                self.by_name[key].append(place)
        for places in [*self.by_name.values(), *self.by_code.values()]:
            places.sort(key=lambda place: place.valid_from or datetime.date.min)


@functools.cache
def _index() -> _Index:
    return _Index()


def _prefer_existing_on(places: list[BirthPlace], day: datetime.date | None) -> list[BirthPlace]:
    """The places that existed on `day`; if none did (gaps in the data), the first created after
    it, then the rest, as python-codicefiscale itself falls back."""
    if day is None:
        current = [place for place in places if place.valid_until is None]
        return current + [place for place in places if place not in current]
    existing = [place for place in places if place.existed_on(day)]
    if existing:
        return existing
    later = [place for place in places if place.valid_from and place.valid_from > day]
    return later + [place for place in reversed(places) if place not in later]


def birth_place_candidates(
    *, name: str, birth_date: datetime.date | None = None
) -> list[BirthPlace]:
    """Every place the name may mean, those that existed on the birth date first.

    `name` may be a comune («Livorno», «Livorno (LI)», «Castro, LE»), a foreign state («Francia»,
    «France») or a Belfiore code («E625»). An empty list means the name is unknown.
    """
    text = " ".join((name or "").split())
    if BELFIORE_CODE_RE.match(text.upper()):
        return _prefer_existing_on(list(_index().by_code.get(text.upper(), [])), birth_date)
    places = list(_index().by_name.get(place_key(text), []))
    match = _NAME_WITH_PROVINCE_RE.match(text)
    if not places and match:
        province = (match["p1"] or match["p2"]).upper()
        places = [
            place
            for place in _index().by_name.get(place_key(match["name"]), [])
            if place.province == province
        ]
    return _prefer_existing_on(places, birth_date)


def birth_place_code_lookup(*, name: str, birth_date: datetime.date | None = None) -> str:
    """The Belfiore code of a birth place on the birth date; unknown or ambiguous names fail."""
    candidates = birth_place_candidates(name=name, birth_date=birth_date)
    if not candidates:
        raise ApplicationError(
            _("luogo di nascita sconosciuto: «%(name)s»") % {"name": name},
            extra={"field": "birth_place"},
        )
    first = candidates[0]
    rivals = [
        place
        for place in candidates
        if place.code != first.code
        and (birth_date is None or place.existed_on(birth_date))
        and (birth_date is not None or place.valid_until is None)
    ]
    if rivals and (birth_date is None or first.existed_on(birth_date)):
        provinces = sorted({place.province for place in [first, *rivals]})
        raise ApplicationError(
            _("il luogo di nascita «%(name)s» è ambiguo: indicare la provincia (%(provinces)s)")
            % {"name": name, "provinces": ", ".join(provinces)},
            extra={"field": "birth_place"},
        )
    return first.code


def birth_place_by_code(*, code: str, birth_date: datetime.date | None = None) -> BirthPlace:
    """The comune or state a Belfiore code stood for on the birth date (A001 in 1920: Abano)."""
    places = _prefer_existing_on(list(_index().by_code.get(code.strip().upper(), [])), birth_date)
    if not places:
        raise ApplicationError(
            _("codice catastale sconosciuto: «%(code)s»") % {"code": code},
            extra={"field": "birth_place_code"},
        )
    return places[0]
