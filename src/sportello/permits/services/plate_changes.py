"""Plate changes: the switch itself (shared by the immediate change of a family car and the
office's acceptance), the request the office checks (a company or leasing car: its contract),
and the office's decision on it."""

from __future__ import annotations

import datetime
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.core.services import audit_record
from sportello.documents.content import document_content_detect
from sportello.permits.models import (
    Permit,
    PermitStatus,
    PlateAllowance,
    PlateChange,
    PlateChangeStatus,
    VehicleOwnership,
)
from sportello.permits.notify import permit_notify
from sportello.permits.services.common import (
    allowances_end,
    day_start,
    event_record,
    plate_free_check,
)


def _upload_bytes(file: IO[bytes]) -> bytes:
    file.seek(0)
    return file.read()


def _upload_extension(file: IO[bytes]) -> str:
    return document_content_detect(file=file, size=file.size).extension


def plate_change_request(
    *,
    permit: Permit,
    user: Any,
    plate: str,
    plate_foreign: bool,
    registration_document: IO[bytes],
    contract_document: IO[bytes],
    request: Any,
) -> PlateChange:
    change = PlateChange(
        permit=permit,
        plate=plate,
        plate_foreign=plate_foreign,
        ownership=VehicleOwnership.COMPANY,
        status=PlateChangeStatus.AWAITING_CHECK,
        applicant=user,
    )
    stored: list = []
    try:
        with transaction.atomic():
            for field, file in (
                ("registration_document", registration_document),
                ("contract_document", contract_document),
            ):
                document = getattr(change, field)
                document.save(
                    f"{field}{_upload_extension(file)}",
                    ContentFile(_upload_bytes(file)),
                    save=False,
                )
                stored.append(document)
            change.save()
            event_record(
                permit,
                _(
                    "Cambio di targa chiesto (%(plate)s, veicolo aziendale o in leasing): "
                    "l'ufficio mobilità verifica il contratto."
                )
                % {"plate": plate},
                actor=user,
            )
            audit_record(
                action="permit_plate_change_requested",
                actor=user,
                target=permit,
                request=request,
                detail={"from": permit.plate, "to": plate},
            )
            permit_notify(permit, kind="plate_change_submitted", extra={"change": change})
    except IntegrityError as error:
        for document in stored:
            document.storage.delete(document.name)
        raise ApplicationError(
            _("C'è già un cambio di targa in verifica dall'ufficio mobilità per questo permesso.")
        ) from error
    except Exception:
        for document in stored:
            document.storage.delete(document.name)
        raise
    return change


def plate_switch(
    permit: Permit, *, plate: str, ownership: str, owner: Any, actor: Any, request: Any
) -> None:
    """Put the (locked) permit on its new plate: the old plate leaves the cameras' list now,
    the new one enters it for the rest of the period. Shared by the immediate change and the
    office's acceptance of a checked one."""
    now = timezone.now()
    old = permit.plate
    permit.plate = plate
    permit.ownership = ownership
    permit.owner = owner
    permit.save()
    allowances_end(permit, at=now)
    PlateAllowance.objects.create(
        zone=permit.zone,
        permit=permit,
        plate=permit.plate,
        starts_at=max(now, day_start(permit.valid_from)),
        ends_at=day_start(permit.ends_on or permit.valid_until + datetime.timedelta(days=1)),
        note=f"cambio targa da {old}",
    )
    event_record(
        permit,
        _("Targa cambiata: da %(old)s a %(new)s.") % {"old": old, "new": permit.plate},
        actor=actor,
    )
    audit_record(
        action="permit_plate_changed",
        actor=actor,
        target=permit,
        request=request,
        detail={"from": old, "to": permit.plate},
    )


def plate_change_accept(*, change: PlateChange, by: Any, request: Any = None) -> PlateChange:
    """The office saw the contract: the permit moves to the new plate now."""
    with transaction.atomic():
        change = PlateChange.objects.select_for_update().get(pk=change.pk)
        if change.status != PlateChangeStatus.AWAITING_CHECK:
            raise ApplicationError(_("Questo cambio di targa non è più in attesa di verifica."))
        permit = (
            Permit.objects.select_for_update(of=("self",))
            .select_related("zone", "permit_type", "applicant", "holder")
            .get(pk=change.permit_id)
        )
        if permit.status != PermitStatus.VALID or permit.valid_until < timezone.localdate():
            raise ApplicationError(
                _("Il permesso non è più valido: il cambio di targa non si può accettare.")
            )
        plate_free_check(zone=permit.zone, plate=change.plate)
        permit.registration_document = change.registration_document.name
        permit.contract_document = change.contract_document.name
        permit.plate_foreign = change.plate_foreign
        event_record(permit, _("Contratto del nuovo veicolo verificato dall'ufficio."), actor=by)
        plate_switch(
            permit,
            plate=change.plate,
            ownership=VehicleOwnership.COMPANY,
            owner=None,
            actor=by,
            request=request,
        )
        change.status = PlateChangeStatus.ACCEPTED
        change.decided_by, change.decided_at = by, timezone.now()
        change.save()
        permit_notify(permit, kind="plate_changed", extra={"change": change})
    return change


def plate_change_reject(
    *, change: PlateChange, by: Any, reason: str, request: Any = None
) -> PlateChange:
    """The contract does not give the right to the new car: the permit keeps its plate."""
    reason = " ".join((reason or "").split())
    if len(reason) < 10:
        raise ApplicationError(
            _("Scrivi il motivo al cittadino (almeno 10 caratteri)."), extra={"field": "reason"}
        )
    with transaction.atomic():
        change = PlateChange.objects.select_for_update().get(pk=change.pk)
        if change.status != PlateChangeStatus.AWAITING_CHECK:
            raise ApplicationError(_("Questo cambio di targa non è più in attesa di verifica."))
        change.status = PlateChangeStatus.REJECTED
        change.reason = reason[:1000]
        change.decided_by, change.decided_at = by, timezone.now()
        change.save()
        permit = change.permit
        event_record(
            permit,
            _("Cambio di targa verso %(plate)s respinto: %(reason)s")
            % {"plate": change.plate, "reason": reason},
            actor=by,
        )
        audit_record(
            action="permit_plate_change_rejected", actor=by, target=permit, request=request
        )
        permit_notify(permit, kind="plate_change_rejected", extra={"change": change})
    return change
