"""Writes of registry families (schede di famiglia): opening one, adding and removing members,
changing the head."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.registry.models import (
    Family,
    FamilyKind,
    Person,
    Relationship,
)
from sportello.registry.selectors import family_head
from sportello.registry.services.persons import leaving_head_check, person_update
from sportello.registry.services.validation import clean_text


def family_create_check(*, code: str, head: Person) -> str:
    """Check that a family `code` can be opened with `head` as intestatario; return the code.
    No writes: the back-office form calls it before saving."""
    code = clean_text(code)
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
    leaving_head_check(person=head, family=None, relationship=Relationship.HEAD)
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
