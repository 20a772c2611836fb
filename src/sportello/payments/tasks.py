"""Background work for payments: publishing positions on pagoPA, telling services and payers
about payments, reading pagoPA's receipts, expiring positions, and the simulator's receipts."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from sportello.core.selectors import municipality_get
from sportello.payments.hooks import PaymentEvent, payment_service_get
from sportello.payments.models import (
    PaymentOption,
    PaymentPosition,
    PositionStatus,
    Receipt,
    ReceiptSource,
)
from sportello.payments.providers import provider_get
from sportello.payments.providers.base import ProviderError

logger = logging.getLogger(__name__)


@shared_task(
    autoretry_for=(ProviderError,),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=12,
    acks_late=True,
)
def positions_publish(position_ids: list[int]) -> int:
    """Publish positions on pagoPA; on a transient error the task is retried with backoff (the
    ones already published are skipped the next time)."""
    from sportello.payments.services import position_publish

    for position_id in position_ids:
        position_publish(position_id=position_id)
    return len(position_ids)


@shared_task
def positions_publish_pending() -> int:
    """Safety net: positions still unpublished ten minutes after creation are queued again."""
    stale = timezone.now() - datetime.timedelta(minutes=10)
    ids = list(
        PaymentPosition.objects.filter(
            status=PositionStatus.DRAFT, created_at__lt=stale, publish_error=""
        ).values_list("pk", flat=True)[:10_000]
    )
    for start in range(0, len(ids), 2000):
        positions_publish.delay(ids[start : start + 2000])
    return len(ids)


@shared_task(bind=True, acks_late=True, max_retries=12)
def payments_notify(self, option_ids: list[int]) -> int:
    """Tell each option's service that it was paid, then the payers. A service that fails (its
    seal unavailable, say) is told again later, with backoff: hooks are idempotent."""
    failed = []
    options = PaymentOption.objects.select_related("position").filter(pk__in=option_ids)
    for option in options:
        position = option.position
        service = payment_service_get(position.service)
        if service.on_paid is None:
            continue
        try:
            service.on_paid(
                PaymentEvent(
                    position_id=position.pk,
                    option_id=option.pk,
                    service=position.service,
                    reference=position.service_reference,
                    position_paid=position.status == PositionStatus.PAID,
                )
            )
        except Exception:
            logger.exception("Service %s not told of payment %s", position.service, option.pk)
            failed.append(option.pk)
    if self.request.retries == 0:
        email_payment_confirmation.delay(option_ids)
    if failed:
        raise self.retry(args=[failed], countdown=min(60 * 2**self.request.retries, 3600))
    return len(option_ids)


def _payer_email(option: PaymentOption) -> str:
    cart = option.carts.exclude(email="").order_by("-created_at").first()
    return cart.email if cart else option.position.debtor_email


@shared_task(acks_late=True)
def email_payment_confirmation(option_ids: list[int]) -> int:
    """One e-mail per payer for the payments in `option_ids` (never twice for a payment)."""
    now = timezone.now()
    # Claimed one by one: of two copies of this task, only one sends each confirmation.
    claimed = [
        pk
        for pk in option_ids
        if PaymentOption.objects.filter(pk=pk, confirmed_at__isnull=True).update(confirmed_at=now)
    ]
    by_address: dict[str, list[PaymentOption]] = {}
    for option in PaymentOption.objects.select_related("position").filter(pk__in=claimed):
        address = _payer_email(option)
        if address:
            by_address.setdefault(address, []).append(option)
    municipality = municipality_get()
    link = settings.SPORTELLO_PUBLIC_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        link += reverse("payments:home")
        for address, paid in by_address.items():
            context = {"municipality": municipality, "options": paid, "link": link}
            send_mail(
                subject=render_to_string("payments/email/paid_subject.txt", context).strip(),
                message=render_to_string("payments/email/paid.txt", context),
                from_email=None,
                recipient_list=[address],
            )
    return len(by_address)


@shared_task
def receipts_poll(days: int = 3) -> int:
    """Read pagoPA's receipts of the last days and record those not yet here (payments made at a
    bank, a tobacconist or in an app reach us this way)."""
    from sportello.payments.services import creditor_get, receipts_receive

    provider = provider_get()
    if not provider.polls_receipts:
        return 0
    creditor = creditor_get()
    since = timezone.localdate() - datetime.timedelta(days=days)
    iuvs = provider.receipts_list(creditor=creditor, since=since)
    known = set(
        Receipt.objects.filter(Q(iuv__in=iuvs), ~Q(source=ReceiptSource.OFFLINE)).values_list(
            "iuv", flat=True
        )
    )
    documents = []
    for iuv in dict.fromkeys(iuvs):
        if iuv in known:
            continue
        try:
            documents.append(provider.receipt_get(creditor=creditor, iuv=iuv))
        except ProviderError as error:
            logger.warning("Receipt of %s not read: %s", iuv, error.message)
    if documents:
        receipts_receive(documents=documents, source=ReceiptSource.POLLING)
    return len(documents)


@shared_task
def positions_expire_daily() -> int:
    from sportello.payments.services import positions_expire

    return positions_expire()


@shared_task(acks_late=True)
def simulator_receipt_deliver(document: str) -> int:
    """The simulator's pagoPA hands a receipt over, as the platform would."""
    from sportello.payments.services import receipts_receive

    report = receipts_receive(documents=[document], source=ReceiptSource.PROVIDER)
    return report.paid
