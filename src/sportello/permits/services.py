"""Writes for permits: zones, applications (a draft, then its confirmation), renewals, plate
changes, the office's decisions, the payment hook, and the daily jobs (expiry, reminders,
residence changes). Every change of who may pass a gate is written to PlateAllowance in the
same transaction.

Order of the steps: a permit that needs a person to look at a document is checked first and
paid afterwards, so that nothing is ever paid for a permit the office then refuses.
"""

from __future__ import annotations

import calendar
import datetime
import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.core.locks import transaction_lock
from sportello.core.money import euro_text
from sportello.core.services import audit_record
from sportello.documents.content import document_content_detect
from sportello.permits.models import (
    LIVE_STATUSES,
    Permit,
    PermitEvent,
    PermitStatus,
    PermitType,
    PlateAllowance,
    VehicleOwnership,
    Zone,
    ZoneCivicNumber,
)
from sportello.permits.notify import permit_notify
from sportello.permits.plates import plate_parse
from sportello.permits.selectors import fee_for_rank, household_rank, permit_types_offered

logger = logging.getLogger(__name__)

SERVICE = "permits"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


# ---------------------------------------------------------------------------------------------
# Zones


def zone_area_set(*, zone: Zone, area: dict, by: Any = None) -> Zone:
    """Set the zone's area (polygons and/or streets with civic-number ranges, checked as an
    alert's area is) and work out the civic numbers inside it."""
    from sportello.alerts.targeting import area_civic_numbers, area_clean

    try:
        cleaned = area_clean(area)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), extra={"field": "area"}) from error
    if cleaned.get("city"):
        raise ApplicationError(
            _("Una zona non può essere tutto il Comune: disegnala o elenca le sue strade."),
            extra={"field": "area"},
        )
    ids = area_civic_numbers(cleaned) or []
    with transaction.atomic():
        zone.area = cleaned
        zone.civic_count = len(ids)
        zone.save()
        ZoneCivicNumber.objects.filter(zone=zone).delete()
        ZoneCivicNumber.objects.bulk_create(
            [ZoneCivicNumber(zone=zone, civic_number_id=pk) for pk in ids], batch_size=2000
        )
        audit_record(
            action="permit_zone_area_set", actor=by, target=zone, detail={"civics": len(ids)}
        )
    return zone


# ---------------------------------------------------------------------------------------------
# Helpers


