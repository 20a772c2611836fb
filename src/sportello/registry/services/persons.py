"""Writes of persons: creation and update, with the family rules (one head per family, members
at the head's civic number, AIRE families all abroad) and the facts a civil-status change clears."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.places.models import CivicNumber
from sportello.registry.hooks import residence_changed_publish
from sportello.registry.models import (
    Family,
    Person,
    Relationship,
)
from sportello.registry.selectors import family_head
from sportello.registry.services.validation import (
    BOUND_STATUSES,
    FACT_FIELDS,
    PERSONAL_FIELDS,
    UPDATABLE_FIELDS,
    clean_text,
    person_facts_validate,
    person_validate,
)


def leaving_head_check(*, person: Person | None, family: Family | None, relationship: str) -> None:
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
        leaving_head_check(person=person, family=None, relationship="")
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
    leaving_head_check(person=person, family=family, relationship=relationship)
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
        residence_detail=clean_text(residence_detail),
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
        "residence_detail": clean_text(data.get("residence_detail", person.residence_detail)),
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
