"""Verification calls: a 6-digit code read by phone (or texted to the deaf), limits, check."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.alerts.models import (
    Subscription,
    SubscriptionStatus,
    VerificationCode,
    VerificationPurpose,
)
from sportello.channels.base import Medium
from sportello.channels.models import Delivery
from sportello.channels.phones import phone_country_allowed
from sportello.channels.services import delivery_create
from sportello.core.exceptions import ApplicationError
from sportello.core.locks import transaction_lock

CODE_VALIDITY = datetime.timedelta(minutes=10)
CODE_ATTEMPTS = 5
CALLS_PER_NUMBER_PER_HOUR = 3
CALLS_PER_ADDRESS_PER_DAY = 10
VERIFICATION_PURPOSE = "verification"


def _code_cache_key(code_id: int) -> str:
    return f"sportello:alerts:verification-code:{code_id}"


def verification_code_spoken(*, code_id: int) -> str | None:
    """The digits the verification call reads, while the code is valid (kept only in the cache,
    never in the database)."""
    return cache.get(_code_cache_key(code_id))


# --- verification calls -------------------------------------------------------------------


def _calls_check(*, number: str, ip_address: str | None, now: datetime.datetime) -> None:
    if not phone_country_allowed(number):
        raise ApplicationError(_("Possiamo chiamare solo numeri italiani."))
    recent = VerificationCode.objects.filter(
        number=number, created_at__gte=now - datetime.timedelta(hours=1)
    ).count()
    if recent >= CALLS_PER_NUMBER_PER_HOUR:
        raise ApplicationError(
            _(
                "Abbiamo già chiamato questo numero %(count)d volte nell'ultima ora. Riprova più "
                "tardi o chiama il numero di assistenza."
            )
            % {"count": recent},
            extra={"limit": True},
        )
    if ip_address:
        today = VerificationCode.objects.filter(
            ip_address=ip_address, created_at__gte=now - datetime.timedelta(days=1)
        ).count()
        if today >= CALLS_PER_ADDRESS_PER_DAY:
            raise ApplicationError(
                _(
                    "Troppe chiamate di verifica richieste da questa connessione oggi. Riprova "
                    "domani o chiama il numero di assistenza."
                ),
                extra={"limit": True},
            )


def _handle_hash(handle: str) -> str:
    return hashlib.sha256(handle.encode("utf-8")).hexdigest()


def verification_by_handle(*, handle: str) -> VerificationCode | None:
    """The code started with this API handle, while its subscription is still to be verified."""
    if not handle or len(handle) > 100:
        return None
    return (
        VerificationCode.objects.select_related("subscription")
        .filter(handle_hash=_handle_hash(handle), purpose=VerificationPurpose.SUBSCRIBE)
        .filter(Q(subscription__isnull=True) | Q(subscription__status=SubscriptionStatus.PENDING))
        .first()
    )


def verification_call_place(
    *,
    number: str,
    purpose: str,
    subscription: Subscription | None,
    ip_address: str | None,
    language: str = "it",
    by_sms: bool = False,
) -> VerificationCode:
    """Call `number` and read a new 6-digit code (`by_sms`: text it, for deaf people who asked
    for SMS instead of calls); limits per number and per address hold.

    Without a subscription to complete (purpose subscribe) the number is already subscribed:
    the message tells its owner so, and no code exists (VerificationCode.notice_only)."""
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        # Count and insert under one lock per number and per address: twenty requests at once
        # are counted one after the other, so the limits hold (core.locks).
        transaction_lock(
            f"alerts:verification-calls:number:{number}",
            *([f"alerts:verification-calls:address:{ip_address}"] if ip_address else []),
        )
        now = timezone.now()
        _calls_check(number=number, ip_address=ip_address, now=now)
        verification = VerificationCode.objects.create(
            subscription=subscription,
            purpose=purpose,
            number=number,
            ip_address=ip_address,
            code_hash=make_password(code),
            created_at=now,
            expires_at=now + CODE_VALIDITY,
        )
        params: dict[str, Any] = {"code_id": verification.pk}
        if verification.notice_only:
            # No code can complete anything: the hash is of nothing (never matches).
            verification.code_hash = make_password(None)
            params["already_subscribed"] = True
        else:
            cache.set(
                _code_cache_key(verification.pk), code, timeout=int(CODE_VALIDITY.total_seconds())
            )
        if by_sms:
            medium, payload = Medium.SMS, {"text": _verification_sms(verification, code, language)}
        else:
            medium, payload = Medium.VOICE, {"flow": "verification", "params": params}
        delivery = delivery_create(
            medium=medium,
            to=number,
            purpose=VERIFICATION_PURPOSE,
            reference=str(verification.pk),
            language=language,
            payload=payload,
        )
        verification.delivery_id = delivery.pk
        verification.save(update_fields=["delivery_id", "code_hash"])
    return verification


def _verification_sms(verification: VerificationCode, code: str, language: str) -> str:
    """The text of a verification SMS. The code is in it (an SMS carries its text): it is
    blanked from the delivery once used (verification_check)."""
    from django.utils import translation

    from sportello.core.selectors import municipality_get

    municipality = municipality_get()
    name = municipality.name if municipality else ""
    with translation.override(language):
        if verification.notice_only:
            return _(
                "%(name)s, allerta: è stata chiesta l'iscrizione di questo numero, che è già "
                "iscritto. Non serve fare nulla; per cambiare i dati usa «Gestisci la tua "
                "iscrizione» sul sito."
            ) % {"name": name}
        return _(
            "%(name)s, allerta: il tuo codice di verifica è %(code)s. Vale 10 minuti. Non "
            "darlo a nessuno."
        ) % {"name": name, "code": code}


def verification_handle_issue(*, verification: VerificationCode) -> str:
    """A new unguessable handle for the API client that started this code (shown once)."""
    handle = secrets.token_urlsafe(32)
    VerificationCode.objects.filter(pk=verification.pk).update(handle_hash=_handle_hash(handle))
    return handle


def verification_check(*, verification: VerificationCode, code: str) -> None:
    """Accept the right code once, within its time and attempts; else say what to do."""
    now = timezone.now()
    with transaction.atomic():
        verification = VerificationCode.objects.select_for_update().get(pk=verification.pk)
        spent = True  # a refusal that no code can change: a new call is needed
        if verification.used_at is not None:
            refusal = _("Questo codice è già stato usato: chiedi una nuova chiamata.")
        elif now >= verification.expires_at:
            refusal = _("Il codice è scaduto: chiedi una nuova chiamata.")
        elif verification.attempts >= CODE_ATTEMPTS:
            refusal = _("Troppi tentativi sbagliati con questo codice: chiedi una nuova chiamata.")
        else:
            # The attempt counts whether or not the code is right (saved before any refusal).
            verification.attempts += 1
            right = check_password(code.strip(), verification.code_hash)
            if right:
                verification.used_at = now
            verification.save(update_fields=["attempts", "used_at"])
            left = CODE_ATTEMPTS - verification.attempts
            spent = not left
            if right:
                refusal = ""
            elif left:
                refusal = _("Il codice non è giusto. Tentativi rimasti: %(left)d.") % {"left": left}
            else:
                refusal = _(
                    "Il codice non è giusto e i tentativi sono finiti: chiedi una nuova chiamata."
                )
    if refusal:
        raise ApplicationError(refusal, extra={"spent": spent})
    cache.delete(_code_cache_key(verification.pk))
    # A code sent by SMS sits in the delivery's text: once used it is no longer kept.
    Delivery.objects.filter(pk=verification.delivery_id, medium=Medium.SMS).update(
        payload={"text": "(codice di verifica usato)"}
    )