def _period_end(start: datetime.date, months: int) -> datetime.date:
    """The last day of a period of `months` beginning on `start` (12 months from 15 March:
    14 March next year; from 31 January, one month ends on 27 or 28 February)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return datetime.date(year, month, day) - datetime.timedelta(days=1)


def _code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _event(permit: Permit, text: str, *, actor: Any = None, status: str | None = None) -> None:
    PermitEvent.objects.create(
        permit=permit,
        status=status or permit.status,
        text=text[:300],
        actor=actor if getattr(actor, "pk", None) else None,
    )


def _document_check(file: IO[bytes] | None, *, field: str, required: bool) -> None:
    if file is None:
        if required:
            raise ApplicationError(_("Carica il documento richiesto."), extra={"field": field})
        return
    try:
        document_content_detect(file=file, size=file.size)
    except ApplicationError as error:
        raise ApplicationError(error.message, extra={"field": field}) from error


def _needs_check(permit: Permit) -> bool:
    return (
        permit.permit_type.office_check
        or permit.ownership == VehicleOwnership.COMPANY
        or permit.plate_foreign
    )


def _total(permit: Permit) -> Decimal:
    return permit.total


@dataclass(frozen=True)
class Quote:
    """What a permit will cost and whether the office must look at it first."""

    rank: int
    fee: Decimal
    handling_fee: Decimal
    needs_check: bool

    @property
    def total(self) -> Decimal:
        return self.fee + self.handling_fee


def permit_quote(permit: Permit) -> Quote:
    rank = household_rank(
        permit_type=permit.permit_type,
        family_id=permit.family_id,
        holder_id=permit.holder_id,
        plate=permit.plate,
    )
    return Quote(
        rank=rank,
        fee=fee_for_rank(permit_type=permit.permit_type, rank=rank),
        handling_fee=permit.permit_type.handling_fee,
        needs_check=_needs_check(permit),
    )


def _plate_free_check(*, zone: Zone, plate: str, renewal_of: Permit | None = None) -> None:
    today = timezone.localdate()
    live = (
        Permit.objects.filter(zone=zone, plate=plate, status__in=LIVE_STATUSES)
        .exclude(status=PermitStatus.VALID, valid_until__lt=today)
        .exclude(pk=renewal_of.pk if renewal_of else None)
    )
    if live.exists():
        raise ApplicationError(
            _(
                "Il veicolo targato %(plate)s ha già un permesso per questa zona, valido o in "
                "corso: se sta per scadere, rinnovalo da «I miei permessi»."
            )
            % {"plate": plate},
            extra={"field": "plate"},
        )


# ---------------------------------------------------------------------------------------------
# Application: a draft, shown in the summary, then confirmed


def permit_draft_create(
    *,
    user: Any,
    permit_type_id: int,
    plate: str,
    plate_foreign: bool,
    ownership: str,
    owner_id: int | None,
    registration_document: IO[bytes] | None,
    contract_document: IO[bytes] | None = None,
    supporting_document: IO[bytes] | None = None,
) -> Permit:
    """Check everything the citizen gave and keep it as a draft for the summary. Nothing the
    registry knows is asked: the residence decides the zones, the family the owners."""
    from sportello.registry.selectors import person_family

    person = user.person
    permit_type = next(
        (item for item in permit_types_offered(person=person) if item.pk == permit_type_id), None
    )
    if permit_type is None:
        raise ApplicationError(
            _(
                "Questo permesso non è tra quelli che puoi chiedere: per i permessi dei "
                "residenti conta l'indirizzo di residenza in anagrafe, che non è in questa zona."
            ),
            extra={"field": "permit_type"},
        )
    parsed = plate_parse(plate, foreign=plate_foreign)
    _plate_free_check(zone=permit_type.zone, plate=parsed.number)
    owner = None
    if ownership == VehicleOwnership.FAMILY:
        owner = person_family(person=person).filter(pk=owner_id).first() if owner_id else None
        if owner is None:
            raise ApplicationError(
                _(
                    "Scegli chi della tua famiglia è intestatario del veicolo. Se non è di "
                    "nessuno della famiglia, scegli «aziendale o in leasing/noleggio» e carica "
                    "il contratto."
                ),
                extra={"field": "owner"},
            )
    elif ownership == VehicleOwnership.COMPANY:
        if contract_document is None:
            raise ApplicationError(
                _(
                    "Il veicolo non è di una persona della tua famiglia: carica il contratto di "
                    "leasing o noleggio, o la dichiarazione dell'azienda che te lo affida."
                ),
                extra={"field": "contract_document"},
            )
    else:
        raise ApplicationError(_("Di chi è il veicolo?"), extra={"field": "ownership"})
    _document_check(registration_document, field="registration_document", required=True)
    _document_check(
        contract_document,
        field="contract_document",
        required=ownership == VehicleOwnership.COMPANY,
    )
    _document_check(
        supporting_document, field="supporting_document", required=permit_type.office_check
    )
    today = timezone.localdate()
    with transaction.atomic():
        permit = Permit(
            code=_code(),
            permit_type=permit_type,
            zone=permit_type.zone,
            holder=person,
            applicant=user,
            family_id=person.family_id,
            plate=parsed.number,
            plate_foreign=parsed.foreign,
            ownership=ownership,
            owner=owner,
            status=PermitStatus.DRAFT,
            valid_from=today,
            valid_until=_period_end(today, permit_type.validity_months),
        )
        for field, file in (
            ("registration_document", registration_document),
            ("contract_document", contract_document),
            ("supporting_document", supporting_document),
        ):
            if file is not None:
                getattr(permit, field).save(
                    f"{field}{_extension(file)}", ContentFile(_read(file)), save=False
                )
        quote = permit_quote(permit)
        permit.fee, permit.household_rank = quote.fee, quote.rank
        permit.save()
    return permit


def _read(file: IO[bytes]) -> bytes:
    file.seek(0)
    return file.read()


def _extension(file: IO[bytes]) -> str:
    return document_content_detect(file=file, size=file.size).extension


def permit_confirm(*, permit: Permit, user: Any, request: Any = None) -> Permit:
    """The citizen confirmed the summary: the draft goes to the office, to payment, or is
    issued at once. The fee is worked out again under the household's lock."""
    with transaction.atomic():
        permit = (
            Permit.objects.select_for_update(of=("self",))
            .select_related("permit_type", "zone", "renewal_of")
            .get(pk=permit.pk)
        )
        if permit.status != PermitStatus.DRAFT:
            raise ApplicationError(_("Questa domanda è già stata inviata."))
        transaction_lock(f"permits:household:{permit.family_id or permit.holder_id}")
        _plate_free_check(zone=permit.zone, plate=permit.plate, renewal_of=permit.renewal_of)
        quote = permit_quote(permit)
        permit.fee, permit.household_rank = quote.fee, quote.rank
        try:
            with transaction.atomic():
                if quote.needs_check:
                    permit.status = PermitStatus.AWAITING_CHECK
                    permit.save()
                    _event(
                        permit,
                        _("Domanda inviata: l'ufficio mobilità verifica i documenti."),
                        actor=user,
                    )
                else:
                    _event(
                        permit,
                        _("Domanda inviata."),
                        actor=user,
                        status=PermitStatus.AWAITING_PAYMENT,
                    )
                    _after_check(permit, actor=user)
        except IntegrityError as error:
            raise ApplicationError(
                _("Per questo veicolo c'è già una domanda in corso in questa zona.")
            ) from error
        audit_record(action="permit_submitted", actor=user, target=permit, request=request)
        permit_notify(permit, kind="submitted")
    return permit


