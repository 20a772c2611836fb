"""Reads for the anagrafe: persons by codice fiscale, families and their members, a citizen's
own registry data (the visura), and the civic number a residence is at."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from babel import Locale, UnknownLocaleError
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.places.models import CivicNumber, Street
from sportello.places.normalize import exponent_normalize, fold, street_name_words, street_parse
from sportello.registry.models import (
    CorrectionRequest,
    Family,
    FamilyKind,
    IdentityDocument,
    Person,
    Relationship,
)

ADULT_AGE = 18


def person_get_by_codice_fiscale(*, codice_fiscale: str) -> Person | None:
    code = "".join((codice_fiscale or "").split()).upper()
    return (
        Person.objects.select_related("family", "residence__street")
        .filter(codice_fiscale=code)
        .first()
    )


def family_get_by_code(*, code: str) -> Family | None:
    return Family.objects.filter(code=" ".join((code or "").split())).first()


def family_head(*, family: Family) -> Person | None:
    return (
        Person.objects.select_related("residence__street")
        .filter(family=family, relationship=Relationship.HEAD)
        .first()
    )


def family_members(*, family: Family) -> QuerySet[Person]:
    """The people on a scheda di famiglia: the head first, then the others by age."""
    return (
        Person.objects.filter(family=family)
        .select_related("residence__street")
        .annotate(
            head_first=Case(
                When(relationship=Relationship.HEAD, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("head_first", "birth_date", "last_name", "first_name")
    )


def person_family(*, person: Person) -> QuerySet[Person]:
    """The people registered in the same family as `person` (them included); just them if they
    belong to no family."""
    if person.family_id is None:
        return Person.objects.filter(pk=person.pk)
    return family_members(family=person.family)


def adult_from(*, today: datetime.date | None = None) -> datetime.date:
    """Whoever was born on or before this day is an adult today."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - ADULT_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - ADULT_AGE, day=28)


def person_is_minor(*, person: Person, today: datetime.date | None = None) -> bool:
    return person.birth_date > adult_from(today=today)


def family_minors_in_care(
    *, person: Person, today: datetime.date | None = None
) -> QuerySet[Person]:
    """The minors whose registry data an adult may see on their behalf: those of the adult's
    own registry family. Nobody's, when the adult is in no family or in a convivenza anagrafica
    (a community or care home), or is a plain cohabitant of the family (not a relative)."""
    if (
        person.family_id is None
        or person.family.kind != FamilyKind.FAMILY
        or person.relationship == Relationship.COHABITANT
        or person_is_minor(person=person, today=today)
    ):
        return Person.objects.none()
    return (
        Person.objects.filter(family_id=person.family_id, birth_date__gt=adult_from(today=today))
        .exclude(pk=person.pk)
        .order_by("birth_date", "pk")
    )


