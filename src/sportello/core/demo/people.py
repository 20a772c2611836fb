"""The demo anagrafe: plausible households of a Tuscan city with true codici fiscali.

Households follow the head's age (young singles, couples with children, elderly couples and
widows, some three-generation families); children are 18–45 years younger than their parents,
spouses are of similar age, and about one household in twelve comes from abroad. Everything is
drawn from one seeded random generator, so the same seed gives the same people.

On top of the people, the registry facts: identity documents (most adults hold an identity
card), the date and place of the last civil-status event (weddings before the first child),
contratti di convivenza, a few families of Italians living abroad (AIRE), one convivenza
anagrafica (a religious community), and copies of documents for the demo citizen's family.
They come from a second stream, so that they never change who lives in the town.
"""

from __future__ import annotations

import io
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from typing import TypeVar

from babel import Locale
from codicefiscale.codicefiscale import encode_birthplace
from PIL import Image, ImageDraw, ImageFont

from sportello.core.demo import data
from sportello.core.demo.town import BATCH_SIZE, DEMO_CODE_PREFIX
from sportello.documents.models import DocumentKind
from sportello.documents.services import document_copy_create
from sportello.places.models import CivicNumber
from sportello.registry.codice_fiscale import (
    OMOCODE_POSITIONS,
    codice_fiscale_compute,
    codice_fiscale_omocode,
)
from sportello.registry.models import (
    CivilStatus,
    Family,
    FamilyKind,
    IdentityDocument,
    IdentityDocumentKind,
    Person,
    Relationship,
    Sex,
)

# The day the demo town is a picture of: ages are counted to it, so the same seed gives the
# same people whatever day the demo is built.
TOWN_DATE = date(2026, 1, 1)
YEAR_DAYS = 365.2425
OLDEST_AGE = 101
FOREIGN_HOUSEHOLDS = 0.085  # Livorno: about 8% of residents are foreign citizens
NATURALISED_HOUSEHOLDS = 0.15  # of the foreign households: now Italian citizens

# Age of the head of household (ISTAT reference persons): band from, band to, weight.
HEAD_AGES = ((18, 25, 1.5), (25, 35, 8.5), (35, 45, 14), (45, 55, 20), (55, 65, 20),
             (65, 75, 17), (75, 85, 13), (85, 100, 6))  # fmt: skip
FOREIGN_HEAD_AGES = ((18, 25, 5), (25, 35, 28), (35, 45, 32), (45, 55, 22), (55, 65, 10),
                     (65, 80, 3))  # fmt: skip

SINGLE = "single"
COUPLE = "couple"
COUPLE_WITH_CHILDREN = "couple_with_children"
SINGLE_PARENT = "single_parent"
THREE_GENERATIONS = "three_generations"
SHARED = "shared"
# Kind of household by the head's age: up to this age, these weights.
HOUSEHOLDS_BY_AGE = (
    (35, ((SINGLE, 44), (COUPLE, 20), (COUPLE_WITH_CHILDREN, 26), (SINGLE_PARENT, 4),
          (SHARED, 6))),
    (55, ((SINGLE, 20), (COUPLE, 10), (COUPLE_WITH_CHILDREN, 55), (SINGLE_PARENT, 10),
          (THREE_GENERATIONS, 3), (SHARED, 2))),
    (63, ((SINGLE, 24), (COUPLE, 36), (COUPLE_WITH_CHILDREN, 28), (SINGLE_PARENT, 6),
          (THREE_GENERATIONS, 4), (SHARED, 2))),
    (75, ((SINGLE, 30), (COUPLE, 50), (COUPLE_WITH_CHILDREN, 14), (SINGLE_PARENT, 4),
          (SHARED, 2))),
    (200, ((SINGLE, 50), (COUPLE, 46), (COUPLE_WITH_CHILDREN, 2), (SHARED, 2))),
)  # fmt: skip
CHILDREN_COUNT = ((1, 45), (2, 42), (3, 11), (4, 2))
OLDEST_CHILD_AT_HOME = 42

# How a couple lives together, by the head's age: married, civilly united, or cohabiting.
UNIONS_BY_AGE = (
    (40, ((Relationship.SPOUSE, 63), (Relationship.CIVIL_PARTNER, 3), (Relationship.PARTNER, 34))),
    (65, ((Relationship.SPOUSE, 81), (Relationship.CIVIL_PARTNER, 2), (Relationship.PARTNER, 17))),
    (200, ((Relationship.SPOUSE, 94), (Relationship.CIVIL_PARTNER, 1), (Relationship.PARTNER, 5))),
)
UNION_STATUS = {
    Relationship.SPOUSE: CivilStatus.MARRIED,
    Relationship.CIVIL_PARTNER: CivilStatus.CIVIL_UNION,
}

