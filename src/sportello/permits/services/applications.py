"""The citizen's steps: a draft checked in full, its confirmation, the renewal in one step and
the plate change."""

from __future__ import annotations

import datetime
import logging
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.core.locks import transaction_lock
from sportello.core.services import audit_record
from sportello.documents.content import document_content_detect
from sportello.permits.models import (
    Permit,
    PermitKind,
    PermitStatus,
    PlateChange,
    PlateChangeStatus,
    VehicleOwnership,
    ZoneCivicNumber,
)
from sportello.permits.notify import permit_notify
from sportello.permits.plates import plate_parse
from sportello.permits.selectors import permit_types_offered
from sportello.permits.services.common import (
    document_check,
    event_record,
    period_end,
    permit_after_check,
    permit_code_new,
    permit_quote_apply,
    plate_free_check,
)
from sportello.permits.services.plate_changes import plate_change_request, plate_switch

logger = logging.getLogger(__name__)


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
    plate_free_check(zone=permit_type.zone, plate=parsed.number)
    cude = permit_type.kind == PermitKind.DISABLED
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
        # The CUDE belongs to the person, not to a vehicle: whoever drives them needs no contract.
        if contract_document is None and not cude:
            raise ApplicationError(
                _(
                    "Il veicolo non è di una persona della tua famiglia: carica il contratto di "
                    "leasing o noleggio, o la dichiarazione dell'azienda che te lo affida."
                ),
                extra={"field": "contract_document"},
            )
    else:
        raise ApplicationError(_("Di chi è il veicolo?"), extra={"field": "ownership"})
    document_check(registration_document, field="registration_document", required=True)
    document_check(
        contract_document,
        field="contract_document",
        required=ownership == VehicleOwnership.COMPANY and not cude,
    )
    document_check(
        supporting_document, field="supporting_document", required=permit_type.office_check
    )
    today = timezone.localdate()
    with transaction.atomic():
        permit = Permit(
            code=permit_code_new(),
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
            valid_until=period_end(today, permit_type.validity_months),
        )
        stored: list = []
        try:
            for field, file in (
                ("registration_document", registration_document),
                ("contract_document", contract_document),
                ("supporting_document", supporting_document),
            ):
                if file is not None:
                    document = getattr(permit, field)
                    document.save(
                        f"{field}{upload_extension(file)}",
                        ContentFile(upload_bytes(file)),
                        save=False,
                    )
                    stored.append(document)
            permit_quote_apply(permit)
            permit.save()
        except Exception:
            # Nothing half-written: the files go with the row that failed.
            for document in stored:
                document.storage.delete(document.name)
            raise
    return permit


def upload_bytes(file: IO[bytes]) -> bytes:
    file.seek(0)
    return file.read()


def upload_extension(file: IO[bytes]) -> str:
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
        plate_free_check(zone=permit.zone, plate=permit.plate, renewal_of=permit.renewal_of)
        quote = permit_quote_apply(permit)
        try:
            with transaction.atomic():
                if quote.needs_check:
                    permit.status = PermitStatus.AWAITING_CHECK
                    permit.save()
                    event_record(
                        permit,
                        _("Domanda inviata: l'ufficio mobilità verifica i documenti."),
                        actor=user,
                    )
                else:
                    event_record(
                        permit,
                        _("Domanda inviata."),
                        actor=user,
                        status=PermitStatus.AWAITING_PAYMENT,
                    )
                    permit_after_check(permit, actor=user)
        except IntegrityError as error:
            raise ApplicationError(
                _("Per questo veicolo c'è già una domanda in corso in questa zona.")
            ) from error
        audit_record(action="permit_submitted", actor=user, target=permit, request=request)
        permit_notify(permit, kind="submitted")
    return permit


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
        permit_quote_apply(draft)
        draft.save()
        return draft
    with transaction.atomic():
        renewal = Permit.objects.create(
            code=permit_code_new(),
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
            valid_until=period_end(
                permit.valid_until + datetime.timedelta(days=1),
                permit.permit_type.validity_months,
            ),
            renewal_of=permit,
        )
        permit_quote_apply(renewal)
        renewal.save()
    return renewal


