"""Reads of document copies: which a citizen may see (their own, and those of the minors of
their registry family), grouped by person for «I miei documenti»."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from sportello.documents.models import DocumentCopy
from sportello.registry.models import Person
from sportello.registry.selectors import family_minors_in_care


def document_copies_visible_to(*, person: Person) -> QuerySet[DocumentCopy]:
    """The copies `person` may see and download: their own and their family's minors'."""
    minors = family_minors_in_care(person=person).values("pk")
    return DocumentCopy.objects.filter(Q(person=person) | Q(person__in=minors)).select_related(
        "person"
    )


def document_copy_get_visible(*, person: Person, pk: int) -> DocumentCopy | None:
    """One copy, if `person` may have it; None otherwise (whether or not it exists)."""
    return document_copies_visible_to(person=person).filter(pk=pk).first()


@dataclass(frozen=True)
class PersonDocuments:
    person: Person
    is_self: bool
    copies: list[DocumentCopy]


def document_copies_by_person(*, person: Person) -> list[PersonDocuments]:
    """The citizen first, then each minor of their family (youngest last), with their copies."""
    people = [person, *family_minors_in_care(person=person)]
    copies: dict[int, list[DocumentCopy]] = {someone.pk: [] for someone in people}
    for copy in document_copies_visible_to(person=person):
        copies[copy.person_id].append(copy)
    return [
        PersonDocuments(person=someone, is_self=someone.pk == person.pk, copies=copies[someone.pk])
        for someone in people
    ]