# Civil status of people living without a partner, by age and sex.
ALONE_STATUS_YOUNG = ((CivilStatus.UNMARRIED, 93), (CivilStatus.DIVORCED, 5),
                      (CivilStatus.UNION_DISSOLVED, 1), (CivilStatus.WIDOWED, 1))  # fmt: skip
ALONE_STATUS_ADULT = ((CivilStatus.UNMARRIED, 48), (CivilStatus.DIVORCED, 38),
                      (CivilStatus.WIDOWED, 10), (CivilStatus.UNION_DISSOLVED, 3),
                      (CivilStatus.UNION_ENDED_DEATH, 1))  # fmt: skip
ALONE_STATUS_OLD = {
    Sex.FEMALE: ((CivilStatus.WIDOWED, 70), (CivilStatus.UNMARRIED, 12),
                 (CivilStatus.DIVORCED, 17), (CivilStatus.UNION_ENDED_DEATH, 1)),
    Sex.MALE: ((CivilStatus.WIDOWED, 50), (CivilStatus.UNMARRIED, 20),
               (CivilStatus.DIVORCED, 29), (CivilStatus.UNION_ENDED_DEATH, 1)),
}  # fmt: skip
COHABITING_STATUS = ((CivilStatus.UNMARRIED, 62), (CivilStatus.DIVORCED, 32),
                     (CivilStatus.WIDOWED, 4), (CivilStatus.UNION_DISSOLVED, 2))  # fmt: skip
SINGLE_PARENT_STATUS = ((CivilStatus.DIVORCED, 55), (CivilStatus.UNMARRIED, 33),
                        (CivilStatus.WIDOWED, 12))  # fmt: skip

# Omocodia: when two people would share a code, the Agenzia delle Entrate replaces digits with
# letters starting from the rightmost (positions 15, 14, 13, 11, 10, 8, 7 counting from 1).

# Registry facts.
LAW_76_2016 = date(2016, 6, 5)  # civil unions and contratti di convivenza exist since then
CIE_SINCE = date(2016, 7, 4)  # the electronic identity card (CIE 3.0) is issued everywhere
AIRE_HOUSEHOLDS = 0.006  # of the Italian households: registered abroad (AIRE)
AIRE_COUNTRIES = (("DE", 20), ("CH", 16), ("FR", 14), ("GB", 14), ("BE", 6), ("ES", 8),
                  ("AR", 8), ("BR", 6), ("US", 8))  # fmt: skip
COMMUNITY_MIN_CITIZENS = 200  # smaller demos have no convivenza anagrafica
COHABITATION_CONTRACTS = 0.25  # of unmarried couples: a registered contratto di convivenza
WEDDING_BEFORE_FIRST_CHILD = 0.85
HOME = "Livorno (LI)"
DOCUMENT_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"

# Civic numbers: a house, a small block of flats, or a large condominium.
BUILDING_WEIGHTS = ((1, 45), (4, 40), (12, 15))
FLATS_PER_STAIRCASE = 10


T = TypeVar("T")


class BirthPlace:
    """A birth place as the registry writes it, with its Belfiore code."""

    __slots__ = ("label", "code")

    def __init__(self, label: str, code: str) -> None:
        self.label = label
        self.code = code


@cache
def _comune(name: str, province: str) -> BirthPlace:
    code = encode_birthplace(f"{name}, {province}", datetime(1990, 1, 1))
    return BirthPlace(f"{name} ({province})", str(code))


@cache
def _country(name: str) -> BirthPlace:
    return BirthPlace(name, str(encode_birthplace(name, datetime(1990, 1, 1))))


def livorno() -> BirthPlace:
    return _comune("Livorno", "LI")


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

    nationality: data.Nationality | None = None
    arrived: date | None = None
    naturalised: bool = False

    @property
    def citizenship(self) -> str:
        if self.nationality is None or self.naturalised:
            return "IT"
        return self.nationality.iso


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


