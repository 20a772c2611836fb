"""Writes for citizen identity: issuing, revoking, password changes, sessions, requests.

Temporary passwords exist in clear only in the return value of `credentials_issue`, long enough
to be printed on the credential letter; they are stored hashed and never logged or audited.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.accounts.models import (
    CredentialIssue,
    CredentialRequest,
    CredentialRequestFile,
    RequestChannel,
    RequestStatus,
    Revocation,
    RevocationChannel,
    User,
    UserSession,
)
from sportello.accounts.sessions import SESSION_METHOD, user_sessions_end
from sportello.core.exceptions import ApplicationError
from sportello.core.models import Office
from sportello.core.queueing import enqueue_after_commit, task_named
from sportello.core.services import audit_record, client_ip
from sportello.core.throttle import throttle_allow
from sportello.registry.models import Person
from sportello.registry.selectors import person_get_by_codice_fiscale

logger = logging.getLogger(__name__)

# Letters and digits that cannot be mistaken for one another when read off paper.
_PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"  # noqa: S105

# The e-mails these writes queue, by task name: tasks import services, never the reverse.
EMAIL_REVOCATION_NOTICE = "sportello.accounts.tasks.email_revocation_notice"
EMAIL_REQUEST_RECEIVED = "sportello.accounts.tasks.email_credential_request_received"
EMAIL_REQUEST_REJECTED = "sportello.accounts.tasks.email_credential_request_rejected"


class TooManyRequests(ApplicationError):
    """Refused by a limit: the page answers 429."""


def temporary_password_generate() -> str:
    """16 random characters in four groups (about 93 bits), easy to copy from a letter."""
    chars = "".join(secrets.choice(_PASSWORD_ALPHABET) for _i in range(16))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def local_citizen_credentials_check() -> None:
    if not settings.SPORTELLO_LOCAL_CITIZEN_CREDENTIALS:
        raise ApplicationError(
            _(
                "Il Comune non rilascia più nuove credenziali locali: si accede con la carta "
                "d'identità elettronica o la Tessera Sanitaria."
            )
        )


# --- accounts ---------------------------------------------------------------------------


def citizen_user_for(*, person: Person) -> User:
    user = User.objects.filter(person=person).first()
    if user is not None:
        return user
    if User.objects.filter(username=person.codice_fiscale).exists():
        raise ApplicationError(
            _("Il nome utente %(username)s è già usato da un'altra utenza.")
            % {"username": person.codice_fiscale}
        )
    user = User(
        username=person.codice_fiscale,
        person=person,
        first_name=person.first_name,
        last_name=person.last_name,
    )
    user.set_unusable_password()
    user.save()
    return user


def citizen_account_for_smartcard(*, codice_fiscale: str) -> User | None:
    """The account of the registry person with this codice fiscale (created on first use)."""
    person = person_get_by_codice_fiscale(codice_fiscale=codice_fiscale)
    if person is None or person.date_of_death is not None:
        return None
    with transaction.atomic():
        return citizen_user_for(person=person)


@dataclass(frozen=True)
class IssuedCredentials:
    user: User
    issue: CredentialIssue
    username: str
    password: str  # the temporary password, in clear: print it, never store or log it
    expires_at: datetime.datetime


def credentials_issue(
    *,
    person: Person,
    operator: User,
    channel: str,
    document_type: str,
    document_number: str,
    document_issuer: str,
    document_expiry: datetime.date,
    office: Office | None = None,
    request_obj: CredentialRequest | None = None,
    http_request: HttpRequest | None = None,
) -> IssuedCredentials:
    """Issue (or reissue) credentials: a new temporary password replaces any previous one."""
    local_citizen_credentials_check()
    today = timezone.localdate()
    if person.date_of_death is not None:
        raise ApplicationError(_("La persona risulta deceduta in anagrafe."))
    if document_expiry < today:
        raise ApplicationError(
            _("Il documento di riconoscimento è scaduto: serve un documento valido.")
        )
    password = temporary_password_generate()
    now = timezone.now()
    expires_at = now + datetime.timedelta(days=settings.SPORTELLO_TEMPORARY_PASSWORD_DAYS)
    with transaction.atomic():
        user = citizen_user_for(person=person)
        if user.is_staff:
            raise ApplicationError(_("Questa utenza è di un operatore: non si gestisce da qui."))
        reissue = user.has_usable_password() or user.revoked_at is not None
        user.set_password(password)
        user.password_is_temporary = True
        user.password_expires_at = expires_at
        user.revoked_at = None
        user.is_active = True
        user.first_name = person.first_name
        user.last_name = person.last_name
        user.save()
        # Reissue replaces the old credentials: whoever is logged in with them is logged out.
        user_sessions_end(user=user)
        issue = CredentialIssue.objects.create(
            user=user,
            person=person,
            channel=channel,
            request=request_obj,
            document_type=document_type,
            document_number=document_number.strip().upper(),
            document_issuer=document_issuer.strip(),
            document_expiry=document_expiry,
            office=office,
            issued_by=operator,
            issued_at=now,
            password_expires_at=expires_at,
        )
        if request_obj is not None:
            request_obj.status = RequestStatus.ISSUED
            request_obj.person = person
            request_obj.handled_by = operator
            request_obj.handled_at = now
            request_obj.outcome = _("Credenziali rilasciate.")
            request_obj.save()
        audit_record(
            action="credentials_reissued" if reissue else "credentials_issued",
            actor=operator,
            target=person,
            request=http_request,
            channel=channel,
            detail={"username": user.username, "document_type": document_type},
        )
    return IssuedCredentials(
        user=user, issue=issue, username=user.username, password=password, expires_at=expires_at
    )


def password_change(*, request: HttpRequest, user: User, new_password: str) -> None:
    """Set a password the user chose (validated by the form) and end their other sessions."""
    with transaction.atomic():
        user.set_password(new_password)
        user.password_is_temporary = False
        user.password_expires_at = None
        user.save()
        current_key = request.session.session_key
        user_sessions_end(user=user, keep_session_key=current_key)
        # This session stays logged in under a new key: keep it in the list of sessions.
        update_session_auth_hash(request, user)
        UserSession.objects.filter(session_key=current_key).update(
            session_key=request.session.session_key
        )
        audit_record(
            action="password_changed",
            actor=user,
            target=user,
            request=request,
            channel=request.session.get(SESSION_METHOD, ""),
        )


def user_contacts_update(*, request: HttpRequest, user: User, email: str, phone: str) -> None:
    user.email = email
    user.phone = phone
    user.save(update_fields=["email", "phone"])
    audit_record(action="contacts_updated", actor=user, target=user, request=request)


def credentials_revoke(
    *,
    user: User,
    channel: str,
    report: str = "",
    recorded_by: User | None = None,
    request: HttpRequest | None = None,
) -> Revocation:
    """Revoke after a loss or theft: the password stops working and every session ends."""
    if user.revoked_at is not None:
        raise ApplicationError(_("Le credenziali risultano già revocate."))
    now = timezone.now()
    with transaction.atomic():
        user.revoked_at = now
        user.set_unusable_password()
        user.password_is_temporary = False
        user.password_expires_at = None
        user.save()
        revocation = Revocation.objects.create(
            user=user, channel=channel, report=report.strip(), recorded_by=recorded_by
        )
        user_sessions_end(user=user)
        audit_record(
            action="credentials_revoked",
            actor=recorded_by or user,
            target=user.person or user,
            request=request,
            channel=channel,
            detail={"username": user.username},
        )
        enqueue_after_commit(task_named(EMAIL_REVOCATION_NOTICE), revocation.pk)
    return revocation


# --- credential requests ----------------------------------------------------------------


def _online_request_limits_check(*, request: HttpRequest, email: str, window: int) -> None:
    by_client = throttle_allow(
        scope="credential-request-client",
        key=client_ip(request) or "unknown",
        limit=settings.SPORTELLO_CREDENTIAL_REQUEST_PER_CLIENT,
        window=window,
    )
    by_address = throttle_allow(
        scope="credential-request-address",
        key=email,
        limit=settings.SPORTELLO_CREDENTIAL_REQUEST_PER_ADDRESS,
        window=window,
    )
    if not (by_client and by_address):
        audit_record(
            action="credential_request_refused",
            request=request,
            channel=RequestChannel.ONLINE,
            detail={"reason": "too many requests", "by_client": not by_client},
        )
        raise TooManyRequests(
            _(
                "Abbiamo già ricevuto troppe richieste da questo collegamento o per questo "
                "indirizzo e-mail. Riprova domani, oppure chiedi le credenziali di persona a uno "
                "sportello del Comune."
            )
        )


def credential_request_create_online(
    *,
    codice_fiscale: str,
    first_name: str,
    last_name: str,
    email: str,
    phone: str = "",
    request: HttpRequest | None = None,
) -> CredentialRequest:
    local_citizen_credentials_check()
    window = settings.SPORTELLO_CREDENTIAL_REQUEST_WINDOW
    if request is not None:  # a web client (the demo files its requests without one)
        _online_request_limits_check(request=request, email=email, window=window)
    person = person_get_by_codice_fiscale(codice_fiscale=codice_fiscale)
    # The acknowledgement goes to an address nobody has verified: once per window at most, and
    # its text is all ours (no name or other words of the requester).
    acknowledge = throttle_allow(scope="credential-request-ack", key=email, limit=1, window=window)
    with transaction.atomic():
        credential_request = CredentialRequest.objects.create(
            channel=RequestChannel.ONLINE,
            codice_fiscale=codice_fiscale,
            person=person,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email=email,
            phone=phone,
            reason="" if person else _("Codice fiscale non trovato nell'anagrafe del Comune."),
        )
        audit_record(
            action="credential_request_received",
            target=credential_request,
            request=request,
            channel=RequestChannel.ONLINE,
        )
        if acknowledge:
            enqueue_after_commit(task_named(EMAIL_REQUEST_RECEIVED), credential_request.pk)
    return credential_request


def credential_request_file_open(
    *, request_file: CredentialRequestFile, operator: User, request: HttpRequest | None = None
):
    """The clerk opens an attachment to check it: audited, like every look at personal data."""
    audit_record(
        action="credential_request_file_opened",
        actor=operator,
        target=request_file.credential_request,
        request=request,
        detail={"file": request_file.filename},
    )
    return request_file.file.open("rb")


def credential_request_close(
    *,
    credential_request: CredentialRequest,
    operator: User,
    status: str,
    outcome: str,
    request: HttpRequest | None = None,
) -> CredentialRequest:
    """Reject a request (the citizen is told why) or archive an item that is not a request."""
    if credential_request.status != RequestStatus.PENDING:
        raise ApplicationError(_("Questa richiesta è già stata lavorata."))
    if status not in (RequestStatus.REJECTED, RequestStatus.ARCHIVED):
        raise ApplicationError(_("Esito non valido."))
    with transaction.atomic():
        credential_request.status = status
        credential_request.outcome = outcome.strip()
        credential_request.handled_by = operator
        credential_request.handled_at = timezone.now()
        credential_request.save()
        audit_record(
            action=f"credential_request_{status}",
            actor=operator,
            target=credential_request,
            request=request,
        )
        if status == RequestStatus.REJECTED:
            enqueue_after_commit(task_named(EMAIL_REQUEST_REJECTED), credential_request.pk)
    return credential_request


REVOCATION_CHANNELS_FOR_OPERATORS = [
    choice for choice in RevocationChannel.choices if choice[0] != RevocationChannel.ONLINE
]
