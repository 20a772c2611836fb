"""Writes for alert subscriptions: start, verify, confirm, update, delete, paper forms."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.alerts.models import (
    Contact,
    Subscription,
    SubscriptionStatus,
    Suppression,
    VerificationCode,
    VerificationPurpose,
)
from sportello.alerts.services.suppression import suppression_add, suppression_hash
from sportello.alerts.services.verification import (
    VERIFICATION_PURPOSE,
    verification_call_place,
    verification_check,
)
from sportello.channels.base import Medium
from sportello.channels.models import Delivery
from sportello.channels.phones import phone_display
from sportello.channels.services import delivery_create
from sportello.core.exceptions import ApplicationError
from sportello.core.services import audit_record


@dataclass(frozen=True)
class SubscriptionData:
    first_name: str
    last_name: str
    mobile: str
    email: str
    civic_number: Any
    address_detail: str = ""
    landline: str = ""
    fax: str = ""
    language: str = "it"
    deaf: bool = False
    sms_instead_of_voice_requested: bool = False


def _subscription_create(*, data: SubscriptionData, **extra: Any) -> Subscription:
    return Subscription.objects.create(
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        mobile=data.mobile,
        email=data.email,
        landline=data.landline,
        fax=data.fax,
        civic_number=data.civic_number,
        address_detail=data.address_detail.strip(),
        language=data.language,
        deaf=data.deaf,
        sms_instead_of_voice_requested=data.sms_instead_of_voice_requested,
        privacy_accepted_at=timezone.now(),
        **extra,
    )


def mobile_bound(*, mobile: str) -> bool:
    return Subscription.objects.filter(mobile=mobile, status=SubscriptionStatus.ACTIVE).exists()


def subscription_start(
    *, data: SubscriptionData, ip_address: str | None
) -> tuple[Subscription | None, VerificationCode]:
    """Record the subscription as pending and place the verification call.

    For a number that is already subscribed the answer looks the same (nobody learns who is
    subscribed by trying numbers), under the same limits; nothing is recorded but the call,
    which tells the number's owner that it is subscribed and how to change the data."""
    by_sms = data.deaf and data.sms_instead_of_voice_requested
    if mobile_bound(mobile=data.mobile):
        owner = Subscription.objects.filter(
            mobile=data.mobile, status=SubscriptionStatus.ACTIVE
        ).first()
        verification = verification_call_place(
            number=data.mobile,
            purpose=VerificationPurpose.SUBSCRIBE,
            subscription=None,
            ip_address=ip_address,
            language=data.language,
            # The owner is told the way they asked to be told.
            by_sms=bool(owner and (owner.sms_instead_of_voice or owner.deaf)),
        )
        return None, verification
    with transaction.atomic():
        subscription = _subscription_create(data=data)
        verification = verification_call_place(
            number=data.mobile,
            purpose=VerificationPurpose.SUBSCRIBE,
            subscription=subscription,
            ip_address=ip_address,
            language=data.language,
            by_sms=by_sms,
        )
    return subscription, verification


def subscription_verify(*, verification: VerificationCode, code: str) -> Subscription:
    """The right code completes the subscription and binds the mobile number to it."""
    verification_check(verification=verification, code=code)
    subscription = verification.subscription
    try:
        with transaction.atomic():
            subscription.status = SubscriptionStatus.ACTIVE
            subscription.verified_at = timezone.now()
            subscription.save(update_fields=["status", "verified_at"])
            # Whoever subscribes again wants the calls: the number leaves the suppression list.
            Suppression.objects.filter(
                number_hash=suppression_hash(number=subscription.mobile)
            ).delete()
            # Older unverified attempts with this number are superseded.
            Subscription.objects.filter(
                mobile=subscription.mobile, status=SubscriptionStatus.PENDING
            ).exclude(pk=subscription.pk).delete()
    except IntegrityError:
        raise ApplicationError(
            _("Nel frattempo questo numero è stato iscritto da un'altra richiesta.")
        ) from None
    audit_record(action="alert_subscription_verified", target=subscription, channel="voice")
    subscription_done_email(subscription=subscription)
    return subscription


