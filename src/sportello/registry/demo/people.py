"""The demo anagrafe's rows: households drawn, given their facts and codici fiscali, placed at
the civic numbers and written in bulk; and removed again on reset."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sportello.places.demo.town import BATCH_SIZE, DEMO_CODE_PREFIX
from sportello.places.models import CivicNumber
from sportello.registry.demo.facts import AIRE_HOUSEHOLDS, RegistryFacts
from sportello.registry.demo.households import Households
from sportello.registry.demo.members import CodiceFiscaleEncoder, Member, Origin
from sportello.registry.models import (
    CivilStatus,
    Family,
    FamilyKind,
    IdentityDocument,
    Person,
    Relationship,
    Sex,
)

COMMUNITY_MIN_CITIZENS = 200  # smaller demos have no convivenza anagrafica

# Civic numbers: a house, a small block of flats, or a large condominium.
BUILDING_WEIGHTS = ((1, 45), (4, 40), (12, 15))
FLATS_PER_STAIRCASE = 10


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


@dataclass(frozen=True)
class PeopleReport:
    citizens: int
    families: int
    # The first household's persons (the demo citizen's family), head first.
    showcase: list[Person]


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


def people_exist() -> bool:
    return Family.objects.filter(code__startswith=DEMO_CODE_PREFIX).exists()


def people_delete() -> int:
    """Remove the demo's persons and families; returns the persons."""
    _total, deleted = Person.objects.filter(family__code__startswith=DEMO_CODE_PREFIX).delete()
    Family.objects.filter(code__startswith=DEMO_CODE_PREFIX).delete()
    return deleted.get(Person._meta.label, 0)


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
    showcase = persons[: len(households[0])] if households else []
    return PeopleReport(citizens=len(persons), families=len(families), showcase=showcase)
