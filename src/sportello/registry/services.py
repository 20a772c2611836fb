"""Writes for the anagrafe: persons, registry families (schede di famiglia) and residence.

The rules kept here, with messages a clerk can act on (the database keeps the first two as a
safety net):
- a family has exactly one head (intestatario scheda);
- a member of a family has a relationship to the head, and nobody outside a family has one;
- the members of a family live at the head's civic number: moving the head moves the family;
- Italians living abroad (AIRE) have no residence here, and a family is either all resident or
  all registered abroad.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from typing import Any

from babel import Locale
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.core.queueing import enqueue_after_commit
from sportello.places.models import CivicNumber
from sportello.registry.belfiore import birth_place_by_code, birth_place_candidates, place_key
from sportello.registry.codice_fiscale import (
    codice_fiscale_base,
    codice_fiscale_check,
    codice_fiscale_validate,
)
from sportello.registry.hooks import residence_changed_publish
from sportello.registry.models import (
    CivilStatus,
    CorrectionRequest,
    CorrectionStatus,
    CorrectionTopic,
    Family,
    FamilyKind,
    IdentityDocument,
    IdentityDocumentKind,
    Person,
    Relationship,
    Sex,
)
from sportello.registry.selectors import family_head
from sportello.registry.tasks import email_correction_request_status

PERSONAL_FIELDS = (
    "codice_fiscale",
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "birth_place",
    "birth_place_code",
    "citizenship",
    "civil_status",
    "date_of_death",
)
# Registry facts beyond the codice fiscale's: the last civil-status event, a contratto di
# convivenza, the registration abroad (AIRE).
FACT_FIELDS = (
    "civil_status_date",
    "civil_status_place",
    "cohabitation_contract_date",
    "aire",
    "aire_country",
)
UPDATABLE_FIELDS = (
    *PERSONAL_FIELDS,
    *FACT_FIELDS,
    "family",
    "relationship",
    "residence",
    "residence_detail",
)
# Law 76/2016 (civil unions and contratti di convivenza) is in force since this day.
LAW_76_2016_SINCE = datetime.date(2016, 6, 5)
UNION_STATUSES = (
    CivilStatus.CIVIL_UNION,
    CivilStatus.UNION_ENDED_DEATH,
    CivilStatus.UNION_DISSOLVED,
)
# A contratto di convivenza ends with a marriage or civil union of either party (L. 76/2016 c. 59).
BOUND_STATUSES = (CivilStatus.MARRIED, CivilStatus.CIVIL_UNION)
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}  # CLDR regions that are no state


@dataclasses.dataclass(frozen=True)
class PersonData:
    """A person's own data, checked and normalized; what `person_validate` returns."""

    codice_fiscale: str
    first_name: str
    last_name: str
    sex: str
    birth_date: datetime.date
    birth_place: str
    birth_place_code: str
    citizenship: str
    civil_status: str
    date_of_death: datetime.date | None = None

    def as_fields(self) -> dict[str, Any]:
        # Not dataclasses.asdict(): it deep-copies, which the import pays for on every row.
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


def _clean_text(value: str | None) -> str:
    return " ".join((value or "").split())


@functools.cache
def _countries() -> dict[str, str]:
    """Folded Italian and English country names, and ISO codes, -> ISO 3166 alpha-2 code."""
    countries: dict[str, str] = {}
    for language in ("en", "it"):
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES:
                countries[place_key(name)] = code
                countries[code.lower()] = code
    countries[place_key("italiana")] = countries[place_key("italiano")] = "IT"
    return countries


def _country_code(text: str) -> str | None:
    return _countries().get(place_key(text)) or _countries().get(text.lower())


def citizenship_normalize(value: str) -> str:
    """«it», «Italia», «Italy» -> «IT»; an empty value means Italian citizenship."""
    text = _clean_text(value)
    if not text:
        return "IT"
    code = _country_code(text)
    if code is None:
        raise ApplicationError(
            _("cittadinanza sconosciuta: «%(value)s» (usare il codice ISO, es. IT, FR)")
            % {"value": value},
            extra={"field": "citizenship"},
        )
    return code


