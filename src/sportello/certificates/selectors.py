"""Reads for certificates: what a certificate states about its subject (from the registry), the
people a citizen may ask certificates about, their certificates, and the public verification."""

from __future__ import annotations

import datetime
import enum
import hashlib
import re
from dataclasses import dataclass, field
from functools import cache

from babel import Locale
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from sportello.certificates.codes import code_normalize
from sportello.certificates.kinds import CertificateType, Fact
from sportello.certificates.models import Certificate, CertificateStatus
from sportello.core.selectors import municipality_get
from sportello.registry.models import Person, Sex
from sportello.registry.selectors import person_family


@dataclass(frozen=True)
class Statement:
    """One fact as printed: «Residenza» — «Via Grande 12, Livorno»."""

    label: str
    value: str


@dataclass(frozen=True)
class FamilyMember:
    name: str
    codice_fiscale: str
    birth: str
    relationship: str = ""
    civil_status: str = ""


@dataclass(frozen=True)
class Facts:
    """What a certificate (or self-declaration) of one type states about one person, today."""

    person: Person
    statements: list[Statement]
    members: list[FamilyMember] = field(default_factory=list)
    show_members: bool = False
    show_relationship: bool = False
    show_civil_status: bool = False


def _date(value: datetime.date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _gendered(person: Person, male: str, female: str) -> str:
    return female if person.sex == Sex.FEMALE else male


@cache
def _country_names() -> dict[str, str]:
    return dict(Locale.parse("it").territories)


def country_name(code: str) -> str:
    return _country_names().get((code or "").upper(), code or "")


def _birth(person: Person) -> str:
    born = _gendered(person, _("nato a"), _("nata a"))
    return f"{born} {person.birth_place} {_('il')} {_date(person.birth_date)}"


def _address(person: Person) -> str:
    civic = person.residence
    if civic is None:
        return ""
    municipality = municipality_get()
    parts = [str(civic)]
    if person.residence_detail:
        parts.append(person.residence_detail)
    if municipality is not None:
        parts.append(municipality.short_name or municipality.name)
    return ", ".join(parts)


def _event(person: Person, verb_male: str, verb_female: str) -> str:
    """«coniugato il 3/5/2010 a Livorno», leaving out what the registry does not say."""
    text = _gendered(person, verb_male, verb_female)
    if person.civil_status_date:
        text += f" {_('il')} {_date(person.civil_status_date)}"
    if person.civil_status_place:
        text += f" {_('a')} {person.civil_status_place}"
    return text


def _statement(person: Person, fact: Fact) -> Statement | None:
    match fact:
        case Fact.BIRTH:
            return Statement(_("Nascita"), _birth(person))
        case Fact.ALIVE:
            return Statement(_("Esistenza in vita"), _("in vita"))
        case Fact.CITIZENSHIP:
            return Statement(_("Cittadinanza"), country_name(person.citizenship))
        case Fact.RESIDENCE:
            return Statement(_("Residenza"), _address(person))
        case Fact.AIRE:
            return Statement(
                _("Iscrizione AIRE"),
                _gendered(
                    person,
                    _("iscritto all'Anagrafe degli italiani residenti all'estero, residente in %s"),
                    _("iscritta all'Anagrafe degli italiani residenti all'estero, residente in %s"),
                )
                % (country_name(person.aire_country) or _("Stato estero non indicato")),
            )
        case Fact.COHABITATION:
            return Statement(
                _("Residenza in convivenza"),
                _("convivenza anagrafica n. %(code)s, %(address)s")
                % {"code": person.family.code, "address": _address(person)},
            )
        case Fact.CIVIL_STATUS:
            return Statement(_("Stato civile"), person.get_civil_status_display())
        case Fact.FREE_STATUS:
            return Statement(
                _("Stato libero"),
                _gendered(
                    person,
                    _("non è coniugato né unito civilmente (%s)"),
                    _("non è coniugata né unita civilmente (%s)"),
                )
                % person.get_civil_status_display(),
            )
        case Fact.MARRIAGE:
            return Statement(_("Matrimonio"), _event(person, _("coniugato"), _("coniugata")))
        case Fact.CIVIL_UNION:
            return Statement(
                _("Unione civile"), _event(person, _("unito civilmente"), _("unita civilmente"))
            )
        case Fact.COHABITATION_CONTRACT:
            return Statement(
                _("Contratto di convivenza"),
                _("registrato in anagrafe il %s") % _date(person.cohabitation_contract_date),
            )
    return None


def _members(person: Person) -> list[FamilyMember]:
    return [
        FamilyMember(
            name=f"{member.last_name} {member.first_name}",
            codice_fiscale=member.codice_fiscale,
            birth=_birth(member),
            relationship=member.get_relationship_display(),
            civil_status=member.get_civil_status_display(),
        )
        for member in person_family(person=person)
        if member.date_of_death is None
    ]


def certificate_facts(*, person: Person, certificate_type: CertificateType) -> Facts:
    """The facts a certificate of `certificate_type` states about `person`, as the registry
    has them now."""
    statements = [
        statement
        for fact in certificate_type.facts
        if (statement := _statement(person, fact)) is not None
    ]
    if person.date_of_death is not None:
        died = _gendered(person, _("deceduto il %s"), _("deceduta il %s"))
        statements.append(Statement(_("Decesso"), died % _date(person.date_of_death)))
    family = Fact.FAMILY in certificate_type.facts
    return Facts(
        person=person,
        statements=statements,
        members=_members(person) if family else [],
        show_members=family,
        show_relationship=Fact.FAMILY_RELATIONSHIPS in certificate_type.facts,
        show_civil_status=Fact.FAMILY_CIVIL_STATUS in certificate_type.facts,
    )


def certificate_subjects(*, person: Person) -> list[Person]:
    """Whom a citizen may ask certificates about: themself and the members of their registry
    family (never anyone else)."""
    return list(person_family(person=person).select_related("family", "residence__street"))


def certificate_subject_get(*, person: Person, subject_id: int) -> Person | None:
    """`subject_id` if it is the citizen or one of their family, else None."""
    for subject in certificate_subjects(person=person):
        if subject.pk == subject_id:
            return subject
    return None


def certificates_of(*, user) -> QuerySet[Certificate]:
    """The certificates a citizen asked for (about themself or their family), newest first."""
    return Certificate.objects.filter(requested_by=user).select_related(
        "subject", "payment_position"
    )


def certificate_downloadable(
    *, certificate: Certificate, today: datetime.date | None = None
) -> bool:
    today = today or timezone.localdate()
    return (
        certificate.status == CertificateStatus.ISSUED
        and bool(certificate.pdf_name)
        and not certificate.expired(today=today)
    )


@dataclass(frozen=True)
class Verification:
    """What the public verification shows: no more than whether it is authentic and valid."""

    code: str
    title: str
    issued_on: datetime.date
    valid_until: datetime.date | None
    expired: bool
    revoked_on: datetime.date | None

    @property
    def valid(self) -> bool:
        return not self.expired and self.revoked_on is None


def certificate_verify(*, code: str) -> Verification | None:
    """The public facts of the issued certificate with this code; None if there is none (or the
    code is malformed: the same query runs, so both answers take the same time)."""
    normalized = code_normalize(code) or "-"
    certificate = (
        Certificate.objects.filter(
            code=normalized, status__in=[CertificateStatus.ISSUED, CertificateStatus.REVOKED]
        )
        .only("code", "kind", "issued_at", "valid_until", "revoked_at")
        .first()
    )
    if certificate is None or certificate.issued_at is None:
        return None
    today = timezone.localdate()
    return Verification(
        code=certificate.display_code,
        title=certificate.title,
        issued_on=timezone.localdate(certificate.issued_at),
        valid_until=certificate.valid_until,
        expired=certificate.expired(today=today),
        revoked_on=timezone.localdate(certificate.revoked_at) if certificate.revoked_at else None,
    )


class DocumentOutcome(enum.Enum):
    UNREADABLE = "unreadable"  # not a PDF we can read
    NOT_SEALED = "not_sealed"
    ALTERED = "altered"  # changed after sealing
    UNTRUSTED = "untrusted"  # sealed, but not by the municipality
    UNKNOWN_CODE = "unknown_code"  # the municipality's seal, but no certificate of ours says so
    MISMATCH = "mismatch"  # the municipality's seal, but not the file issued with that code
    AUTHENTIC = "authentic"


@dataclass(frozen=True)
class DocumentCheck:
    outcome: DocumentOutcome
    verification: Verification | None = None

    @property
    def authentic(self) -> bool:
        return self.outcome is DocumentOutcome.AUTHENTIC


_CODE_IN_KEYWORDS = re.compile(r"\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\b")


def certificate_document_check(*, data: bytes) -> DocumentCheck:
    """Is an uploaded PDF a certificate the municipality issued, unchanged? The seal must verify
    against the trust roots, and the file must be, byte for byte, the one issued with the code
    it carries."""
    from sportello.certificates.seal import SealCheck, seal_validate  # pyHanko, only here

    seal = seal_validate(data)
    if seal.check is not SealCheck.VALID:
        return DocumentCheck(DocumentOutcome(seal.check.value))
    match = _CODE_IN_KEYWORDS.search(seal.keywords)
    code = code_normalize(match.group(1)) if match else None
    certificate = (
        Certificate.objects.filter(
            code=code, status__in=[CertificateStatus.ISSUED, CertificateStatus.REVOKED]
        ).first()
        if code
        else None
    )
    if certificate is None:
        return DocumentCheck(DocumentOutcome.UNKNOWN_CODE)
    if certificate.sha256 != hashlib.sha256(data).hexdigest():
        return DocumentCheck(DocumentOutcome.MISMATCH)
    return DocumentCheck(DocumentOutcome.AUTHENTIC, certificate_verify(code=certificate.code))


def personal_area_certificates(*, user) -> list:
    """The certificates a citizen asked for, for «Area personale»."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from sportello.core.personal_area import PersonalItem

    if not getattr(user, "person_id", None):
        return []
    return [
        PersonalItem(
            service=_("Certificati anagrafici"),
            title=f"{certificate.title} {certificate.display_code}",
            status=certificate.get_status_display().capitalize(),
            when=certificate.issued_at or certificate.requested_at,
            url=reverse("certificates:home"),
            done=certificate.status != CertificateStatus.AWAITING_PAYMENT,
        )
        for certificate in certificates_of(user=user)[:5]
    ]