def permit_plate_change(
    *,
    permit: Permit,
    user: Any,
    plate: str,
    plate_foreign: bool,
    registration_document: IO[bytes] | None,
    ownership: str | None = None,
    owner_id: int | None = None,
    contract_document: IO[bytes] | None = None,
    request: Any = None,
) -> PlateChange | None:
    """A new vehicle on a valid permit (the old one sold or scrapped). A family car: the old
    plate leaves the cameras' list now and the new one enters it for the rest of the period
    (returns None). A company or leasing car (or a family car replaced by one): its contract is
    required and the change waits for the office, as an application would (returns the
    PlateChange); the old plate stays on the list until the office decides."""
    from sportello.registry.selectors import person_family

    if permit.status != PermitStatus.VALID or permit.valid_until < timezone.localdate():
        raise ApplicationError(_("La targa si cambia solo su un permesso valido."))
    if PlateChange.objects.filter(permit=permit, status=PlateChangeStatus.AWAITING_CHECK).exists():
        raise ApplicationError(
            _("C'è già un cambio di targa in verifica dall'ufficio mobilità per questo permesso.")
        )
    parsed = plate_parse(plate, foreign=plate_foreign)
    if parsed.number == permit.plate:
        raise ApplicationError(_("È la stessa targa di adesso."), extra={"field": "plate"})
    if parsed.foreign and not permit.plate_foreign:
        raise ApplicationError(
            _("Per un veicolo con targa estera presenta una nuova domanda: va verificata."),
            extra={"field": "plate"},
        )
    plate_free_check(zone=permit.zone, plate=parsed.number)
    ownership = ownership or permit.ownership
    cude = permit.permit_type.kind == PermitKind.DISABLED
    owner = None
    if ownership == VehicleOwnership.FAMILY:
        owner_id = owner_id or (permit.owner_id if permit.ownership == ownership else None)
        owner = person_family(person=user.person).filter(pk=owner_id).first() if owner_id else None
        if owner is None:
            raise ApplicationError(
                _(
                    "Scegli chi della tua famiglia è intestatario del nuovo veicolo. Se non è di "
                    "nessuno della famiglia, scegli «aziendale o in leasing/noleggio» e carica "
                    "il contratto."
                ),
                extra={"field": "owner"},
            )
    elif ownership != VehicleOwnership.COMPANY:
        raise ApplicationError(_("Di chi è il veicolo?"), extra={"field": "ownership"})
    checked = ownership == VehicleOwnership.COMPANY and not cude
    if checked and contract_document is None:
        raise ApplicationError(
            _(
                "Il nuovo veicolo è aziendale o in leasing/noleggio: carica il contratto o la "
                "dichiarazione dell'azienda che te lo affida. L'ufficio mobilità lo verifica "
                "prima di cambiare la targa."
            ),
            extra={"field": "contract_document"},
        )
    document_check(registration_document, field="registration_document", required=True)
    document_check(contract_document, field="contract_document", required=checked)
    if checked:
        return plate_change_request(
            permit=permit,
            user=user,
            plate=parsed.number,
            plate_foreign=parsed.foreign,
            registration_document=registration_document,
            contract_document=contract_document,
            request=request,
        )
    with transaction.atomic():
        permit = Permit.objects.select_for_update().get(pk=permit.pk)
        permit.registration_document.save(
            f"registration_document{upload_extension(registration_document)}",
            ContentFile(upload_bytes(registration_document)),
            save=False,
        )
        if contract_document is not None:
            permit.contract_document.save(
                f"contract_document{upload_extension(contract_document)}",
                ContentFile(upload_bytes(contract_document)),
                save=False,
            )
        plate_switch(
            permit,
            plate=parsed.number,
            ownership=ownership,
            owner=owner,
            actor=user,
            request=request,
        )
    return None
