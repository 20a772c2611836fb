"""Writes for the anagrafe: persons, registry families (schede di famiglia) and residence.

The rules kept here, with messages a clerk can act on (the database keeps the first two as a
safety net):
- a family has exactly one head (intestatario scheda);
- a member of a family has a relationship to the head, and nobody outside a family has one;
- the members of a family live at the head's civic number: moving the head moves the family.
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
from sportello.places.models import CivicNumber
from sportello.registry.belfiore import birth_place_by_code, birth_place_candidates, place_key
from sportello.registry.codice_fiscale import (
    codice_fiscale_base,
    codice_fiscale_check,
    codice_fiscale_validate,
)
from sportello.registry.models import CivilStatus, Family, Person, Relationship, Sex
from sportello.registry.selectors import family_head

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
UPDATABLE_FIELDS = (*PERSONAL_FIELDS, "family", "relationship", "residence", "residence_detail")
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


def citizenship_normalize(value: str) -> str:
    """«it», «Italia», «Italy» -> «IT»; an empty value means Italian citizenship."""
    text = _clean_text(value)
    if not text:
        return "IT"
    code = _countries().get(place_key(text)) or _countries().get(text.lower())
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
) -> CivicNumber | None:
    """Check that `person` (None for someone new) may belong to `family` as `relationship`,
    living at `residence`; return the residence they will have (a member without one takes the
    head's). Reads the database; the back-office form calls it too."""
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
        if residence is None:
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
    _codice_fiscale_free_check(codice_fiscale=data.codice_fiscale)
    residence = person_membership_check(
        person=None, family=family, relationship=relationship, residence=residence
    )
    person = Person(
        **data.as_fields(),
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

    Changing the head's residence moves the whole family (residence and scala/interno); a member
    cannot move away alone (take them out of the family, or into another, first).
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
    family = data.get("family", person.family)
    relationship = data.get("relationship", person.relationship) or ""
    residence = data.get("residence", person.residence)
    family_id = family.pk if family else None
    residence_id = residence.pk if residence else None
    if (family_id, relationship, residence_id) != (
        person.family_id,
        person.relationship,
        person.residence_id,
    ):
        residence = person_membership_check(
            person=person, family=family, relationship=relationship, residence=residence
        )
        residence_id = residence.pk if residence else None
    family_moves = (
        relationship == Relationship.HEAD
        and family_id == person.family_id
        and residence_id != person.residence_id
    )
    new_values = {
        **personal.as_fields(),
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
    if family_moves:
        Person.objects.filter(family_id=family_id).exclude(pk=person.pk).update(
            residence=residence,
            residence_detail=person.residence_detail,
            updated_at=timezone.now(),
        )
    return person


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
    if head.residence_id is None:
        raise ApplicationError(
            _("l'intestatario della famiglia deve risiedere a un numero civico"),
            extra={"field": "head"},
        )
    _leaving_head_check(person=head, family=None, relationship=Relationship.HEAD)
    return code


@transaction.atomic
def family_create(*, code: str, head: Person) -> Family:
    """Open a registry family with `head` as its intestatario (they leave any family they were
    a plain member of; a head of a family with other members cannot)."""
    code = family_create_check(code=code, head=head)
    family = Family.objects.create(code=code)
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
        data |= {"residence": head.residence, "residence_detail": head.residence_detail}
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