def _after_check(permit: Permit, *, actor: Any) -> None:
    """Everything is in order: ask for payment, or issue at once when nothing is due."""
    total = _total(permit)
    if total <= 0:
        _issue(permit, actor=actor)
        return
    permit.status = PermitStatus.AWAITING_PAYMENT
    permit.save()
    permit.payment_position_id = _position_create(permit, actor=actor)
    permit.save(update_fields=["payment_position_id", "updated_at"])
    _event(
        permit,
        _("Da pagare con pagoPA: %(amount)s.") % {"amount": euro_text(total)},
        actor=actor,
    )


def _position_create(permit: Permit, *, actor: Any) -> int:
    from sportello.payments.services import positions_create
    from sportello.payments.validation import Debtor, OptionSpec, PositionSpec

    holder = permit.holder
    title = _("Permesso %(zone)s, targa %(plate)s") % {
        "zone": permit.zone.name,
        "plate": permit.plate,
    }
    due = timezone.localdate() + datetime.timedelta(days=settings.SPORTELLO_PERMIT_PAYMENT_DAYS)
    spec = PositionSpec(
        service=SERVICE,
        reference=str(permit.pk),
        title=title[:140],
        debtor=Debtor(
            fiscal_code=holder.codice_fiscale,
            name=holder.full_name[:70],
            email=(permit.applicant.email if permit.applicant else "") or "",
        ),
        category=permit.permit_type.category,
        office_name=_("Ufficio mobilità"),
        switch_to_expired=True,
        single=OptionSpec(_total(permit), due, title[:140]),
    )
    [position_id] = positions_create(specs=[spec], created_by=actor)
    return position_id


def _issue(permit: Permit, *, actor: Any = None) -> None:
    """The permit is in force: its dates are set (a renewal starts where the previous ends) and
    its plate is put on the cameras' list for the whole period."""
    today = timezone.localdate()
    start = today
    if permit.renewal_of_id:
        start = max(today, permit.renewal_of.valid_until + datetime.timedelta(days=1))
    permit.valid_from = start
    permit.valid_until = _period_end(start, permit.permit_type.validity_months)
    permit.status = PermitStatus.VALID
    permit.save()
    PlateAllowance.objects.create(
        zone=permit.zone,
        permit=permit,
        plate=permit.plate,
        starts_at=max(timezone.now(), _midnight(start)),
        ends_at=_midnight(permit.valid_until + datetime.timedelta(days=1)),
        note="rinnovo" if permit.renewal_of_id else "rilascio",
    )
    _event(
        permit,
        _("Permesso rilasciato, valido dal %(start)s al %(end)s.")
        % {
            "start": permit.valid_from.strftime("%d/%m/%Y"),
            "end": permit.valid_until.strftime("%d/%m/%Y"),
        },
        actor=actor,
    )
    permit_notify(permit, kind="issued")


