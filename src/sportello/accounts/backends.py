"""Login backends. Each proves who the user is in one way.

`PasswordBackend` is Django's username+password check that also refuses revoked credentials,
expired temporary passwords and, once local citizen credentials are switched off and their
grace period is over, citizens' passwords. `SmartcardBackend` logs a registry person in by the
codice fiscale read from a smart-card certificate that nginx has verified. `SpidBackend` logs in
the codice fiscale of a SPID or CIE ID response (accounts.spid).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils import timezone


def local_citizen_passwords_accepted(*, now: datetime.datetime | None = None) -> bool:
    if settings.SPORTELLO_LOCAL_CITIZEN_CREDENTIALS:
        return True
    until = settings.SPORTELLO_LOCAL_CREDENTIALS_VALID_UNTIL
    if not until:
        return False
    # The last day is a day of the comune's calendar, not of UTC.
    return timezone.localdate(now) <= datetime.date.fromisoformat(until)


class PasswordBackend(ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        if not super().user_can_authenticate(user):
            return False
        if user.revoked_at is not None:
            return False
        return not (user.is_citizen and not local_citizen_passwords_accepted())


class SmartcardBackend(ModelBackend):
    """authenticate(request, smartcard_identity=...), the identity read by accounts.smartcard."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, smartcard_identity: Any = None, **kwargs: Any
    ) -> Any:
        if smartcard_identity is None:
            return None
        from sportello.accounts.services import citizen_account_for_smartcard

        user = citizen_account_for_smartcard(codice_fiscale=smartcard_identity.codice_fiscale)
        if user is None or not user.is_active:
            return None
        return user


class SpidBackend(ModelBackend):
    """authenticate(request, digital_identity=..., method=..., identity_provider=...): the
    identity in a SPID or CIE ID response that accounts.spid has already checked."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        digital_identity: Any = None,
        method: str = "",
        identity_provider: str = "",
        **kwargs: Any,
    ) -> Any:
        if digital_identity is None:
            return None
        from sportello.accounts.spid.services import digital_identity_account

        return digital_identity_account(
            claim=digital_identity, method=method, identity_provider=identity_provider
        )
