"""Demo logins: an administrator, one operator per role, and a certified citizen.

All share settings.SPORTELLO_DEMO_PASSWORD; `demo_logins()` lists them for the console
(`sportello demo`, `sportello serve`), never in production.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.accounts.spid.demo_idp import CITIZEN_USERNAME
from sportello.registry.models import Person, Relationship, Sex


class DemoUser(NamedTuple):
    username: str
    role: Role | None  # None: a citizen, not an operator
    first_name: str
    last_name: str
    superuser: bool = False


DEMO_USERS = (
    DemoUser("admin", Role.ADMINISTRATOR, "Amministratore", "Demo", superuser=True),
    DemoUser("sportello", Role.COUNTER_OPERATOR, "Operatore", "di sportello"),
    DemoUser("anagrafe", Role.REGISTRY_CLERK, "Ufficiale", "d'anagrafe"),
    DemoUser("protezionecivile", Role.CIVIL_PROTECTION, "Operatore", "protezione civile"),
    DemoUser("scuola", Role.SCHOOL_OFFICE, "Operatore", "ufficio scuola"),
    DemoUser("mobilita", Role.MOBILITY_OFFICE, "Operatore", "ufficio mobilità"),
    DemoUser("ragioneria", Role.ACCOUNTING, "Operatore", "ragioneria"),
    DemoUser(CITIZEN_USERNAME, None, "", ""),
)


class DemoLogin(NamedTuple):
    username: str
    role: str
    password: str


def demo_citizen_person(*, today: date | None = None) -> Person | None:
    """A head of family living with a spouse and a minor child, not yet linked to a login."""
    today = today or timezone.localdate()
    try:
        adult_from = today.replace(year=today.year - 18)
    except ValueError:  # 29 February
        adult_from = today.replace(year=today.year - 18, day=28)
    families_with_minor = Person.objects.filter(
        relationship=Relationship.CHILD, birth_date__gt=adult_from
    ).values("family_id")
    families_with_spouse = Person.objects.filter(relationship=Relationship.SPOUSE).values(
        "family_id"
    )
    return (
        Person.objects.filter(
            relationship=Relationship.HEAD,
            birth_date__lte=adult_from,
            family_id__in=families_with_minor,
            date_of_death__isnull=True,
        )
        .filter(family_id__in=families_with_spouse)
        .filter(account__isnull=True)
        .order_by("family__code")
        .first()
    )


def demo_users_ensure(*, password: str | None = None) -> list[User]:
    """Create or refresh the demo logins (same password for all; idempotent)."""
    # One hash for all: hashing is slow on purpose, and these accounts share a known password.
    encoded = make_password(password or settings.SPORTELLO_DEMO_PASSWORD)
    users = []
    for spec in DEMO_USERS:
        user, _created = User.objects.get_or_create(username=spec.username)
        user.password = encoded
        user.is_active = True
        user.is_superuser = spec.superuser
        # A demo login always works again: revocations and temporary passwords are undone.
        user.revoked_at = None
        user.password_is_temporary = False
        user.password_expires_at = None
        user.is_staff = spec.role is not None
        user.first_name, user.last_name = spec.first_name, spec.last_name
        if spec.role is None:
            if user.person is None or user.person.family_id is None:
                user.person = demo_citizen_person()
            if user.person is not None:
                user.first_name = user.person.first_name
                user.last_name = user.person.last_name
        user.email = f"{spec.username}@demo.invalid"  # .invalid: never delivered anywhere
        user.save()
        groups = [] if spec.role is None else [Group.objects.get_or_create(name=spec.role)[0]]
        user.groups.set(groups)
        users.append(user)
    return users


def demo_logins() -> list[DemoLogin]:
    """The demo logins that exist in this database; none in production."""
    if settings.SPORTELLO_ENV == "production":
        return []
    try:
        existing = set(
            User.objects.filter(username__in=[spec.username for spec in DEMO_USERS]).values_list(
                "username", flat=True
            )
        )
    except DatabaseError:  # not migrated yet
        return []
    password = settings.SPORTELLO_DEMO_PASSWORD
    return [
        DemoLogin(
            spec.username,
            str(spec.role.label) if spec.role is not None else _("Cittadino certificato"),
            password,
        )
        for spec in DEMO_USERS
        if spec.username in existing
    ]


# The sender of the bundled sample PEC (accounts/samples/pec-richiesta-credenziali.eml, filed by
# `sportello pec_file`): a resident of the demo town without credentials, so that the clerk
# finds the request's codice fiscale in the registry and issues them.
PEC_SAMPLE_SENDER = {
    "codice_fiscale": "RSSMRA80A01H501U",
    "first_name": "Mario",
    "last_name": "Rossi",
    "birth_date": date(1980, 1, 1),
    "birth_place": "Roma",
    "birth_place_code": "H501",
}


def demo_pec_sender_ensure() -> Person | None:
    """Mario Rossi of the sample PEC: a man at the head of a demo family (living alone if one
    does), with no login, takes the sample sender's name, birth and codice fiscale (the town
    keeps its size)."""
    from django.db.models import Count

    from sportello.places.demo.town import DEMO_CODE_PREFIX

    existing = Person.objects.filter(codice_fiscale=PEC_SAMPLE_SENDER["codice_fiscale"]).first()
    if existing is not None:
        return existing
    person = (
        Person.objects.filter(
            family__code__startswith=DEMO_CODE_PREFIX,
            relationship=Relationship.HEAD,
            sex=Sex.MALE,
            citizenship="IT",
            aire=False,
            account__isnull=True,
            date_of_death__isnull=True,
            residence__isnull=False,
        )
        .annotate(members=Count("family__members"))
        .order_by("members", "family__code")  # alone if anyone is
        .first()
    )
    if person is None:
        return None
    for field, value in PEC_SAMPLE_SENDER.items():
        setattr(person, field, value)
    person.save()
    return person


def demo_requests_ensure() -> int:
    """One credential request waiting in the counter operators' queue (none if any exists)."""
    from sportello.accounts.models import CredentialRequest
    from sportello.accounts.services import credential_request_create_online

    if CredentialRequest.objects.exists():
        return 0
    person = (
        Person.objects.filter(
            relationship=Relationship.HEAD, account__isnull=True, date_of_death__isnull=True
        )
        .exclude(codice_fiscale=PEC_SAMPLE_SENDER["codice_fiscale"])  # kept for the sample PEC
        .order_by("-family__code")
        .first()
    )
    if person is None:
        return 0
    credential_request_create_online(
        codice_fiscale=person.codice_fiscale,
        first_name=person.first_name,
        last_name=person.last_name,
        email=f"{person.codice_fiscale.lower()}@demo.invalid",
    )
    return 1