def _birth_place_resolve(
    *, codice_fiscale: str, birth_place: str, birth_place_code: str, birth_date: datetime.date
) -> tuple[str, str]:
    """(name, Belfiore code) of the birth place, from either or both.

    A name alone may fit several places (same-named comuni, a comune that changed code): the one
    the codice fiscale names is taken when it fits, so the check that follows is meaningful.
    """
    name = _clean_text(birth_place)
    code = _clean_text(birth_place_code).upper()
    if code:
        place = birth_place_by_code(code=code, birth_date=birth_date)
        if name and code not in {c.code for c in birth_place_candidates(name=name)}:
            raise ApplicationError(
                _("il codice catastale %(code)s non corrisponde al luogo di nascita «%(name)s»")
                % {"code": code, "name": name},
                extra={"field": "birth_place_code"},
            )
        return name or place.name, code
    if not name:
        raise ApplicationError(_("il luogo di nascita è mancante"), extra={"field": "birth_place"})
    candidates = birth_place_candidates(name=name, birth_date=birth_date)
    if not candidates:
        raise ApplicationError(
            _("luogo di nascita sconosciuto: «%(name)s»") % {"name": name},
            extra={"field": "birth_place"},
        )
    code_in_cf = codice_fiscale_base(codice_fiscale=codice_fiscale)[11:15]
    if code_in_cf in {place.code for place in candidates}:
        return name, code_in_cf
    return name, candidates[0].code


def person_validate(
    *,
    codice_fiscale: str,
    first_name: str,
    last_name: str,
    sex: str,
    birth_date: datetime.date | None,
    birth_place: str = "",
    birth_place_code: str = "",
    citizenship: str = "IT",
    civil_status: str,
    date_of_death: datetime.date | None = None,
) -> PersonData:
    """Check a person's own data, the codice fiscale against it included; no database access.

    Used by every write (services, the CSV import, the back-office form), so that all of them
    accept and refuse the same things with the same words.
    """
    first_name, last_name = _clean_text(first_name), _clean_text(last_name)
    if not last_name:
        raise ApplicationError(_("il cognome è mancante"), extra={"field": "last_name"})
    if not first_name:
        raise ApplicationError(_("il nome è mancante"), extra={"field": "first_name"})
    sex = _clean_text(sex).upper()
    if sex not in Sex.values:
        raise ApplicationError(
            _("sesso non valido: «%(value)s» (indicare M o F)") % {"value": sex},
            extra={"field": "sex"},
        )
    today = timezone.localdate()
    if birth_date is None:
        raise ApplicationError(_("la data di nascita è mancante"), extra={"field": "birth_date"})
    if birth_date > today:
        raise ApplicationError(
            _("la data di nascita %(date)s è nel futuro")
            % {"date": birth_date.strftime("%d/%m/%Y")},
            extra={"field": "birth_date"},
        )
    if date_of_death is not None and not birth_date <= date_of_death <= today:
        raise ApplicationError(
            _("la data di morte deve essere tra la data di nascita e oggi"),
            extra={"field": "date_of_death"},
        )
    if civil_status not in CivilStatus.values:
        raise ApplicationError(
            _("stato civile sconosciuto: «%(value)s»") % {"value": civil_status},
            extra={"field": "civil_status"},
        )
    citizenship = citizenship_normalize(citizenship)
    code = codice_fiscale_validate(codice_fiscale=codice_fiscale)
    birth_place, birth_place_code = _birth_place_resolve(
        codice_fiscale=code,
        birth_place=birth_place,
        birth_place_code=birth_place_code,
        birth_date=birth_date,
    )
    code = codice_fiscale_check(
        codice_fiscale=code,
        last_name=last_name,
        first_name=first_name,
        sex=sex,
        birth_date=birth_date,
        birth_place_code=birth_place_code,
    )
    return PersonData(
        codice_fiscale=code,
        first_name=first_name,
        last_name=last_name,
        sex=sex,
        birth_date=birth_date,
        birth_place=birth_place,
        birth_place_code=birth_place_code,
        citizenship=citizenship,
        civil_status=civil_status,
        date_of_death=date_of_death,
    )


