"""The demo's households: by the head's age, young singles, couples with children, elderly
couples and widows, some three-generation families, one convivenza anagrafica."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

from sportello.registry.demo import wordlists
from sportello.registry.demo.members import (
    TOWN_DATE,
    YEAR_DAYS,
    BirthPlace,
    Member,
    Origin,
    age_on,
    by_age,
    comune,
    country,
    livorno,
    pick,
    years,
)
from sportello.registry.models import (
    CivilStatus,
    Relationship,
    Sex,
)

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


class Households:
    """Draws households one at a time; `members` are in registry order, the head first."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        ranks = range(len(wordlists.SURNAMES))
        # Zipf-like: the first surnames of the list are much more common than the last.
        self._surname_weights = [1 / (rank + 8) for rank in ranks]
        self._nationality_weights = [nationality.weight for nationality in wordlists.NATIONALITIES]
        self._tuscany = wordlists.comune_pairs(wordlists.COMUNI_TUSCANY)
        self._italy = wordlists.comune_pairs(wordlists.COMUNI_ITALY)

    # --- Names and places --------------------------------------------------------------------

    def surname(self, origin: Origin) -> str:
        if origin.nationality is not None:
            return self.rng.choice(origin.nationality.surnames)
        return self.rng.choices(wordlists.SURNAMES, weights=self._surname_weights)[0]

    def first_name(self, sex: str, born: date, origin: Origin, avoid: set[str]) -> str:
        if origin.nationality is not None:
            names = origin.nationality.male if sex == Sex.MALE else origin.nationality.female
        else:
            year = born.year + self.rng.randint(-8, 8)  # names drift across generations
            if sex == Sex.MALE:
                lists = (
                    wordlists.MALE_NAMES_OLD,
                    wordlists.MALE_NAMES_MIDDLE,
                    wordlists.MALE_NAMES_YOUNG,
                )
            else:
                lists = (
                    wordlists.FEMALE_NAMES_OLD,
                    wordlists.FEMALE_NAMES_MIDDLE,
                    wordlists.FEMALE_NAMES_YOUNG,
                )
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
            return country(origin.nationality.country)
        roll = rng.random()
        if age_on(born) < 18:
            if roll < 0.88:
                return livorno()
            if roll < 0.94:
                return comune("Pisa", "PI")  # the university hospital is there
            return comune(*rng.choice(self._tuscany if roll < 0.97 else self._italy))
        if roll < 0.64:
            return livorno()
        if roll < 0.78:
            return comune(*rng.choice(self._tuscany))
        if roll < 0.98:
            return comune(*rng.choice(self._italy))
        return country(rng.choice(wordlists.COUNTRIES_OF_EMIGRATION))

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
        return TOWN_DATE - years(age)

    def alone_status(self, age: float, sex: str) -> str:
        if age < 35:
            return str(pick(self.rng, ALONE_STATUS_YOUNG))
        if age < 65:
            return str(pick(self.rng, ALONE_STATUS_ADULT))
        return str(pick(self.rng, ALONE_STATUS_OLD[sex]))

    def partner_status(self, age: float) -> str:
        """Civil status of someone living with a partner they have not married."""
        if age < 35:
            return str(pick(self.rng, ((CivilStatus.UNMARRIED, 90), (CivilStatus.DIVORCED, 10))))
        return str(pick(self.rng, COHABITING_STATUS))

    def head_age(self, origin: Origin) -> float:
        bands = HEAD_AGES if origin.nationality is None else FOREIGN_HEAD_AGES
        low, high, _weight = self.rng.choices(bands, weights=[band[2] for band in bands])[0]
        return self.rng.uniform(low, high)

    def origin(self) -> Origin:
        rng = self.rng
        if rng.random() >= FOREIGN_HOUSEHOLDS:
            return Origin()
        nationality = rng.choices(wordlists.NATIONALITIES, weights=self._nationality_weights)[0]
        return Origin(
            nationality=nationality,
            arrived=TOWN_DATE - years(rng.uniform(1, 25)),
            naturalised=rng.random() < NATURALISED_HOUSEHOLDS,
        )

    # --- Households -------------------------------------------------------------------------

    def draw(self) -> list[Member]:
        origin = self.origin()
        age = self.head_age(origin)
        kind = pick(self.rng, by_age(HOUSEHOLDS_BY_AGE, age))
        if kind == SINGLE:
            return self.single(age, origin)
        if kind == COUPLE:
            return self.couple(age, origin, children=0)
        if kind == COUPLE_WITH_CHILDREN:
            return self.couple(age, origin, children=pick(self.rng, CHILDREN_COUNT))
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
        union = str(pick(rng, by_age(UNIONS_BY_AGE, age)))
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
            civil_status=str(pick(self.rng, SINGLE_PARENT_STATUS)),
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
        earliest = max(parent.birth_date for parent in parents) + years(18.3)
        latest = min(min(parent.birth_date for parent in parents) + years(44.7), TOWN_DATE)
        if earliest > latest:
            return []
        mother = parents[0]
        births: list[date] = []
        for index in range(count):
            if index < len(gaps):
                born = mother.birth_date + years(gaps[index])
            elif not births:
                born = mother.birth_date + years(max(18.3, rng.gauss(31, 5)))
            else:
                born = births[-1] + years(rng.uniform(1.3, 5))
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
        oldest = TOWN_DATE - years(OLDEST_AGE - 0.5)
        born = child.birth_date - years(rng.uniform(20, 40))
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