def _end_allowances(permit: Permit, *, at: datetime.datetime) -> None:
    """The permit's plate stops being allowed at `at`; periods not yet begun never open."""
    PlateAllowance.objects.filter(permit=permit, ends_at__gt=at, starts_at__lt=at).update(
        ends_at=at
    )
    PlateAllowance.objects.filter(permit=permit, starts_at__gte=at).update(ends_at=F("starts_at"))


# ---------------------------------------------------------------------------------------------
# Renewal and plate change


def permit_renew(*, permit: Permit, user: Any, request: Any = None) -> Permit:
    """Renewal in one step when nothing changed: the same vehicle, documents and type."""
    from sportello.permits.selectors import renewable

    if permit.status == PermitStatus.REVOKED:
        raise ApplicationError(
            _(
                "Un permesso revocato non si può rinnovare: se ne hai ancora diritto presenta "
                "una nuova domanda."
            )
        )
    if not renewable(permit):
        raise ApplicationError(
            _(
                "Questo permesso non si può rinnovare adesso: si rinnova da %(days)s giorni "
                "prima della scadenza, e una volta sola."
            )
            % {"days": settings.SPORTELLO_PERMIT_RENEWAL_DAYS}
        )
    if (
        permit.permit_type.residents_only
        and not ZoneCivicNumber.objects.filter(
            zone=permit.zone, civic_number_id=user.person.residence_id
        ).exists()
    ):
        raise ApplicationError(
            _(
                "Secondo l'anagrafe non risiedi più in questa zona: il permesso per i residenti "
                "non si può rinnovare."
            )
        )
    draft = Permit.objects.filter(
        renewal_of=permit, status=PermitStatus.DRAFT, applicant=user
    ).first()
    if draft is not None:
        quote = permit_quote(draft)
        draft.fee, draft.household_rank = quote.fee, quote.rank
        draft.save()
        return draft
    with transaction.atomic():
        renewal = Permit.objects.create(
            code=_code(),
            permit_type=permit.permit_type,
            zone=permit.zone,
            holder=permit.holder,
            applicant=user,
            family_id=user.person.family_id,
            plate=permit.plate,
            plate_foreign=permit.plate_foreign,
            ownership=permit.ownership,
            owner=permit.owner,
            registration_document=permit.registration_document.name,
            contract_document=permit.contract_document.name,
            supporting_document=permit.supporting_document.name,
            status=PermitStatus.DRAFT,
            valid_from=permit.valid_until + datetime.timedelta(days=1),
            valid_until=_period_end(
                permit.valid_until + datetime.timedelta(days=1),
                permit.permit_type.validity_months,
            ),
            renewal_of=permit,
        )
        quote = permit_quote(renewal)
        renewal.fee, renewal.household_rank = quote.fee, quote.rank
        renewal.save()
    return renewal