def _pick(rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


def _by_age(table: Sequence[tuple[int, T]], age: float) -> T:
    for limit, value in table:
        if age < limit:
            return value
    return table[-1][1]


def _years(value: float) -> timedelta:
    return timedelta(days=round(value * YEAR_DAYS))


def age_on(birth_date: date, day: date = TOWN_DATE) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class Households:
    """Draws households one at a time; `members` are in registry order, the head first."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        ranks = range(len(data.SURNAMES))
        # Zipf-like: the first surnames of the list are much more common than the last.
        self._surname_weights = [1 / (rank + 8) for rank in ranks]
        self._nationality_weights = [nationality.weight for nationality in data.NATIONALITIES]
        self._tuscany = data.comune_pairs(data.COMUNI_TUSCANY)
        self._italy = data.comune_pairs(data.COMUNI_ITALY)

    # --- Names and places --------------------------------------------------------------------

    def surname(self, origin: Origin) -> str:
        if origin.nationality is not None:
            return self.rng.choice(origin.nationality.surnames)
        return self.rng.choices(data.SURNAMES, weights=self._surname_weights)[0]

    def first_name(self, sex: str, born: date, origin: Origin, avoid: set[str]) -> str:
        if origin.nationality is not None:
            names = origin.nationality.male if sex == Sex.MALE else origin.nationality.female
        else:
            year = born.year + self.rng.randint(-8, 8)  # names drift across generations
            if sex == Sex.MALE:
                lists = (data.MALE_NAMES_OLD, data.MALE_NAMES_MIDDLE, data.MALE_NAMES_YOUNG)
            else:
                lists = (data.FEMALE_NAMES_OLD, data.FEMALE_NAMES_MIDDLE, data.FEMALE_NAMES_YOUNG)
            names = lists[0] if year < 1960 else lists[1] if year < 1990 else lists[2]
        for _attempt in range(6):
            name = self.rng.choice(names)
            if name not in avoid:
                return name
        return name

    def birth_place(self, born: date, origin: Origin) -> BirthPlace:
        rng = self.rng
        if origin.nationality is not None:
            if origin.arrived is not None and born >= origin.arrived:
                return livorno()
            return _country(origin.nationality.country)
        roll = rng.random()
        if age_on(born) < 18:
            if roll < 0.88:
                return livorno()
            if roll < 0.94:
                return _comune("Pisa", "PI")  # the university hospital is there
            return _comune(*rng.choice(self._tuscany if roll < 0.97 else self._italy))
        if roll < 0.64:
            return livorno()
        if roll < 0.78:
            return _comune(*rng.choice(self._tuscany))
        if roll < 0.98:
            return _comune(*rng.choice(self._italy))
        return _country(rng.choice(data.COUNTRIES_OF_EMIGRATION))

    # --- People ----------------------------------------------------------------------------

    def member(
        self,
        *,
        sex: str,
        born: date,
        origin: Origin,
        relationship: str,
        civil_status: str,
        last_name: str | None = None,
        avoid: set[str] | None = None,
    ) -> Member:
        return Member(
            first_name=self.first_name(sex, born, origin, avoid or set()),
            last_name=last_name or self.surname(origin),
            sex=sex,
            birth_date=born,
            birth_place=self.birth_place(born, origin),
            citizenship=origin.citizenship,
            civil_status=civil_status,
            relationship=relationship,
        )

    def born_at_age(self, age: float) -> date:
        return TOWN_DATE - _years(age)

    def alone_status(self, age: float, sex: str) -> str:
        if age < 35:
            return str(_pick(self.rng, ALONE_STATUS_YOUNG))
        if age < 65:
            return str(_pick(self.rng, ALONE_STATUS_ADULT))
        return str(_pick(self.rng, ALONE_STATUS_OLD[sex]))

    def partner_status(self, age: float) -> str:
        """Civil status of someone living with a partner they have not married."""
        if age < 35:
            return str(_pick(self.rng, ((CivilStatus.UNMARRIED, 90), (CivilStatus.DIVORCED, 10))))
        return str(_pick(self.rng, COHABITING_STATUS))

    def head_age(self, origin: Origin) -> float:
        bands = HEAD_AGES if origin.nationality is None else FOREIGN_HEAD_AGES
        low, high, _weight = self.rng.choices(bands, weights=[band[2] for band in bands])[0]
        return self.rng.uniform(low, high)

    def origin(self) -> Origin:
        rng = self.rng
        if rng.random() >= FOREIGN_HOUSEHOLDS:
            return Origin()
        nationality = rng.choices(data.NATIONALITIES, weights=self._nationality_weights)[0]
        return Origin(
            nationality=nationality,
            arrived=TOWN_DATE - _years(rng.uniform(1, 25)),
            naturalised=rng.random() < NATURALISED_HOUSEHOLDS,
        )

    # --- Households -------------------------------------------------------------------------

    def draw(self) -> list[Member]:
        origin = self.origin()
        age = self.head_age(origin)
        kind = _pick(self.rng, _by_age(HOUSEHOLDS_BY_AGE, age))
        if kind == SINGLE:
            return self.single(age, origin)
        if kind == COUPLE:
            return self.couple(age, origin, children=0)
        if kind == COUPLE_WITH_CHILDREN:
            return self.couple(age, origin, children=_pick(self.rng, CHILDREN_COUNT))
        if kind == SINGLE_PARENT:
            return self.single_parent(age, origin)
        if kind == THREE_GENERATIONS:
            return self.couple(age, origin, children=self.rng.randint(1, 2), elder=True)
        return self.shared(age, origin)

    def single(self, age: float, origin: Origin) -> list[Member]:
        female_share = 0.48 if age < 65 else 0.72  # women live longer: most widows live alone
        sex = Sex.FEMALE if self.rng.random() < female_share else Sex.MALE
        status = self.alone_status(age, sex)
        born = self.born_at_age(age)
        return [
            self.member(
                sex=sex, born=born, origin=origin, relationship=Relationship.HEAD,
                civil_status=status,
            )
        ]  # fmt: skip

    def couple(
        self,
        age: float,
        origin: Origin,
        *,
        children: int,
        elder: bool = False,
    ) -> list[Member]:
        rng = self.rng
        union = str(_pick(rng, _by_age(UNIONS_BY_AGE, age)))
        head_sex = Sex.MALE if rng.random() < 0.75 else Sex.FEMALE
        if union == Relationship.CIVIL_PARTNER:
            partner_sex, children, elder = head_sex, 0, False
        else:
            partner_sex = Sex.FEMALE if head_sex == Sex.MALE else Sex.MALE
        # The man is usually a little older; the gap is at most a dozen years either way.
        gap = max(-6.0, min(12.0, rng.gauss(2.5, 3.5)))
        partner_age = age - gap if head_sex == Sex.MALE else age + gap
        partner_age = max(18.2, min(float(OLDEST_AGE - 1), partner_age))
        if union == Relationship.PARTNER:
            statuses = [self.partner_status(age), self.partner_status(partner_age)]
        else:
            statuses = [UNION_STATUS[union]] * 2
        head = self.member(
            sex=head_sex, born=self.born_at_age(age), origin=origin,
            relationship=Relationship.HEAD, civil_status=statuses[0],
        )  # fmt: skip
        partner = self.member(
            sex=partner_sex, born=self.born_at_age(partner_age), origin=origin,
            relationship=union, civil_status=statuses[1],
        )  # fmt: skip
        household = [head, partner]
        if children:
            mother = head if head.sex == Sex.FEMALE else partner
            father = partner if mother is head else head
            household += self.children(
                [mother, father], count=children, origin=origin,
                surname=father.last_name,
            )  # fmt: skip
        if elder:
            household += self.elder(head, partner, origin)
        return household

    def single_parent(self, age: float, origin: Origin) -> list[Member]:
        sex = Sex.FEMALE if self.rng.random() < 0.8 else Sex.MALE
        parent = self.member(
            sex=sex, born=self.born_at_age(age), origin=origin, relationship=Relationship.HEAD,
            civil_status=str(_pick(self.rng, SINGLE_PARENT_STATUS)),
        )  # fmt: skip
        count = 1 if self.rng.random() < 0.6 else 2
        children = self.children([parent], count=count, origin=origin, surname=parent.last_name)
        return [parent, *children]

    def shared(self, age: float, origin: Origin) -> list[Member]:
        """Two siblings, or two people sharing a flat."""
        rng = self.rng
        head = self.single(age, origin)[0]
        other_age = max(18.2, age + rng.uniform(-8, 8))
        other_sex = Sex.MALE if rng.random() < 0.5 else Sex.FEMALE
        siblings = rng.random() < 0.5
        other = self.member(
            sex=other_sex, born=self.born_at_age(other_age), origin=origin,
            relationship=Relationship.SIBLING if siblings else Relationship.COHABITANT,
            civil_status=self.alone_status(other_age, other_sex),
            last_name=head.last_name if siblings else None, avoid={head.first_name},
        )  # fmt: skip
        return [head, other]

    def children(
        self,
        parents: list[Member],
        *,
        count: int,
        origin: Origin,
        surname: str,
        gaps: Sequence[float] = (),
    ) -> list[Member]:
        """Children born when every parent was 18–45, the first around the mother's 31st
        birthday, the next ones one to five years apart; those over 42 have left home."""
        rng = self.rng
        earliest = max(parent.birth_date for parent in parents) + _years(18.3)
        latest = min(min(parent.birth_date for parent in parents) + _years(44.7), TOWN_DATE)
        if earliest > latest:
            return []
        mother = parents[0]
        births: list[date] = []
        for index in range(count):
            if index < len(gaps):
                born = mother.birth_date + _years(gaps[index])
            elif not births:
                born = mother.birth_date + _years(max(18.3, rng.gauss(31, 5)))
            else:
                born = births[-1] + _years(rng.uniform(1.3, 5))
            born = max(born, earliest)
            if born > latest or (births and born <= births[-1]):
                break
            births.append(born)
        members: list[Member] = []
        names = {parent.first_name for parent in parents}
        for born in births:
            if age_on(born) > OLDEST_CHILD_AT_HOME:
                continue
            sex = Sex.MALE if rng.random() < 0.514 else Sex.FEMALE
            child = self.member(
                sex=sex, born=born, origin=origin, relationship=Relationship.CHILD,
                civil_status=CivilStatus.UNMARRIED, last_name=surname, avoid=names,
            )  # fmt: skip
            names.add(child.first_name)
            members.append(child)
        return members

    def elder(self, head: Member, partner: Member, origin: Origin) -> list[Member]:
        """A widowed parent of the head or of the partner, who lives with them."""
        rng = self.rng
        own_parent = rng.random() < 0.6
        child = head if own_parent else partner
        sex = Sex.FEMALE if rng.random() < 0.75 else Sex.MALE
        oldest = TOWN_DATE - _years(OLDEST_AGE - 0.5)
        born = child.birth_date - _years(rng.uniform(20, 40))
        if born < oldest:
            born = oldest
        if (child.birth_date - born).days < 18.3 * YEAR_DAYS:
            return []  # the child is too old to have a living parent
        status = CivilStatus.WIDOWED if rng.random() < 0.85 else CivilStatus.DIVORCED
        return [
            self.member(
                sex=sex, born=born, origin=origin,
                relationship=Relationship.PARENT if own_parent else Relationship.PARENT_IN_LAW,
                civil_status=status, last_name=child.last_name if sex == Sex.MALE else None,
            )
        ]  # fmt: skip

    def showcase(self) -> list[Member]:
        """A married couple in their forties with two school-age children: the family of the
        demo citizen's login, so that later screens have a family to show."""
        origin = Origin()
        father = self.member(
            sex=Sex.MALE, born=self.born_at_age(42.3), origin=origin,
            relationship=Relationship.HEAD, civil_status=CivilStatus.MARRIED,
        )  # fmt: skip
        mother = self.member(
            sex=Sex.FEMALE, born=self.born_at_age(39.6), origin=origin,
            relationship=Relationship.SPOUSE, civil_status=CivilStatus.MARRIED,
        )  # fmt: skip
        children = self.children(
            [mother, father], count=2, origin=origin, surname=father.last_name,
            gaps=(39.6 - 9.4, 39.6 - 5.8),
        )  # fmt: skip
        return [father, mother, *children]


def community(drawer: Households) -> list[Member]:
    """A convivenza anagrafica: a small community of nuns, the eldest in charge of it."""
    rng = drawer.rng
    origin = Origin()
    ages = sorted((rng.uniform(42, 94) for _ in range(rng.randint(5, 9))), reverse=True)
    return [
        drawer.member(
            sex=Sex.FEMALE,
            born=drawer.born_at_age(age),
            origin=origin,
            relationship=Relationship.HEAD if index == 0 else Relationship.COHABITANT,
            civil_status=CivilStatus.UNMARRIED,
        )
        for index, age in enumerate(ages)
    ]


def _between(rng: random.Random, earliest: date, latest: date) -> date:
    return earliest + timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))