def subscription_done_email(*, subscription: Subscription) -> None:
    """The e-mail that confirms the subscription (the page says so too); our words only."""
    if not subscription.email:
        return
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from sportello.core.selectors import municipality_get

    with translation.override(subscription.language):
        context = {
            "subscription": subscription,
            "municipality": municipality_get(),
            "manage_url": settings.SPORTELLO_PUBLIC_URL.rstrip("/") + reverse("alerts:manage"),
        }
        text = render_to_string("alerts/email/subscription_done.txt", context)
        subject = _("Allerta: la tua iscrizione è attiva")
    delivery_create(
        medium=Medium.EMAIL,
        to=subscription.email,
        purpose="subscription_done",
        reference=str(subscription.pk),
        language=subscription.language,
        payload={"subject": str(subject), "text": text},
    )


def subscriptions_pending_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete subscriptions never verified within SPORTELLO_PENDING_SUBSCRIPTION_HOURS, with
    their codes: personal data given for a subscription that never started is not kept."""
    limit = (now or timezone.now()) - datetime.timedelta(
        hours=settings.SPORTELLO_PENDING_SUBSCRIPTION_HOURS
    )
    with transaction.atomic():
        stale = Subscription.objects.filter(status=SubscriptionStatus.PENDING, created_at__lt=limit)
        ids = list(stale.values_list("pk", flat=True))
        # The calls that asked for the code go with them (they carry the number).
        codes = VerificationCode.objects.filter(subscription_id__in=ids)
        Delivery.objects.filter(
            purpose=VERIFICATION_PURPOSE,
            reference__in=[str(pk) for pk in codes.values_list("pk", flat=True)],
        ).delete()
        Subscription.objects.filter(pk__in=ids).delete()
    if ids:
        audit_record(
            action="alert_pending_subscriptions_purged", actor="", detail={"count": len(ids)}
        )
    return len(ids)


def subscription_find_by_number(*, number: str) -> Subscription | None:
    return (
        Subscription.objects.filter(status=SubscriptionStatus.ACTIVE)
        .filter(Q(mobile=number) | Q(landline=number))
        .first()
    )


def subscription_delete(*, subscription: Subscription, channel: str) -> None:
    """Delete every personal datum of a subscription at once; keep only the suppression hash
    and an audit record that names no one."""
    numbers = [n for n in (subscription.mobile, subscription.landline, subscription.fax) if n]
    pk = subscription.pk
    with transaction.atomic():
        for number in numbers:
            suppression_add(number=number, reason="deregistered")
        # Calls and messages sent to these numbers carry them: they go too.
        Delivery.objects.filter(to__in=numbers + [subscription.email]).delete()
        VerificationCode.objects.filter(number__in=numbers).delete()
        # A directory listing of the same number goes too: the person asked to be removed.
        Contact.objects.filter(number__in=numbers).delete()
        subscription.delete()
        audit_record(
            action="alert_subscription_deleted",
            actor="",
            channel=channel,
            detail={"subscription_id": pk},
        )


def manage_call_place(*, number: str, ip_address: str | None) -> VerificationCode | None:
    """Call a subscribed number to let its owner manage the subscription. For a number that is
    not subscribed nothing is called, and the caller is not told (nobody learns who is)."""
    subscription = subscription_find_by_number(number=number)
    if subscription is None or subscription.mobile != number:
        return None
    return verification_call_place(
        number=number,
        purpose=VerificationPurpose.MANAGE,
        subscription=subscription,
        ip_address=ip_address,
        language=subscription.language,
        by_sms=subscription.deaf
        and (subscription.sms_instead_of_voice or subscription.sms_instead_of_voice_requested),
    )


def subscription_update(*, subscription: Subscription, changes: dict[str, Any]) -> Subscription:
    allowed = {"email", "civic_number", "address_detail", "landline", "fax", "language"}
    for name, value in changes.items():
        if name in allowed:
            setattr(subscription, name, value)
    subscription.save()
    audit_record(action="alert_subscription_updated", target=subscription, channel="web")
    return subscription


def sms_preference_decide(*, subscription: Subscription, granted: bool, operator: Any) -> None:
    """A civil-protection operator grants or refuses SMS instead of voice calls; the subscriber
    is told by e-mail."""
    from django.template.loader import render_to_string
    from django.utils import translation

    with transaction.atomic():
        subscription.sms_instead_of_voice = granted
        subscription.sms_instead_of_voice_requested = False
        subscription.save(update_fields=["sms_instead_of_voice", "sms_instead_of_voice_requested"])
        if not subscription.email:
            # Entered from a paper form without e-mail: the office tells them by other means.
            audit_record(
                action="alert_sms_preference_granted"
                if granted
                else "alert_sms_preference_refused",
                actor=operator,
                target=subscription,
            )
            return
        with translation.override(subscription.language):
            from sportello.core.selectors import municipality_get

            context = {
                "subscription": subscription,
                "granted": granted,
                "municipality": municipality_get(),
            }
            text = render_to_string("alerts/email/sms_decision.txt", context)
            subject = _("Allerta: la tua richiesta di ricevere SMS")
        delivery_create(
            medium=Medium.EMAIL,
            to=subscription.email,
            purpose="sms_preference",
            reference=str(subscription.pk),
            language=subscription.language,
            payload={"subject": str(subject), "text": text},
        )
        audit_record(
            action="alert_sms_preference_granted" if granted else "alert_sms_preference_refused",
            actor=operator,
            target=subscription,
        )


def subscription_enter_paper(
    *,
    data: SubscriptionData,
    protocol_number: str,
    operator: Any,
    verification: str,
) -> Subscription:
    """A paper form received at the URP or the Protocol office, entered by an operator.

    `verification` is "attestation" (the operator checked the number, e.g. with the citizen at
    the counter: active at once) or "call" (the system calls and the citizen presses 1)."""
    from sportello.alerts.models import SubscriptionSource

    if mobile_bound(mobile=data.mobile):
        raise ApplicationError(
            _("Il numero %(number)s è già iscritto all'allerta.")
            % {"number": phone_display(data.mobile)}
        )
    now = timezone.now()
    attested = verification == "attestation"
    with transaction.atomic():
        subscription = _subscription_create(
            data=data,
            source=SubscriptionSource.PAPER,
            status=SubscriptionStatus.ACTIVE if attested else SubscriptionStatus.PENDING,
            protocol_number=protocol_number.strip(),
            attested_by=operator if attested else None,
            verified_at=now if attested else None,
        )
        audit_record(
            action="alert_subscription_entered",
            actor=operator,
            target=subscription,
            channel="paper",
            detail={"protocol": subscription.protocol_number, "verification": verification},
        )
        if not attested:
            delivery_create(
                medium=Medium.VOICE,
                to=subscription.mobile,
                purpose="paper_confirmation",
                reference=str(subscription.pk),
                language=subscription.language,
                payload={"flow": "paper_confirmation", "params": {"subscription": subscription.pk}},
            )
    return subscription


def subscription_confirm_by_key(*, subscription: Subscription) -> Subscription:
    """The citizen pressed 1 in the confirmation call placed for a paper form."""
    with transaction.atomic():
        subscription.status = SubscriptionStatus.ACTIVE
        subscription.verified_at = timezone.now()
        subscription.save(update_fields=["status", "verified_at"])
        Suppression.objects.filter(
            number_hash=suppression_hash(number=subscription.mobile)
        ).delete()
    audit_record(action="alert_subscription_verified", target=subscription, channel="voice")
    return subscription