def permit_plate_change(
    *,
    permit: Permit,
    user: Any,
    plate: str,
    plate_foreign: bool,
    registration_document: IO[bytes] | None,
    request: Any = None,
) -> Permit:
    """A new vehicle on a valid permit (the old one sold or scrapped): the old plate leaves the
    cameras' list now and the new one enters it for the rest of the period."""
    if permit.status != PermitStatus.VALID or permit.valid_until < timezone.localdate():
        raise ApplicationError(_("La targa si cambia solo su un permesso valido."))
    parsed = plate_parse(plate, foreign=plate_foreign)
    if parsed.number == permit.plate:
        raise ApplicationError(_("È la stessa targa di adesso."), extra={"field": "plate"})
    if parsed.foreign and not permit.plate_foreign:
        raise ApplicationError(
            _("Per un veicolo con targa estera presenta una nuova domanda: va verificata."),
            extra={"field": "plate"},
        )
    _plate_free_check(zone=permit.zone, plate=parsed.number)
    _document_check(registration_document, field="registration_document", required=True)
    now = timezone.now()
    with transaction.atomic():
        permit = Permit.objects.select_for_update().get(pk=permit.pk)
        old = permit.plate
        permit.plate = parsed.number
        permit.registration_document.save(
            f"registration_document{_extension(registration_document)}",
            ContentFile(_read(registration_document)),
            save=False,
        )
        permit.save()
        _end_allowances(permit, at=now)
        PlateAllowance.objects.create(
            zone=permit.zone,
            permit=permit,
            plate=permit.plate,
            starts_at=max(now, _midnight(permit.valid_from)),
            ends_at=_midnight(permit.ends_on or permit.valid_until + datetime.timedelta(days=1)),
            note=f"cambio targa da {old}",
        )
        _event(
            permit,
            _("Targa cambiata: da %(old)s a %(new)s.") % {"old": old, "new": permit.plate},
            actor=user,
        )
        audit_record(
            action="permit_plate_changed",
            actor=user,
            target=permit,
            request=request,
            detail={"from": old, "to": permit.plate},
        )
    return permit


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
        _event(permit, _("Documenti verificati dall'ufficio mobilità."), actor=by)
        _after_check(permit, actor=by)
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
        _event(permit, _("Domanda respinta: %(reason)s") % {"reason": reason}, actor=by)
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
        _end_allowances(permit, at=timezone.now())
        _event(permit, _("Permesso revocato: %(reason)s") % {"reason": reason}, actor=by)
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
        _event(permit, _("Pagamento ricevuto da pagoPA."))
        _issue(permit)
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
                _event(
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
                    _event(
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


def permits_residence_check(*, today: datetime.date | None = None) -> int:
    """Holders of residents' permits who, according to the registry, no longer live in the
    zone: told at once, and the permit ends after the grace period."""
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
    count = 0
    for permit in moved:
        with transaction.atomic():
            changed = Permit.objects.filter(pk=permit.pk, ends_on__isnull=True).update(
                ends_on=min(ends_on, permit.valid_until + datetime.timedelta(days=1))
            )
            if not changed:
                continue
            permit.refresh_from_db()
            _end_allowances(permit, at=_midnight(permit.ends_on))
            _event(
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


def permit_type_fees_check(fees: Any) -> list[str]:
    """The fee table as the office writes it: a list of amounts in euros."""
    if not isinstance(fees, list) or not fees:
        raise ApplicationError(_("Scrivi almeno una tariffa, anche 0."), extra={"field": "fees"})
    cleaned = []
    for value in fees:
        try:
            amount = Decimal(str(value))
        except ArithmeticError as error:
            raise ApplicationError(
                _("«%(value)s» non è un importo.") % {"value": value}, extra={"field": "fees"}
            ) from error
        if amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise ApplicationError(
                _("«%(value)s»: gli importi sono positivi, con al massimo due decimali.")
                % {"value": value},
                extra={"field": "fees"},
            )
        cleaned.append(f"{amount:.2f}")
    return cleaned


__all__ = [
    "PermitType",
    "Quote",
    "permit_accept",
    "permit_confirm",
    "permit_draft_create",
    "permit_paid",
    "permit_plate_change",
    "permit_quote",
    "permit_reject",
    "permit_renew",
    "permit_revoke",
    "permits_expire",
    "permits_remind",
    "permits_residence_check",
    "zone_area_set",
]


def camera_token_create(*, name: str, zone_codes: list[str] | None = None) -> tuple[Any, str]:
    """A new key for a gate system; the key itself is returned once and never stored."""
    import hashlib

    from sportello.permits.models import CameraToken

    raw = secrets.token_urlsafe(32)
    token = CameraToken.objects.create(
        name=name, token_sha256=hashlib.sha256(raw.encode()).hexdigest()
    )
    if zone_codes:
        token.zones.set(Zone.objects.filter(code__in=zone_codes))
    return token, raw
