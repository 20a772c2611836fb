"""Writes for the anagrafe: persons, registry families (schede di famiglia) and residence.

The rules kept here, with messages a clerk can act on (the database keeps the first two as a
safety net):
- a family has exactly one head (intestatario scheda);
- a member of a family has a relationship to the head, and nobody outside a family has one;
- the members of a family live at the head's civic number: moving the head moves the family;
- Italians living abroad (AIRE) have no residence here, and a family is either all resident or
  all registered abroad.

The writes live in the modules of this package (validation, persons, families, documents,
corrections); import from them. This module re-exports their public names for older callers.
"""

from __future__ import annotations

from sportello.registry.services.corrections import (
    CORRECTION_OPEN_MAX,
    CORRECTION_TEXT_MAX,
    CORRECTION_TEXT_MIN,
    correction_answer_check,
    correction_request_create,
    correction_request_handle,
    correction_text_check,
)
from sportello.registry.services.documents import (
    identity_document_delete,
    identity_document_record,
    identity_document_validate,
)
from sportello.registry.services.families import (
    family_add_member,
    family_change_head,
    family_create,
    family_create_check,
    family_remove_member,
)
from sportello.registry.services.persons import (
    civil_status_change_clears,
    leaving_head_check,
    person_create,
    person_membership_check,
    person_update,
)
from sportello.registry.services.validation import (
    BOUND_STATUSES,
    FACT_FIELDS,
    LAW_76_2016_SINCE,
    PERSONAL_FIELDS,
    UNION_STATUSES,
    UPDATABLE_FIELDS,
    PersonData,
    PersonFacts,
    citizenship_normalize,
    clean_text,
    person_facts_validate,
    person_validate,
)

__all__ = [
    "BOUND_STATUSES",
    "CORRECTION_OPEN_MAX",
    "CORRECTION_TEXT_MAX",
    "CORRECTION_TEXT_MIN",
    "FACT_FIELDS",
    "LAW_76_2016_SINCE",
    "PERSONAL_FIELDS",
    "PersonData",
    "PersonFacts",
    "UNION_STATUSES",
    "UPDATABLE_FIELDS",
    "citizenship_normalize",
    "civil_status_change_clears",
    "clean_text",
    "correction_answer_check",
    "correction_request_create",
    "correction_request_handle",
    "correction_text_check",
    "family_add_member",
    "family_change_head",
    "family_create",
    "family_create_check",
    "family_remove_member",
    "identity_document_delete",
    "identity_document_record",
    "identity_document_validate",
    "leaving_head_check",
    "person_create",
    "person_facts_validate",
    "person_membership_check",
    "person_update",
    "person_validate",
]