def _birthday(born: date, year: int) -> date:
    try:
        return born.replace(year=year)
    except ValueError:  # 29 February
        return born.replace(year=year, day=28)


def _adult_on(born: date, years: int = 18) -> date:
    return _birthday(born, born.year + years)


class RegistryFacts:
    """Draws the registry facts of the households: civil-status events, contratti di
    convivenza, registrations abroad and identity documents."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._tuscany = data.comune_pairs(data.COMUNI_TUSCANY)
        self._numbers: set[str] = set()

    # --- Places and numbers ------------------------------------------------------------------

    def event_place(self, member: Member) -> str:
        """Where a wedding or other civil-status event was recorded."""
        roll = self.rng.random()
        if member.birth_place.code.startswith("Z") and roll < 0.5:
            return member.birth_place.label  # married in the country they come from
        if roll < 0.8:
            return HOME
        name, province = self.rng.choice(self._tuscany)
        return f"{name} ({province})"

    def number(self, pattern: str) -> str:
        """A document number no one else has: each «L» a letter, each «9» a digit."""
        rng = self.rng
        letters, digits = pattern.count("L"), pattern.count("9")
        while True:
            fill = {
                "L": iter(rng.choices(DOCUMENT_LETTERS, k=letters)),
                "9": iter(f"{rng.randrange(10**digits):0{digits}d}"),
            }
            number = "".join(next(fill[char]) if char in fill else char for char in pattern)
            if number not in self._numbers:
                self._numbers.add(number)
                return number

    # --- Civil status ------------------------------------------------------------------------

    def civil_events(self, household: list[Member]) -> None:
        rng = self.rng
        head = household[0]
        partners = (*UNION_STATUS, Relationship.PARTNER)
        partner = next((m for m in household[1:] if m.relationship in partners), None)
        if partner is not None and partner.relationship in UNION_STATUS:
            latest = TOWN_DATE - timedelta(days=30)
            earliest = _adult_on(max(head.birth_date, partner.birth_date), 20)
            if partner.relationship == Relationship.CIVIL_PARTNER:
                earliest = max(earliest, LAW_76_2016)
            children = [m.birth_date for m in household if m.relationship == Relationship.CHILD]
            if children and rng.random() < WEDDING_BEFORE_FIRST_CHILD:
                before_child = min(children) - timedelta(days=rng.randint(200, 1500))
                if before_child >= earliest:
                    latest = min(latest, before_child)
            if earliest <= latest:
                day, place = _between(rng, earliest, latest), self.event_place(head)
                for member in (head, partner):
                    member.civil_status_date, member.civil_status_place = day, place
        elif partner is not None and rng.random() < COHABITATION_CONTRACTS:
            earliest = max(LAW_76_2016, _adult_on(max(head.birth_date, partner.birth_date)))
            if earliest < TOWN_DATE:
                day = _between(rng, earliest, TOWN_DATE - timedelta(days=1))
                head.cohabitation_contract_date = partner.cohabitation_contract_date = day
        for member in household:
            if member.civil_status in (CivilStatus.UNMARRIED, *UNION_STATUS.values()):
                continue
            if member.civil_status_date is not None:
                continue
            # A divorce, a spouse's death, the end of a civil union: in adult life, not yet.
            earliest = _adult_on(member.birth_date, 25)
            if member.civil_status in (CivilStatus.UNION_ENDED_DEATH, CivilStatus.UNION_DISSOLVED):
                earliest = max(earliest, LAW_76_2016 + timedelta(days=365))
            if earliest < TOWN_DATE:
                member.civil_status_date = _between(rng, earliest, TOWN_DATE - timedelta(days=1))
                member.civil_status_place = self.event_place(member)

    # --- Abroad ------------------------------------------------------------------------------

    def emigrate(self, household: list[Member]) -> None:
        """The household lives abroad and is registered in the AIRE of the comune."""
        country = str(_pick(self.rng, AIRE_COUNTRIES))
        for member in household:
            member.aire, member.aire_country = True, country

    # --- Identity documents ------------------------------------------------------------------

    def identity_documents(self, member: Member, *, showcase: bool = False) -> None:
        rng = self.rng
        age = age_on(member.birth_date)
        italian = member.citizenship == "IT"
        if member.aire:
            if age >= 18 or rng.random() < 0.7:
                self.passport(member, consulate=True)
            return
        if age < 18:
            if showcase or rng.random() < 0.55:
                self.cie(member, recent=showcase)
            if rng.random() < 0.1:
                self.passport(member)
            return
        roll = rng.random()
        if showcase or roll < (0.78 if italian else 0.45):
            self.cie(member, recent=showcase)
        elif italian and roll < 0.9:
            self.paper_card(member)
        if not italian and rng.random() < 0.85:
            self.passport(member, country=member.birth_place.label)
        elif italian and rng.random() < 0.12:
            self.passport(member)
        # The registry records a driving licence only when it was shown as identity document.
        if 18 <= age < 86 and rng.random() < (0.3 if italian else 0.2):
            self.licence(member)

    def _issued(
        self, member: Member, validity_years: float, *, since: date, recent: bool = False
    ) -> date:
        # Mostly valid documents; about one in twenty has expired and not been renewed yet.
        # A recent one (the demo citizen's family) stays valid for years after the town's date.
        share = self.rng.uniform(0.0, 0.5 if recent else 1.05)
        days = round(validity_years * YEAR_DAYS * share)
        issued = TOWN_DATE - timedelta(days=days)
        return min(TOWN_DATE, max(issued, since, member.birth_date + timedelta(days=30)))

    def _add(
        self, member: Member, kind: str, number: str, issued: date, expires: date, issued_by: str
    ) -> None:
        member.documents.append(
            IdentityDocument(
                kind=kind,
                number=number,
                issued_on=issued,
                expires_on=expires,
                issued_by=issued_by,
            )
        )

    def cie(self, member: Member, *, recent: bool = False) -> None:
        """Valid 3 years under 3, 5 years under 18, 10 years for adults, to the birthday."""
        years = 10 if age_on(member.birth_date) >= 18 else 5
        issued = self._issued(member, years, since=CIE_SINCE, recent=recent)
        age = age_on(member.birth_date, issued)
        years = 3 if age < 3 else 5 if age < 18 else 10
        expires = _birthday(member.birth_date, issued.year + years)
        self._add(
            member, IdentityDocumentKind.CIE, self.number("CL99999LL"), issued, expires,
            "Comune di Livorno",
        )  # fmt: skip

    def paper_card(self, member: Member) -> None:
        issued = _between(self.rng, max(date(2010, 1, 1), _adult_on(member.birth_date)),
                          date(2018, 12, 31))  # fmt: skip
        self._add(
            member, IdentityDocumentKind.PAPER_ID, self.number("AY9999999"), issued,
            _birthday(member.birth_date, issued.year + 10), "Comune di Livorno",
        )  # fmt: skip

    def passport(self, member: Member, *, country: str = "", consulate: bool = False) -> None:
        issued = self._issued(member, 10 if age_on(member.birth_date) >= 18 else 5, since=date.min)
        age = age_on(member.birth_date, issued)
        years = 3 if age < 3 else 5 if age < 18 else 10
        expires = _birthday(issued, issued.year + years)
        if country:
            issued_by = country  # a foreign citizen's own passport
        elif consulate:
            issued_by = f"Consolato d'Italia, {_country_name(member.aire_country)}"
        else:
            issued_by = "Questura di Livorno"
        self._add(
            member, IdentityDocumentKind.PASSPORT, self.number("YL9999999"), issued, expires,
            issued_by,
        )  # fmt: skip

    def licence(self, member: Member) -> None:
        """Valid 10 years under 50, 5 under 70, 3 under 80, then 2; to the birthday."""
        issued = self._issued(member, 10 if age_on(member.birth_date) < 50 else 5, since=date.min)
        issued = max(issued, _adult_on(member.birth_date))
        age = age_on(member.birth_date, issued)
        years = 10 if age < 50 else 5 if age < 70 else 3 if age < 80 else 2
        self._add(
            member, IdentityDocumentKind.DRIVING_LICENCE, self.number("U19999999L"), issued,
            _birthday(member.birth_date, issued.year + years), "MIT-UCO",
        )  # fmt: skip


@cache
def _country_name(code: str) -> str:
    return Locale.parse("it").territories.get(code, code)


@cache
def _specimen_font(weight: str, size: int):
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
    title_font, text_font = _specimen_font("600", 44), _specimen_font("regular", 30)
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


@dataclass(frozen=True)
class PeopleReport:
    citizens: int
    families: int


def _residences(
    rng: random.Random, civics: list[CivicNumber], households: int
) -> list[tuple[int, str]]:
    """(civic number id, staircase/flat) for each household: houses hold one family,
    condominiums many, some civic numbers (shops, garages) none."""
    sizes, size_weights = zip(*BUILDING_WEIGHTS, strict=True)
    weights = rng.choices(sizes, weights=size_weights, k=len(civics))
    chosen = rng.choices(range(len(civics)), weights=weights, k=households)
    families_at = Counter(chosen)
    seen: Counter[int] = Counter()
    result: list[tuple[int, str]] = []
    for index in chosen:
        seen[index] += 1
        total, flat = families_at[index], seen[index]
        if total == 1:
            detail = ""
        elif total <= FLATS_PER_STAIRCASE:
            detail = f"interno {flat}"
        else:
            staircase = "ABCDEFGHIJ"[min((flat - 1) // FLATS_PER_STAIRCASE, 9)]
            detail = f"scala {staircase}, interno {flat}"
        result.append((civics[index].pk, detail))
    return result


def people_build(*, rng: random.Random, citizens: int, civics: list[CivicNumber]) -> PeopleReport:
    """Create `citizens` persons in registry families living at the given civic numbers, with
    their registry facts and identity documents."""
    encoder = CodiceFiscaleEncoder(set(Person.objects.values_list("codice_fiscale", flat=True)))
    drawer = Households(rng)
    # The facts' own stream, seeded from the people stream's state without drawing from it.
    facts_rng = random.Random(hash(rng.getstate()[1]))
    facts = RegistryFacts(facts_rng)
    households: list[list[Member]] = []
    kinds: list[str] = []
    remaining = citizens
    while remaining > 0:
        kind = FamilyKind.FAMILY
        if not households and citizens >= 4:
            members = drawer.showcase()
        elif len(households) == 1 and citizens >= COMMUNITY_MIN_CITIZENS:
            members, kind = community(Households(facts_rng)), FamilyKind.COHABITATION
        else:
            members = drawer.draw()
        if len(members) > remaining:
            members, kind = drawer.single(drawer.head_age(Origin()), Origin()), FamilyKind.FAMILY
        households.append(members)
        kinds.append(kind)
        remaining -= len(members)

    # Italian households registered abroad: a few, never the showcase or the community.
    candidates = [
        index
        for index, members in enumerate(households)
        if index > 0
        and kinds[index] == FamilyKind.FAMILY
        and all(m.citizenship == "IT" for m in members)
    ]
    abroad = round(len(candidates) * AIRE_HOUSEHOLDS) if citizens >= 100 else 0
    for index in facts_rng.sample(candidates, min(len(candidates), max(abroad, 0))):
        facts.emigrate(households[index])
    for index, members in enumerate(households):
        facts.civil_events(members)
        for member in members:
            facts.identity_documents(member, showcase=index == 0)

    families = Family.objects.bulk_create(
        (
            Family(code=f"{DEMO_CODE_PREFIX}F{index:07d}", kind=kind)
            for index, kind in enumerate(kinds, start=1)
        ),
        batch_size=BATCH_SIZE,
    )
    residences = _residences(rng, civics, len(households))
    persons: list[Person] = []
    placed: list[Member] = []
    for family, members, (civic_id, detail) in zip(families, households, residences, strict=True):
        for member in members:
            code = encoder.encode(member)
            while code is None:  # all eight omocodes taken: shift the birth by a day
                member.birth_date -= timedelta(days=1)
                code = encoder.encode(member)
            persons.append(
                Person(
                    codice_fiscale=code,
                    first_name=member.first_name,
                    last_name=member.last_name,
                    sex=member.sex,
                    birth_date=member.birth_date,
                    birth_place=member.birth_place.label,
                    birth_place_code=member.birth_place.code,
                    citizenship=member.citizenship,
                    civil_status=member.civil_status,
                    civil_status_date=member.civil_status_date,
                    civil_status_place=member.civil_status_place,
                    cohabitation_contract_date=member.cohabitation_contract_date,
                    aire=member.aire,
                    aire_country=member.aire_country,
                    family_id=family.pk,
                    relationship=member.relationship,
                    residence_id=None if member.aire else civic_id,
                    residence_detail="" if member.aire else detail,
                )
            )
            placed.append(member)
    Person.objects.bulk_create(persons, batch_size=BATCH_SIZE)
    documents = []
    for person, member in zip(persons, placed, strict=True):
        for document in member.documents:
            document.person_id = person.pk
            documents.append(document)
    IdentityDocument.objects.bulk_create(documents, batch_size=BATCH_SIZE)
    if households and len(households[0]) >= 4:
        demo_document_copies(persons[: len(households[0])])
    return PeopleReport(citizens=len(persons), families=len(families))
