"""The registry certificates Sportello issues (the ANPR list): for each, its title, the facts it
certifies and to whom it applies. The one place that knows these rules.

A certificate that does not apply to a person is neither offered nor issued. A deceased person
gets only the birth certificate (which then also states the death): the others certify a
present state (alive, resident, married…) that a deceased person no longer has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sportello.registry.models import CivilStatus, FamilyKind, Person


class CertificateKind(models.TextChoices):
    NASCITA = "nascita", _("nascita")
    MATRIMONIO = "matrimonio", _("matrimonio")
    CITTADINANZA = "cittadinanza", _("cittadinanza")
    ESISTENZA_IN_VITA = "esistenza_in_vita", _("esistenza in vita")
    RESIDENZA = "residenza", _("residenza")
    RESIDENZA_AIRE = "residenza_aire", _("residenza AIRE")
    STATO_CIVILE = "stato_civile", _("stato civile")
    STATO_DI_FAMIGLIA = "stato_di_famiglia", _("stato di famiglia")
    STATO_DI_FAMIGLIA_E_STATO_CIVILE = (
        "stato_di_famiglia_e_stato_civile",
        _("stato di famiglia e di stato civile"),
    )
    RESIDENZA_IN_CONVIVENZA = "residenza_in_convivenza", _("residenza in convivenza")
    STATO_DI_FAMIGLIA_AIRE = "stato_di_famiglia_aire", _("stato di famiglia AIRE")
    STATO_DI_FAMIGLIA_PARENTELA = (
        "stato_di_famiglia_parentela",
        _("stato di famiglia con rapporti di parentela"),
    )
    STATO_LIBERO = "stato_libero", _("stato libero")
    UNIONE_CIVILE = "unione_civile", _("unione civile")
    CONTRATTO_DI_CONVIVENZA = "contratto_di_convivenza", _("contratto di convivenza")


class Fact(models.TextChoices):
    """What a certificate (or a self-declaration) states about its subject."""

    BIRTH = "birth", _("nascita")
    ALIVE = "alive", _("esistenza in vita")
    CITIZENSHIP = "citizenship", _("cittadinanza")
    RESIDENCE = "residence", _("residenza")
    AIRE = "aire", _("iscrizione all'AIRE")
    COHABITATION = "cohabitation", _("residenza in convivenza")
    CIVIL_STATUS = "civil_status", _("stato civile")
    FREE_STATUS = "free_status", _("stato libero")
    MARRIAGE = "marriage", _("matrimonio")
    CIVIL_UNION = "civil_union", _("unione civile")
    COHABITATION_CONTRACT = "cohabitation_contract", _("contratto di convivenza")
    FAMILY = "family", _("composizione della famiglia")
    FAMILY_CIVIL_STATUS = "family_civil_status", _("stato civile dei componenti")
    FAMILY_RELATIONSHIPS = "family_relationships", _("rapporti di parentela")


def _alive(person: Person) -> bool:
    return person.date_of_death is None


def _resident(person: Person) -> bool:
    """Resident in the comune (in Italy), not registered as living abroad."""
    return _alive(person) and not person.aire and person.residence_id is not None


def _in_family(person: Person) -> bool:
    return (
        _resident(person)
        and person.family_id is not None
        and person.family.kind != FamilyKind.COHABITATION
    )


def _in_cohabitation(person: Person) -> bool:
    return (
        _resident(person)
        and person.family_id is not None
        and person.family.kind == FamilyKind.COHABITATION
    )


def _aire(person: Person) -> bool:
    return _alive(person) and person.aire


def _aire_family(person: Person) -> bool:
    return _aire(person) and person.family_id is not None


def _married(person: Person) -> bool:
    return _alive(person) and person.civil_status == CivilStatus.MARRIED


def _civil_union(person: Person) -> bool:
    return _alive(person) and person.civil_status == CivilStatus.CIVIL_UNION


def _free(person: Person) -> bool:
    return _alive(person) and person.civil_status not in (
        CivilStatus.MARRIED,
        CivilStatus.CIVIL_UNION,
    )


def _cohabitation_contract(person: Person) -> bool:
    return _alive(person) and person.cohabitation_contract_date is not None


def _anyone(person: Person) -> bool:
    return True


@dataclass(frozen=True)
class CertificateType:
    kind: CertificateKind
    title: str | Promise
    facts: tuple[Fact, ...]
    applies: Callable[[Person], bool]
    # Certificates drawn from the civil-status records are free of stamp duty whatever their
    # use (art. 7 L. 29 dicembre 1990, n. 405).
    civil_status_record: bool = False
    # Facts that cannot change have unlimited validity (art. 41 c. 1 DPR 445/2000); the others
    # are valid six months from issue.
    permanent: bool = False


_FAMILY = (Fact.RESIDENCE, Fact.FAMILY)
TYPES: dict[str, CertificateType] = {
    t.kind.value: t
    for t in (
        CertificateType(
            CertificateKind.NASCITA,
            _("Certificato di nascita"),
            (Fact.BIRTH,),
            _anyone,
            civil_status_record=True,
            permanent=True,
        ),
        CertificateType(
            CertificateKind.MATRIMONIO,
            _("Certificato di matrimonio"),
            (Fact.MARRIAGE,),
            _married,
            civil_status_record=True,
        ),
        CertificateType(
            CertificateKind.CITTADINANZA,
            _("Certificato di cittadinanza"),
            (Fact.BIRTH, Fact.CITIZENSHIP),
            _alive,
        ),
        CertificateType(
            CertificateKind.ESISTENZA_IN_VITA,
            _("Certificato di esistenza in vita"),
            (Fact.BIRTH, Fact.ALIVE),
            _alive,
        ),
        CertificateType(
            CertificateKind.RESIDENZA,
            _("Certificato di residenza"),
            (Fact.BIRTH, Fact.RESIDENCE),
            _resident,
        ),
        CertificateType(
            CertificateKind.RESIDENZA_AIRE,
            _("Certificato di residenza AIRE"),
            (Fact.BIRTH, Fact.AIRE),
            _aire,
        ),
        CertificateType(
            CertificateKind.STATO_CIVILE,
            _("Certificato di stato civile"),
            (Fact.BIRTH, Fact.CIVIL_STATUS),
            _alive,
        ),
        CertificateType(
            CertificateKind.STATO_DI_FAMIGLIA,
            _("Certificato di stato di famiglia"),
            _FAMILY,
            _in_family,
        ),
        CertificateType(
            CertificateKind.STATO_DI_FAMIGLIA_E_STATO_CIVILE,
            _("Certificato di stato di famiglia e di stato civile"),
            (*_FAMILY, Fact.FAMILY_CIVIL_STATUS),
            _in_family,
        ),
        CertificateType(
            CertificateKind.RESIDENZA_IN_CONVIVENZA,
            _("Certificato di residenza in convivenza"),
            (Fact.BIRTH, Fact.COHABITATION),
            _in_cohabitation,
        ),
        CertificateType(
            CertificateKind.STATO_DI_FAMIGLIA_AIRE,
            _("Certificato di stato di famiglia AIRE"),
            (Fact.AIRE, Fact.FAMILY),
            _aire_family,
        ),
        CertificateType(
            CertificateKind.STATO_DI_FAMIGLIA_PARENTELA,
            _("Certificato di stato di famiglia con rapporti di parentela"),
            (*_FAMILY, Fact.FAMILY_RELATIONSHIPS),
            _in_family,
        ),
        CertificateType(
            CertificateKind.STATO_LIBERO,
            _("Certificato di stato libero"),
            (Fact.BIRTH, Fact.FREE_STATUS),
            _free,
        ),
        CertificateType(
            CertificateKind.UNIONE_CIVILE,
            _("Certificato di unione civile"),
            (Fact.CIVIL_UNION,),
            _civil_union,
            civil_status_record=True,
        ),
        CertificateType(
            CertificateKind.CONTRATTO_DI_CONVIVENZA,
            _("Certificato di contratto di convivenza"),
            (Fact.BIRTH, Fact.COHABITATION_CONTRACT),
            _cohabitation_contract,
        ),
    )
}


def certificate_type(kind: str) -> CertificateType | None:
    return TYPES.get(kind)


def certificate_types_for(person: Person) -> list[CertificateType]:
    """The certificates that can be issued about `person` today, in the order of the list."""
    return [
        certificate_type for certificate_type in TYPES.values() if certificate_type.applies(person)
    ]