@dataclasses.dataclass(frozen=True)
class PersonFacts:
    """A person's registry facts, checked and normalized; what `person_facts_validate` returns."""

    civil_status_date: datetime.date | None = None
    civil_status_place: str = ""
    cohabitation_contract_date: datetime.date | None = None
    aire: bool = False
    aire_country: str = ""

    def as_fields(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


def person_facts_validate(
    *,
    birth_date: datetime.date,
    citizenship: str,
    civil_status: str,
    civil_status_date: datetime.date | None = None,
    civil_status_place: str = "",
    cohabitation_contract_date: datetime.date | None = None,
    aire: bool = False,
    aire_country: str = "",
) -> PersonFacts:
    """Check a person's registry facts against their own (already checked) data; no database
    access. Where the person lives is checked with the family rules (`person_membership_check`).
    """
    today = timezone.localdate()
    place = _clean_text(civil_status_place)
    if civil_status == CivilStatus.UNMARRIED and (civil_status_date or place):
        raise ApplicationError(
            _("chi è celibe o nubile non ha eventi di stato civile: lasciare vuoti data e luogo"),
            extra={"field": "civil_status_date"},
        )
    if civil_status_date is not None:
        if not birth_date < civil_status_date <= today:
            raise ApplicationError(
                _("la data dell'evento di stato civile deve essere tra la nascita e oggi"),
                extra={"field": "civil_status_date"},
            )
        if civil_status in UNION_STATUSES and civil_status_date < LAW_76_2016_SINCE:
            raise ApplicationError(
                _(
                    "le unioni civili esistono dal 5 giugno 2016 (legge 76/2016): "
                    "correggere la data"
                ),
                extra={"field": "civil_status_date"},
            )
    if cohabitation_contract_date is not None:
        if civil_status in BOUND_STATUSES:
            raise ApplicationError(
                _(
                    "il contratto di convivenza è tra persone non sposate né unite civilmente: "
                    "togliere la data del contratto o correggere lo stato civile"
                ),
                extra={"field": "cohabitation_contract_date"},
            )
        if not LAW_76_2016_SINCE <= cohabitation_contract_date <= today:
            raise ApplicationError(
                _(
                    "la data del contratto di convivenza deve essere tra il 5 giugno 2016 "
                    "(legge 76/2016) e oggi"
                ),
                extra={"field": "cohabitation_contract_date"},
            )
        if cohabitation_contract_date < _years_after(birth_date, 18):
            raise ApplicationError(
                _("il contratto di convivenza si stipula da maggiorenni: correggere la data"),
                extra={"field": "cohabitation_contract_date"},
            )
    country = _clean_text(aire_country)
    if aire:
        if citizenship != "IT":
            raise ApplicationError(
                _("all'AIRE si iscrivono solo i cittadini italiani"), extra={"field": "aire"}
            )
        if not country:
            raise ApplicationError(
                _("indicare il paese di residenza all'estero di chi è iscritto all'AIRE"),
                extra={"field": "aire_country"},
            )
        code = _country_code(country)
        if code is None:
            raise ApplicationError(
                _("paese sconosciuto: «%(value)s» (usare il codice ISO, es. DE, AR)")
                % {"value": country},
                extra={"field": "aire_country"},
            )
        if code == "IT":
            raise ApplicationError(
                _("il paese di residenza all'estero non può essere l'Italia"),
                extra={"field": "aire_country"},
            )
        country = code
    elif country:
        raise ApplicationError(
            _("il paese di residenza all'estero si indica solo per chi è iscritto all'AIRE"),
            extra={"field": "aire_country"},
        )
    return PersonFacts(
        civil_status_date=civil_status_date,
        civil_status_place=place if civil_status_date or place else "",
        cohabitation_contract_date=cohabitation_contract_date,
        aire=bool(aire),
        aire_country=country,
    )


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _leaving_head_check(*, person: Person | None, family: Family | None, relationship: str) -> None:
    """A head may not leave a family that has other members (nor stop being its head)."""
    if person is None or person.pk is None or person.relationship != Relationship.HEAD:
        return
    stays_head = family is not None and family.pk == person.family_id
    if stays_head and relationship == Relationship.HEAD:
        return
    if Person.objects.filter(family_id=person.family_id).exclude(pk=person.pk).exists():
        raise ApplicationError(
            _(
                "%(name)s è intestatario della famiglia %(family)s, che ha altri componenti: "
                "cambiare prima l'intestatario"
            )
            % {"name": person.full_name, "family": person.family},
            extra={"field": "relationship"},
        )


def person_membership_check(
    *,
    person: Person | None,
    family: Family | None,
    relationship: str,
    residence: CivicNumber | None,
    aire: bool = False,
) -> CivicNumber | None:
    """Check that `person` (None for someone new) may belong to `family` as `relationship`,
    living at `residence` (or abroad, when `aire`); return the residence they will have (a member
    without one takes the head's). Reads the database; the back-office form calls it too."""
    if aire and residence is not None:
        raise ApplicationError(
            _("chi è iscritto all'AIRE non ha una residenza in Italia: togliere la residenza"),
            extra={"field": "residence"},
        )
    if family is None:
        if relationship:
            raise ApplicationError(
                _(
                    "il rapporto con l'intestatario si indica solo per chi appartiene "
                    "a una famiglia"
                ),
                extra={"field": "relationship"},
            )
        _leaving_head_check(person=person, family=None, relationship="")
        return residence
    if not relationship:
        raise ApplicationError(
            _("indicare il rapporto con l'intestatario della famiglia %(family)s")
            % {"family": family},
            extra={"field": "relationship"},
        )
    if relationship not in Relationship.values:
        raise ApplicationError(
            _("rapporto con l'intestatario sconosciuto: «%(value)s»") % {"value": relationship},
            extra={"field": "relationship"},
        )
    _leaving_head_check(person=person, family=family, relationship=relationship)
    head = family_head(family=family)
    if head is not None and person is not None and head.pk == person.pk:
        head = None
    if relationship == Relationship.HEAD:
        if head is not None:
            raise ApplicationError(
                _("la famiglia %(family)s ha già un intestatario: %(head)s")
                % {"family": family, "head": head},
                extra={"field": "relationship"},
            )
        if residence is None and not aire:
            raise ApplicationError(
                _("l'intestatario della famiglia deve risiedere a un numero civico"),
                extra={"field": "residence"},
            )
    else:
        if head is None:
            raise ApplicationError(
                _("la famiglia %(family)s non ha un intestatario") % {"family": family},
                extra={"field": "family"},
            )
        if head.aire != aire:
            message = (
                _(
                    "la famiglia %(family)s è iscritta all'AIRE: ne fa parte solo chi è "
                    "iscritto all'AIRE"
                )
                if head.aire
                else _(
                    "la famiglia %(family)s risiede nel Comune: chi è iscritto all'AIRE non "
                    "può farne parte"
                )
            )
            raise ApplicationError(message % {"family": family}, extra={"field": "aire"})
        if residence is None:
            residence = head.residence
        elif residence.pk != head.residence_id:
            raise ApplicationError(
                _(
                    "i componenti della famiglia %(family)s risiedono all'indirizzo "
                    "dell'intestatario (%(address)s)"
                )
                % {"family": family, "address": head.residence},
                extra={"field": "residence"},
            )
    return residence


def _codice_fiscale_free_check(*, codice_fiscale: str, person: Person | None = None) -> None:
    others = Person.objects.filter(codice_fiscale=codice_fiscale)
    if person is not None:
        others = others.exclude(pk=person.pk)
    if others.exists():
        raise ApplicationError(
            _("esiste già una persona con il codice fiscale %(code)s") % {"code": codice_fiscale},
            extra={"field": "codice_fiscale"},
        )


@transaction.atomic
def person_create(
    *,
    codice_fiscale: str,
    first_name: str,
    last_name: str,
    sex: str,
    birth_date: datetime.date,
    birth_place: str = "",
    birth_place_code: str = "",
    citizenship: str = "IT",
    civil_status: str,
    family: Family | None = None,
    relationship: str = "",
    residence: CivicNumber | None = None,
    residence_detail: str = "",
    date_of_death: datetime.date | None = None,
    civil_status_date: datetime.date | None = None,
    civil_status_place: str = "",
    cohabitation_contract_date: datetime.date | None = None,
    aire: bool = False,
    aire_country: str = "",
) -> Person:
    """Register a person. To make them the head of a new family, call `family_create` next."""
    data = person_validate(
        codice_fiscale=codice_fiscale,
        first_name=first_name,
        last_name=last_name,
        sex=sex,
        birth_date=birth_date,
        birth_place=birth_place,
        birth_place_code=birth_place_code,
        citizenship=citizenship,
        civil_status=civil_status,
        date_of_death=date_of_death,
    )
    facts = person_facts_validate(
        birth_date=data.birth_date,
        citizenship=data.citizenship,
        civil_status=data.civil_status,
        civil_status_date=civil_status_date,
        civil_status_place=civil_status_place,
        cohabitation_contract_date=cohabitation_contract_date,
        aire=aire,
        aire_country=aire_country,
    )
    _codice_fiscale_free_check(codice_fiscale=data.codice_fiscale)
    residence = person_membership_check(
        person=None,
        family=family,
        relationship=relationship,
        residence=residence,
        aire=facts.aire,
    )
    person = Person(
        **data.as_fields(),
        **facts.as_fields(),
        family=family,
        relationship=relationship,
        residence=residence,
        residence_detail=_clean_text(residence_detail),
    )
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # someone registered the same code in the meantime
        _codice_fiscale_free_check(codice_fiscale=data.codice_fiscale)
        raise
    return person


@transaction.atomic
def person_update(*, person: Person, data: dict[str, Any]) -> Person:
    """Change a person: any of UPDATABLE_FIELDS, checked together with what does not change.

    Changing the head's residence moves the whole family (residence and scala/interno, or the
    registration abroad); a member cannot move away alone (take them out of the family, or into
    another, first). A new civil status without its own event date clears the old event, and a
    marriage or civil union ends a contratto di convivenza.
    """
    unknown = set(data) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ValueError(f"person_update cannot change {sorted(unknown)}")
    person = (
        Person.objects.select_for_update(of=("self",)).select_related("family").get(pk=person.pk)
    )
    personal = person_validate(
        **{field: data.get(field, getattr(person, field)) for field in PERSONAL_FIELDS}
    )
    if personal.codice_fiscale != person.codice_fiscale:
        _codice_fiscale_free_check(codice_fiscale=personal.codice_fiscale, person=person)
    facts = person_facts_validate(
        birth_date=personal.birth_date,
        citizenship=personal.citizenship,
        civil_status=personal.civil_status,
        **_facts_after_update(person=person, civil_status=personal.civil_status, data=data),
    )
    family = data.get("family", person.family)
    relationship = data.get("relationship", person.relationship) or ""
    residence = data.get("residence", person.residence)
    family_id = family.pk if family else None
    residence_id = residence.pk if residence else None
    if (family_id, relationship, residence_id, facts.aire) != (
        person.family_id,
        person.relationship,
        person.residence_id,
        person.aire,
    ):
        residence = person_membership_check(
            person=person,
            family=family,
            relationship=relationship,
            residence=residence,
            aire=facts.aire,
        )
        residence_id = residence.pk if residence else None
    family_moves = (
        relationship == Relationship.HEAD
        and family_id == person.family_id
        and (residence_id, facts.aire, facts.aire_country)
        != (person.residence_id, person.aire, person.aire_country)
    )
    new_values = {
        **personal.as_fields(),
        **facts.as_fields(),
        "family": family,
        "relationship": relationship,
        "residence": residence,
        "residence_detail": _clean_text(data.get("residence_detail", person.residence_detail)),
    }
    changed = [field for field, value in new_values.items() if getattr(person, field) != value]
    for field in changed:
        setattr(person, field, new_values[field])
    if changed:
        person.save(update_fields=[*changed, "updated_at"])
    moved = [person.pk] if {"residence", "aire"} & set(changed) else []
    if family_moves:
        members = Person.objects.filter(family_id=family_id).exclude(pk=person.pk)
        moved += list(members.values_list("pk", flat=True))
        members.update(
            residence=residence,
            residence_detail=person.residence_detail,
            aire=person.aire,
            aire_country=person.aire_country,
            updated_at=timezone.now(),
        )
    # Whoever depends on where people live (a resident's permit) is told at once.
    residence_changed_publish(person_ids=moved)
    return person


def civil_status_change_clears(*, before: str, after: str) -> dict[str, Any]:
    """The facts a new civil status makes obsolete: the old civil-status event (it described the
    old status), and a contratto di convivenza when the new status is a marriage or civil union
    (L. 76/2016 c. 59). Empty when the status does not change."""
    if before == after:
        return {}
    cleared: dict[str, Any] = {"civil_status_date": None, "civil_status_place": ""}
    if after in BOUND_STATUSES:
        cleared["cohabitation_contract_date"] = None
    return cleared


def _facts_after_update(*, person: Person, civil_status: str, data: dict[str, Any]) -> dict:
    """The facts a change leaves: those given, else the current ones, less what the new civil
    status (if any) makes obsolete."""
    facts = {field: data.get(field, getattr(person, field)) for field in FACT_FIELDS}
    cleared = civil_status_change_clears(before=person.civil_status, after=civil_status)
    facts |= {name: value for name, value in cleared.items() if name not in data}
    facts["civil_status_place"] = facts["civil_status_place"] or ""
    facts["aire_country"] = facts["aire_country"] or ""
    facts["aire"] = bool(facts["aire"])
    return facts


def family_create_check(*, code: str, head: Person) -> str:
    """Check that a family `code` can be opened with `head` as intestatario; return the code.
    No writes: the back-office form calls it before saving."""
    code = _clean_text(code)
    if not code:
        raise ApplicationError(
            _("il numero della scheda di famiglia è mancante"), extra={"field": "code"}
        )
    if Family.objects.filter(code=code).exists():
        raise ApplicationError(
            _("esiste già la famiglia %(code)s") % {"code": code}, extra={"field": "code"}
        )
    if head.residence_id is None and not head.aire:
        raise ApplicationError(
            _("l'intestatario della famiglia deve risiedere a un numero civico"),
            extra={"field": "head"},
        )
    _leaving_head_check(person=head, family=None, relationship=Relationship.HEAD)
    return code


@transaction.atomic
def family_create(*, code: str, head: Person, kind: str = FamilyKind.FAMILY) -> Family:
    """Open a registry family (or a convivenza anagrafica, `kind`) with `head` as its
    intestatario (they leave any family they were a plain member of; a head of a family with
    other members cannot)."""
    if kind not in FamilyKind.values:
        raise ApplicationError(
            _("tipo di famiglia sconosciuto: «%(value)s»") % {"value": kind},
            extra={"field": "kind"},
        )
    code = family_create_check(code=code, head=head)
    family = Family.objects.create(code=code, kind=kind)
    person_update(person=head, data={"family": family, "relationship": Relationship.HEAD})
    return family


@transaction.atomic
def family_add_member(*, family: Family, person: Person, relationship: str) -> Person:
    """Put `person` in `family` as `relationship`; they move to the head's address."""
    if not relationship:
        raise ApplicationError(
            _("indicare il rapporto con l'intestatario della famiglia %(family)s")
            % {"family": family},
            extra={"field": "relationship"},
        )
    head = family_head(family=family)
    data: dict[str, Any] = {"family": family, "relationship": relationship}
    if head is not None and head.pk != person.pk and relationship != Relationship.HEAD:
        data |= {
            "residence": head.residence,
            "residence_detail": head.residence_detail,
            "aire": head.aire,
            "aire_country": head.aire_country,
        }
    return person_update(person=person, data=data)


@transaction.atomic
def family_remove_member(*, person: Person) -> Person:
    """Take `person` out of their family; they keep their residence."""
    return person_update(person=person, data={"family": None, "relationship": ""})


@transaction.atomic
def family_change_head(
    *, family: Family, new_head: Person, former_head_relationship: str
) -> Family:
    """Make `new_head`, a member, the family's intestatario; the former one stays as
    `former_head_relationship` (their relationship to the new head)."""
    if new_head.family_id != family.pk:
        raise ApplicationError(
            _("%(name)s non appartiene alla famiglia %(family)s")
            % {"name": new_head.full_name, "family": family}
        )
    if former_head_relationship not in Relationship.values or (
        former_head_relationship == Relationship.HEAD
    ):
        raise ApplicationError(
            _("indicare il nuovo rapporto dell'intestatario uscente"),
            extra={"field": "relationship"},
        )
    former = family_head(family=family)
    if former is not None and former.pk == new_head.pk:
        return family
    # Demote first: the database allows one head per family at every moment.
    if former is not None:
        Person.objects.filter(pk=former.pk).update(
            relationship=former_head_relationship, updated_at=timezone.now()
        )
    Person.objects.filter(pk=new_head.pk).update(
        relationship=Relationship.HEAD, updated_at=timezone.now()
    )
    return family


# --- Identity documents ---------------------------------------------------------------------


def _document_number_normalize(value: str) -> str:
    return "".join((value or "").split()).upper()


def identity_document_validate(
    *,
    person: Person,
    kind: str,
    number: str,
    issued_on: datetime.date | None,
    expires_on: datetime.date | None,
    issued_by: str,
) -> dict[str, Any]:
    """Check an identity document of `person`; return its fields, normalized. No writes."""
    if kind not in IdentityDocumentKind.values:
        raise ApplicationError(
            _("tipo di documento sconosciuto: «%(value)s»") % {"value": kind},
            extra={"field": "kind"},
        )
    number = _document_number_normalize(number)
    if not (5 <= len(number) <= 30 and number.isalnum()):
        raise ApplicationError(
            _("numero del documento non valido: da 5 a 30 lettere e cifre, senza simboli"),
            extra={"field": "number"},
        )
    if issued_on is None or expires_on is None:
        raise ApplicationError(
            _("indicare le date di rilascio e di scadenza del documento"),
            extra={"field": "issued_on" if issued_on is None else "expires_on"},
        )
    if not person.birth_date <= issued_on <= timezone.localdate():
        raise ApplicationError(
            _("la data di rilascio deve essere tra la nascita della persona e oggi"),
            extra={"field": "issued_on"},
        )
    if expires_on <= issued_on:
        raise ApplicationError(
            _("la data di scadenza deve essere successiva a quella di rilascio"),
            extra={"field": "expires_on"},
        )
    issued_by = _clean_text(issued_by)
    if not issued_by:
        raise ApplicationError(
            _("indicare chi ha rilasciato il documento"), extra={"field": "issued_by"}
        )
    return {
        "kind": kind,
        "number": number,
        "issued_on": issued_on,
        "expires_on": expires_on,
        "issued_by": issued_by,
    }


@transaction.atomic
def identity_document_record(
    *,
    person: Person,
    kind: str,
    number: str,
    issued_on: datetime.date | None,
    expires_on: datetime.date | None,
    issued_by: str,
    document: IdentityDocument | None = None,
) -> IdentityDocument:
    """Record a person's identity document, or correct `document` (one of theirs)."""
    fields = identity_document_validate(
        person=person,
        kind=kind,
        number=number,
        issued_on=issued_on,
        expires_on=expires_on,
        issued_by=issued_by,
    )
    if document is not None and document.person_id != person.pk:
        raise ValueError("the document belongs to someone else")
    document = document or IdentityDocument(person=person)
    for name, value in fields.items():
        setattr(document, name, value)
    document.save()
    return document


@transaction.atomic
def identity_document_delete(*, document: IdentityDocument) -> None:
    document.delete()


# --- Corrections citizens ask for -------------------------------------------------------------

CORRECTION_TEXT_MIN = 10
CORRECTION_TEXT_MAX = 2000
CORRECTION_OPEN_MAX = 5  # open requests a person may have at once


def _clean_paragraphs(value: str | None) -> str:
    """Text with its line breaks, without trailing spaces and runs of blank lines."""
    lines = [" ".join(line.split()) for line in (value or "").strip().splitlines()]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


def correction_text_check(*, text: str) -> str:
    """The citizen's description, cleaned; too short or too long is refused."""
    text = _clean_paragraphs(text)
    if len(text) < CORRECTION_TEXT_MIN:
        raise ApplicationError(
            _(
                "Descrivi l'errore in almeno %(min)d caratteri: che cosa è sbagliato e qual è "
                "il dato giusto."
            )
            % {"min": CORRECTION_TEXT_MIN},
            extra={"field": "text"},
        )
    if len(text) > CORRECTION_TEXT_MAX:
        raise ApplicationError(
            _("La descrizione è troppo lunga: al massimo %(max)d caratteri (ne hai scritti %(n)d).")
            % {"max": CORRECTION_TEXT_MAX, "n": len(text)},
            extra={"field": "text"},
        )
    return text


@transaction.atomic
def correction_request_create(
    *, person: Person, author: Any, topic: str, text: str
) -> CorrectionRequest:
    """A citizen reports that some of their registry data is wrong; the registry office will
    answer it in the back-office."""
    if topic not in CorrectionTopic.values:
        raise ApplicationError(_("Scegli quale dato è sbagliato."), extra={"field": "topic"})
    text = correction_text_check(text=text)
    # Lock the person: two requests sent at once must not both slip under the limit.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    open_requests = CorrectionRequest.objects.filter(
        person=person, status__in=(CorrectionStatus.NEW, CorrectionStatus.IN_PROGRESS)
    ).count()
    if open_requests >= CORRECTION_OPEN_MAX:
        raise ApplicationError(
            _(
                "Hai già %(count)d segnalazioni in attesa di risposta: aspetta che l'ufficio "
                "anagrafe le esamini prima di inviarne altre."
            )
            % {"count": open_requests}
        )
    correction = CorrectionRequest.objects.create(
        person=person,
        author=author if getattr(author, "pk", None) else None,
        topic=topic,
        text=text,
    )
    # The e-mail that confirms the report was registered (the page says so too).
    enqueue_after_commit(email_correction_request_status, correction.pk)
    return correction


