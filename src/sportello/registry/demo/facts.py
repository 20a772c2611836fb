"""The registry facts of the demo's households: civil-status events, contratti di convivenza,
registrations abroad (AIRE) and identity documents."""

from __future__ import annotations

import random
from datetime import date, timedelta
from functools import cache

from babel import Locale

from sportello.registry.demo import wordlists
from sportello.registry.demo.households import UNION_STATUS
from sportello.registry.demo.members import (
    TOWN_DATE,
    YEAR_DAYS,
    Member,
    adult_on,
    age_on,
    between,
    birthday,
    pick,
)
from sportello.registry.models import (
    CivilStatus,
    IdentityDocument,
    IdentityDocumentKind,
    Relationship,
)

# Registry facts.
LAW_76_2016 = date(2016, 6, 5)  # civil unions and contratti di convivenza exist since then
CIE_SINCE = date(2016, 7, 4)  # the electronic identity card (CIE 3.0) is issued everywhere
AIRE_HOUSEHOLDS = 0.006  # of the Italian households: registered abroad (AIRE)
AIRE_COUNTRIES = (("DE", 20), ("CH", 16), ("FR", 14), ("GB", 14), ("BE", 6), ("ES", 8),
                  ("AR", 8), ("BR", 6), ("US", 8))  # fmt: skip
COHABITATION_CONTRACTS = 0.25  # of unmarried couples: a registered contratto di convivenza
WEDDING_BEFORE_FIRST_CHILD = 0.85
HOME = "Livorno (LI)"
DOCUMENT_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


class RegistryFacts:
    """Draws the registry facts of the households: civil-status events, contratti di
    convivenza, registrations abroad and identity documents."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._tuscany = wordlists.comune_pairs(wordlists.COMUNI_TUSCANY)
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
            earliest = adult_on(max(head.birth_date, partner.birth_date), 20)
            if partner.relationship == Relationship.CIVIL_PARTNER:
                earliest = max(earliest, LAW_76_2016)
            children = [m.birth_date for m in household if m.relationship == Relationship.CHILD]
            if children and rng.random() < WEDDING_BEFORE_FIRST_CHILD:
                before_child = min(children) - timedelta(days=rng.randint(200, 1500))
                if before_child >= earliest:
                    latest = min(latest, before_child)
            if earliest <= latest:
                day, place = between(rng, earliest, latest), self.event_place(head)
                for member in (head, partner):
                    member.civil_status_date, member.civil_status_place = day, place
        elif partner is not None and rng.random() < COHABITATION_CONTRACTS:
            earliest = max(LAW_76_2016, adult_on(max(head.birth_date, partner.birth_date)))
            if earliest < TOWN_DATE:
                day = between(rng, earliest, TOWN_DATE - timedelta(days=1))
                head.cohabitation_contract_date = partner.cohabitation_contract_date = day
        for member in household:
            if member.civil_status in (CivilStatus.UNMARRIED, *UNION_STATUS.values()):
                continue
            if member.civil_status_date is not None:
                continue
            # A divorce, a spouse's death, the end of a civil union: in adult life, not yet.
            earliest = adult_on(member.birth_date, 25)
            if member.civil_status in (CivilStatus.UNION_ENDED_DEATH, CivilStatus.UNION_DISSOLVED):
                earliest = max(earliest, LAW_76_2016 + timedelta(days=365))
            if earliest < TOWN_DATE:
                member.civil_status_date = between(rng, earliest, TOWN_DATE - timedelta(days=1))
                member.civil_status_place = self.event_place(member)

    # --- Abroad ------------------------------------------------------------------------------

    def emigrate(self, household: list[Member]) -> None:
        """The household lives abroad and is registered in the AIRE of the comune."""
        country = str(pick(self.rng, AIRE_COUNTRIES))
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
        expires = birthday(member.birth_date, issued.year + years)
        self._add(
            member, IdentityDocumentKind.CIE, self.number("CL99999LL"), issued, expires,
            "Comune di Livorno",
        )  # fmt: skip

    def paper_card(self, member: Member) -> None:
        issued = between(self.rng, max(date(2010, 1, 1), adult_on(member.birth_date)),
                          date(2018, 12, 31))  # fmt: skip
        self._add(
            member, IdentityDocumentKind.PAPER_ID, self.number("AY9999999"), issued,
            birthday(member.birth_date, issued.year + 10), "Comune di Livorno",
        )  # fmt: skip

    def passport(self, member: Member, *, country: str = "", consulate: bool = False) -> None:
        issued = self._issued(member, 10 if age_on(member.birth_date) >= 18 else 5, since=date.min)
        age = age_on(member.birth_date, issued)
        years = 3 if age < 3 else 5 if age < 18 else 10
        expires = birthday(issued, issued.year + years)
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
        issued = max(issued, adult_on(member.birth_date))
        age = age_on(member.birth_date, issued)
        years = 10 if age < 50 else 5 if age < 70 else 3 if age < 80 else 2
        self._add(
            member, IdentityDocumentKind.DRIVING_LICENCE, self.number("U19999999L"), issued,
            birthday(member.birth_date, issued.year + years), "MIT-UCO",
        )  # fmt: skip


@cache
def _country_name(code: str) -> str:
    return Locale.parse("it").territories.get(code, code)
