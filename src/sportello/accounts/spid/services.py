"""Writes for SPID / CIE ID logins: the request sent, the response consumed once, the account.

The account follows the codice fiscale. A resident logs into their registry person's account —
the same one a counter credential or a smart card opens, created on first use — and no form asks
what the identity provider already said. A codice fiscale that is not in the registry gets an
account without a person, which sees only what concerns it. `DigitalIdentity` keeps one row per
codice fiscale, so the same person never ends up with two accounts.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.accounts.models import DigitalIdentity, SamlAssertion, SamlRequest, User
from sportello.accounts.services import citizen_user_for
from sportello.accounts.spid.validation import DigitalIdentityClaim, SamlRefusal
from sportello.registry.selectors import person_get_by_codice_fiscale

logger = logging.getLogger(__name__)


def saml_request_record(
    *,
    request_id: str,
    protocol: str,
    identity_provider: str,
    level: int,
    issued_at: datetime.datetime,
    relay_state: str,
    next_url: str,
) -> SamlRequest:
    return SamlRequest.objects.create(
        request_id=request_id,
        protocol=protocol,
        identity_provider=identity_provider,
        level=level,
        issued_at=issued_at,
        relay_state=relay_state,
        next_url=next_url[:500],
    )


def saml_request_consume(*, saml_request: SamlRequest) -> None:
    """Mark the request answered, once: a second response to it is a replay."""
    answered = SamlRequest.objects.filter(pk=saml_request.pk, answered_at__isnull=True).update(
        answered_at=timezone.now()
    )
    if not answered:
        raise SamlRefusal("request already answered (replay)")


def saml_assertion_consume(
    *, assertion_id: str, identity_provider: str, not_on_or_after: datetime.datetime
) -> None:
    """Remember the assertion until it expires: the same assertion never logs in twice."""
    try:
        with transaction.atomic():
            SamlAssertion.objects.create(
                assertion_id=assertion_id[:100],
                identity_provider=identity_provider[:250],
                not_on_or_after=not_on_or_after,
            )
    except IntegrityError:
        raise SamlRefusal("assertion already used (replay)") from None


def saml_records_purge(*, now: datetime.datetime | None = None) -> int:
    """Drop answered or abandoned requests and expired assertions (a periodic task)."""
    now = now or timezone.now()
    minutes = settings.SPORTELLO_SPID["request_minutes"]
    requests, _d = SamlRequest.objects.filter(
        issued_at__lt=now - datetime.timedelta(minutes=minutes * 2)
    ).delete()
    assertions, _d = SamlAssertion.objects.filter(
        not_on_or_after__lt=now - datetime.timedelta(days=1)
    ).delete()
    return requests + assertions


def _non_resident_user(*, claim: DigitalIdentityClaim) -> User:
    user = User.objects.filter(username=claim.codice_fiscale).first()
    if user is not None:
        return user
    user = User(
        username=claim.codice_fiscale,
        first_name=claim.first_name,
        last_name=claim.last_name,
        email=claim.email,
        phone=claim.mobile_phone,
    )
    user.set_unusable_password()
    user.save()
    return user


def digital_identity_account(
    *, claim: DigitalIdentityClaim, method: str, identity_provider: str
) -> User:
    """The account this codice fiscale logs into (created on first use), linked to it."""
    now = timezone.now()
    with transaction.atomic():
        person = person_get_by_codice_fiscale(codice_fiscale=claim.codice_fiscale)
        if person is not None and person.date_of_death is not None:
            raise SamlRefusal(
                "registry person is deceased",
                _("Il codice fiscale risulta di una persona deceduta: non è possibile accedere."),
            )
        link = (
            DigitalIdentity.objects.select_for_update()
            .select_related("user")
            .filter(codice_fiscale=claim.codice_fiscale)
            .first()
        )
        if person is not None:
            user = User.objects.filter(person=person).first()
            if user is None and link is not None and link.user.person_id is None:
                # Registered here after a first login as a non-resident: the same account now
                # belongs to the registry person.
                user = link.user
                user.person = person
                user.save(update_fields=["person"])
            if user is None:
                user = citizen_user_for(person=person)
        else:
            user = link.user if link is not None else _non_resident_user(claim=claim)
        if not user.is_active:
            raise SamlRefusal(
                "account disabled",
                _("L'utenza collegata a questo codice fiscale è disattivata: contatta il Comune."),
            )
        changed = []
        if not user.email and claim.email:
            user.email = claim.email
            changed.append("email")
        if not user.phone and claim.mobile_phone:
            user.phone = claim.mobile_phone
            changed.append("phone")
        if person is None and (user.first_name, user.last_name) != (
            claim.first_name,
            claim.last_name,
        ):
            user.first_name, user.last_name = claim.first_name, claim.last_name
            changed += ["first_name", "last_name"]
        if changed:
            user.save(update_fields=changed)
        if link is None:
            DigitalIdentity.objects.create(
                user=user,
                codice_fiscale=claim.codice_fiscale,
                first_login_at=now,
                last_login_at=now,
                last_method=method,
                last_identity_provider=identity_provider[:250],
            )
        else:
            link.user = user
            link.last_login_at = now
            link.last_method = method
            link.last_identity_provider = identity_provider[:250]
            link.save()
    return user
