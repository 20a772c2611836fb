"""The mobility office's decisions and the payment hook."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.core.services import audit_record
from sportello.permits.models import (
    Permit,
    PermitStatus,
)
from sportello.permits.notify import permit_notify
from sportello.permits.services.common import (
    SERVICE,
    allowances_end,
    event_record,
    permit_after_check,
    permit_issue,
)

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# The office


def permit_accept(*, permit: Permit, by: Any, request: Any = None) -> Permit:
    with transaction.atomic():
        permit = (
            Permit.objects.select_for_update(of=("self",))
            .select_related("permit_type", "zone", "renewal_of", "holder", "applicant")
            .get(pk=permit.pk)
        )
        if permit.status != PermitStatus.AWAITING_CHECK:
            raise ApplicationError(_("Questa domanda non è più in attesa di verifica."))
        event_record(permit, _("Documenti verificati dall'ufficio mobilità."), actor=by)
        permit_after_check(permit, actor=by)
        audit_record(action="permit_accepted", actor=by, target=permit, request=request)
        if permit.status == PermitStatus.AWAITING_PAYMENT:
            permit_notify(permit, kind="accepted")
    return permit


def permit_reject(*, permit: Permit, by: Any, reason: str, request: Any = None) -> Permit:
    reason = " ".join((reason or "").split())
    if len(reason) < 10:
        raise ApplicationError(
            _("Scrivi il motivo al cittadino (almeno 10 caratteri)."), extra={"field": "reason"}
        )
    with transaction.atomic():
        permit = Permit.objects.select_for_update().get(pk=permit.pk)
        if permit.status != PermitStatus.AWAITING_CHECK:
            raise ApplicationError(_("Questa domanda non è più in attesa di verifica."))
        permit.status = PermitStatus.REJECTED
        permit.reason = reason[:1000]
        permit.save()
        event_record(permit, _("Domanda respinta: %(reason)s") % {"reason": reason}, actor=by)
        audit_record(action="permit_rejected", actor=by, target=permit, request=request)
        permit_notify(permit, kind="rejected")
    return permit


def permit_revoke(*, permit: Permit, by: Any, reason: str, request: Any = None) -> Permit:
    reason = " ".join((reason or "").split())
    if len(reason) < 10:
        raise ApplicationError(
            _("Scrivi il motivo della revoca (almeno 10 caratteri)."), extra={"field": "reason"}
        )
    with transaction.atomic():
        permit = Permit.objects.select_for_update().get(pk=permit.pk)
        if permit.status != PermitStatus.VALID:
            raise ApplicationError(_("Si revoca solo un permesso valido."))
        permit.status = PermitStatus.REVOKED
        permit.reason = reason[:1000]
        permit.save()
        allowances_end(permit, at=timezone.now())
        event_record(permit, _("Permesso revocato: %(reason)s") % {"reason": reason}, actor=by)
        audit_record(action="permit_revoked", actor=by, target=permit, request=request)
        permit_notify(permit, kind="revoked")
    return permit


# ---------------------------------------------------------------------------------------------
# Payment hook


def permit_paid(event: Any) -> None:
    """pagoPA's receipt arrived: issue the permit (idempotent: a second call changes nothing)."""
    if not event.position_paid:
        return
    with transaction.atomic():
        permit = (
            Permit.objects.select_for_update(of=("self",))
            .select_related("permit_type", "zone", "renewal_of", "holder", "applicant")
            .filter(payment_position_id=event.position_id)
            .first()
        )
        if permit is None or permit.status != PermitStatus.AWAITING_PAYMENT:
            return
        event_record(permit, _("Pagamento ricevuto da pagoPA."))
        permit_issue(permit)
    logger.info("Permit %s issued after payment", permit.pk)


def permits_payment_register() -> None:
    from django.utils.translation import gettext_lazy

    from sportello.payments.hooks import payment_service_register

    payment_service_register(
        key=SERVICE,
        label=gettext_lazy("Permessi ZTL e ZSC"),
        on_paid=permit_paid,
        follow_up_url=lambda reference: reverse("permits:detail", args=[int(reference)]),
    )
