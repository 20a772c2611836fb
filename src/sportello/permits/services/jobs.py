"""The daily jobs: expiry at midnight, renewal reminders, changes of residence."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.permits.models import (
    LIVE_STATUSES,
    Permit,
    PermitStatus,
    ZoneCivicNumber,
)
from sportello.permits.notify import permit_notify
from sportello.permits.services.common import (
    allowances_end,
    day_start,
    event_record,
)

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Daily jobs


def permits_expire(*, today: datetime.date | None = None) -> int:
    """At midnight: valid permits past their end become expired (the cameras' list already
    ended them, by its dates)."""
    today = today or timezone.localdate()
    expired = 0
    for permit in Permit.objects.filter(status=PermitStatus.VALID).filter(
        Q(valid_until__lt=today) | Q(ends_on__lte=today)
    ):
        with transaction.atomic():
            changed = Permit.objects.filter(pk=permit.pk, status=PermitStatus.VALID).update(
                status=PermitStatus.EXPIRED, updated_at=timezone.now()
            )
            if changed:
                permit.status = PermitStatus.EXPIRED
                event_record(
                    permit,
                    _("Permesso scaduto.")
                    if not permit.ends_on
                    else _("Permesso terminato: la residenza non è più nella zona."),
                )
                expired += 1
    # Drafts never confirmed are dropped after a day (their files stay with the documents).
    Permit.objects.filter(
        status=PermitStatus.DRAFT, created_at__lt=timezone.now() - datetime.timedelta(days=1)
    ).update(status=PermitStatus.CANCELLED)
    return expired


def permits_remind(*, today: datetime.date | None = None) -> int:
    """E-mail (and SMS, if the citizen gave a mobile number) 30 and 7 days before the end of a
    permit not yet renewed. Each reminder is claimed by a conditional update: sent once."""
    today = today or timezone.localdate()
    sent = 0
    for days, field in ((7, "reminded_7_at"), (30, "reminded_30_at")):
        candidates = (
            Permit.objects.filter(
                status=PermitStatus.VALID,
                ends_on__isnull=True,
                valid_until__gte=today,
                valid_until__lte=today + datetime.timedelta(days=days),
                **{f"{field}__isnull": True},
            )
            .exclude(renewals__status__in=LIVE_STATUSES)
            .select_related("zone", "applicant", "holder")
        )
        for permit in candidates:
            if days == 30 and permit.reminded_7_at:
                continue
            claimed = Permit.objects.filter(pk=permit.pk, **{f"{field}__isnull": True}).update(
                **{field: timezone.now()}
            )
            if claimed:
                with transaction.atomic():
                    permit_notify(permit, kind="reminder", sms=True)
                    event_record(
                        permit,
                        _("Promemoria inviato: il permesso scade il %(date)s.")
                        % {"date": permit.valid_until.strftime("%d/%m/%Y")},
                    )
                sent += 1
        if days == 7:
            # A reminder at 7 days stands for the one at 30 too (no second message later).
            Permit.objects.filter(reminded_7_at__isnull=False, reminded_30_at__isnull=True).update(
                reminded_30_at=timezone.now()
            )
    return sent


def permits_residence_check(
    *, today: datetime.date | None = None, holder_ids: list[int] | None = None
) -> int:
    """Holders of residents' permits who, according to the registry, no longer live in the
    zone: told at once, and the permit ends after the grace period. Run for the persons the
    registry has just moved (`holder_ids`, see permits_residence_changed) and every night for
    everyone, as a safety net."""
    today = today or timezone.localdate()
    ends_on = today + datetime.timedelta(days=settings.SPORTELLO_PERMIT_MOVE_GRACE_DAYS)
    inside = ZoneCivicNumber.objects.filter(
        zone_id=OuterRef("zone_id"), civic_number_id=OuterRef("holder__residence_id")
    )
    moved = (
        Permit.objects.filter(
            status=PermitStatus.VALID,
            permit_type__residents_only=True,
            ends_on__isnull=True,
            valid_until__gte=today,
        )
        .exclude(Exists(inside))
        .select_related("zone", "applicant", "holder")
    )
    if holder_ids is not None:
        moved = moved.filter(holder_id__in=holder_ids)
    count = 0
    for permit in moved:
        with transaction.atomic():
            changed = Permit.objects.filter(pk=permit.pk, ends_on__isnull=True).update(
                ends_on=min(ends_on, permit.valid_until + datetime.timedelta(days=1))
            )
            if not changed:
                continue
            permit.refresh_from_db()
            allowances_end(permit, at=day_start(permit.ends_on))
            event_record(
                permit,
                _(
                    "Secondo l'anagrafe la residenza non è più nella zona: il permesso termina "
                    "il %(date)s."
                )
                % {"date": permit.ends_on.strftime("%d/%m/%Y")},
            )
            permit_notify(permit, kind="moved", sms=True)
            count += 1
    return count


def permits_residence_changed(*, person_ids: list[int]) -> None:
    """The registry moved these persons (registry.hooks): once its transaction is committed,
    their residents' permits outside the new residence's zones get the notice and the end of
    the grace period at once. A failure here is logged and left to the nightly check."""

    def check() -> None:
        count = permits_residence_check(holder_ids=person_ids)
        if count:
            logger.info("Permits ending after a change of residence: %s", count)

    transaction.on_commit(check, robust=True)