def country_name(*, code: str, language: str | None = None) -> str:
    """«DE» -> «Germania» (in the page's language); the code itself if unknown."""
    code = (code or "").upper()
    try:
        locale = Locale.parse((language or get_language() or "it").replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("it")
    return locale.territories.get(code, code)


@dataclass(frozen=True)
class Visura:
    """What a citizen sees of their own registry data on «I miei dati anagrafici»."""

    person: Person
    citizenship: str  # the country's name
    aire_country: str  # the country's name, for Italians registered abroad
    identity_documents: list[IdentityDocument]
    family: list[Person]  # the registry family, the head first (just the person if none)
    corrections: list[CorrectionRequest]
    today: datetime.date


def person_visura(*, person: Person) -> Visura:
    person = Person.objects.select_related("family", "residence__street").get(pk=person.pk)
    return Visura(
        person=person,
        citizenship=country_name(code=person.citizenship),
        aire_country=country_name(code=person.aire_country) if person.aire_country else "",
        identity_documents=list(person.identity_documents.all()),
        family=list(person_family(person=person)) if person.family_id else [],
        corrections=list(CorrectionRequest.objects.filter(person=person)),
        today=timezone.localdate(),
    )


@dataclass(frozen=True)
class AddressQuery:
    """An address as written in a registry record: a civic number's national code, or a street
    (its code, «type name» or name) with number and exponent."""

    street: str = ""
    number: int | None = None
    exponent: str = ""
    civic_code: str = ""


@dataclass(frozen=True)
class _StreetIndex:
    """The stradario's streets by code (upper case), by search key («via grande», the key
    places.normalize gives every street) and by name alone (None where a name is shared)."""

    by_code: dict[str, Street]
    by_key: dict[str, list[Street]]
    by_name: dict[str, Street | None]

    @classmethod
    def load(cls) -> _StreetIndex:
        by_code: dict[str, Street] = {}
        by_key: dict[str, list[Street]] = {}
        by_name: dict[str, Street | None] = {}
        for street in Street.objects.only("id", "code", "street_type", "name", "search_name"):
            if street.code:
                by_code[street.code.upper()] = street
            by_key.setdefault(street.search_name, []).append(street)
            _type, _space, name = street.search_name.partition(" ")
            by_name[name] = None if name in by_name else street
        return cls(by_code=by_code, by_key=by_key, by_name=by_name)

    def find(self, text: str) -> Street | None:
        """The street `text` names: its code, «type name» («V. Grande») or, when only one street
        has it, its name; read the way the geocoder reads it (places.normalize)."""
        street = self.by_code.get(text.upper())
        if street is not None:
            return street
        parsed = street_parse(text)
        if not parsed.words:
            return None
        words = " ".join(parsed.words)
        same_key = self.by_key.get(f"{parsed.street_type} {words}" if parsed.street_type else words)
        if same_key:
            if len(same_key) == 1:
                return same_key[0]
            # «Via della Madonna» and «Via Madonna» share a key: the one written so, if any.
            written = [s for s in same_key if fold(f"{s.street_type} {s.name}") == fold(text)]
            return written[0] if len(written) == 1 else None
        # A name that begins like a street type («Borgo San Jacopo» with no type of its own).
        return self.by_name.get(words) or self.by_name.get(" ".join(street_name_words(text)))


def residence_civic_numbers_find(
    *, addresses: Iterable[AddressQuery]
) -> dict[AddressQuery, CivicNumber | ApplicationError]:
    """The civic number each address is at, or the ApplicationError saying what was not found.

    Streets match on their code, on «type name» («Via Grande», «V. Grande») or on the name alone
    when only one street has it, read as the stradario's geocoder reads them (case, accents,
    abbreviations, articles). A few queries for any number of addresses.
    """
    addresses = set(addresses)
    results: dict[AddressQuery, CivicNumber | ApplicationError] = {}
    codes = {address.civic_code.strip().upper() for address in addresses if address.civic_code}
    by_code: dict[str, CivicNumber] = {}
    for chunk in _chunks(sorted(codes)):
        found = CivicNumber.objects.select_related("street").annotate(code_upper=Upper("code"))
        by_code |= {civic.code_upper: civic for civic in found.filter(code_upper__in=chunk)}
    streets = _StreetIndex.load() if any(not a.civic_code for a in addresses) else None
    wanted: dict[AddressQuery, tuple[int, int, str]] = {}
    found_streets: dict[AddressQuery, Street] = {}
    for address in addresses:
        if address.civic_code:
            code = address.civic_code.strip()
            results[address] = by_code.get(code.upper()) or ApplicationError(
                _("codice civico sconosciuto: «%(code)s»") % {"code": code},
                extra={"field": "residence"},
            )
            continue
        street_text = " ".join(address.street.split())
        if not street_text or address.number is None:
            results[address] = ApplicationError(
                _("indirizzo mancante: indicare via e numero civico, oppure il codice civico"),
                extra={"field": "residence"},
            )
            continue
        street = streets.find(street_text) if streets is not None else None
        if street is None:
            results[address] = ApplicationError(
                _("via sconosciuta nello stradario: «%(street)s»") % {"street": street_text},
                extra={"field": "residence"},
            )
            continue
        wanted[address] = (street.pk, address.number, exponent_normalize(address.exponent))
        found_streets[address] = street
    civics: dict[tuple[int, int, str], CivicNumber] = {}
    for chunk in _chunks(sorted({street_id for street_id, _n, _e in wanted.values()})):
        for civic in CivicNumber.objects.select_related("street").filter(street_id__in=chunk):
            civics[(civic.street_id, civic.number, exponent_normalize(civic.exponent))] = civic
    for address, key in wanted.items():
        civic = civics.get(key)
        if civic is None:
            street = found_streets[address]
            label = f"{key[1]}/{key[2]}" if key[2] else str(key[1])
            results[address] = ApplicationError(
                _("numero civico %(number)s non presente in %(street)s")
                % {"number": label, "street": street.full_name},
                extra={"field": "residence"},
            )
        else:
            results[address] = civic
    return results


def residence_civic_number_find(
    *, street: str = "", number: int | None = None, exponent: str = "", civic_code: str = ""
) -> CivicNumber:
    """The civic number one address is at; raises ApplicationError saying what was not found."""
    address = AddressQuery(street=street, number=number, exponent=exponent, civic_code=civic_code)
    result = residence_civic_numbers_find(addresses=[address])[address]
    if isinstance(result, ApplicationError):
        raise result
    return result


def _chunks(items: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def personal_area_corrections(*, user) -> list:
    """The citizen's error reports to the registry office, for «Area personale»."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from sportello.core.personal_area import PersonalItem
    from sportello.registry.models import CorrectionRequest, CorrectionStatus

    if not getattr(user, "person_id", None):
        return []
    reports = CorrectionRequest.objects.filter(person_id=user.person_id).order_by("-created_at")
    return [
        PersonalItem(
            service=_("Segnalazione all'anagrafe"),
            title=_("Errore nei dati: %(topic)s") % {"topic": report.get_topic_display()},
            status=report.get_status_display().capitalize(),
            when=report.created_at,
            url=reverse("registry:my_data") + "#segnalazioni",
            done=report.status in (CorrectionStatus.DONE, CorrectionStatus.REJECTED),
        )
        for report in reports[:5]
    ]