def correction_answer_check(*, status: str, answer: str) -> str:
    """Check the office's new status and answer; return the answer, cleaned. No writes."""
    if status not in CorrectionStatus.values:
        raise ApplicationError(
            _("stato sconosciuto: «%(value)s»") % {"value": status}, extra={"field": "status"}
        )
    answer = _clean_paragraphs(answer)
    if status in (CorrectionStatus.DONE, CorrectionStatus.REJECTED) and not answer:
        raise ApplicationError(
            _("Per chiudere o respingere la segnalazione scrivi una risposta per il cittadino."),
            extra={"field": "answer"},
        )
    if len(answer) > CORRECTION_TEXT_MAX:
        raise ApplicationError(
            _("La risposta è troppo lunga: al massimo %(max)d caratteri.")
            % {"max": CORRECTION_TEXT_MAX},
            extra={"field": "answer"},
        )
    return answer


@transaction.atomic
def correction_request_handle(
    *, correction: CorrectionRequest, status: str, answer: str, by: Any
) -> CorrectionRequest:
    """The registry office takes a request in hand, corrects the data or rejects it, with an
    answer for the citizen; the citizen gets an e-mail when the status changes."""
    correction = CorrectionRequest.objects.select_for_update().get(pk=correction.pk)
    answer = correction_answer_check(status=status, answer=answer)
    status_changed = status != correction.status
    if not status_changed and answer == correction.answer:
        return correction
    correction.status, correction.answer = status, answer
    correction.handled_by = by if getattr(by, "pk", None) else None
    closed = status in (CorrectionStatus.DONE, CorrectionStatus.REJECTED)
    if status_changed:
        correction.closed_at = timezone.now() if closed else None
    correction.save()
    if status_changed:
        enqueue_after_commit(email_correction_request_status, correction.pk)
    return correction
