"""Writes for certificates: a citizen's request (issued at once when no stamp duty is due), the
operator's record of the duty paid, revocation. Every issued certificate is rendered from the
registry, sealed, stored privately with its SHA-256, and never changed afterwards."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.certificates import rendering
from sportello.certificates.codes import code_generate
from sportello.certificates.issuing import (
    STORAGE,
    certificate_draw,
    certificate_seal_and_store,
    file_read,
    issuing,
)
from sportello.certificates.kinds import CertificateType, certificate_type
from sportello.certificates.models import Certificate, CertificateStatus
from sportello.certificates.selectors import certificate_facts, certificate_subject_get
from sportello.certificates.stamp_duty import (
    CIVIL_STATUS_RECORD,
    CIVIL_STATUS_RECORD_REFERENCE,
    exemption_get,
    stamp_duty_amount,
)
from sportello.certificates.stamp_payment import stamp_position_create
from sportello.core.exceptions import ApplicationError
from sportello.core.services import audit_record
from sportello.payments.services import position_invalidate
from sportello.registry.models import Person

logger = logging.getLogger(__name__)


def certificate_subject_check(
    *, user, subject_id: int, request: HttpRequest | None = None
) -> Person:
    """The person a citizen asks about, if they may (themself or their registry family).
    Anyone else: the attempt is audited and PermissionDenied raised."""
    subject = certificate_subject_get(person=user.person, subject_id=subject_id)
    if subject is None:
        audit_record(
            action="certificate_subject_denied",
            actor=user,
            target=user.person,
            request=request,
            detail={"subject_id": subject_id},
        )
        raise PermissionDenied
    return subject


def _not_applicable(certificate_type: CertificateType, subject: Person) -> ApplicationError:
    return ApplicationError(
        _(
            "Il %(title)s non può essere rilasciato per %(name)s: secondo l'anagrafe non ne "
            "ricorrono le condizioni (per esempio stato civile o residenza). Scegli uno dei "
            "certificati proposti; se i dati sono sbagliati rivolgiti all'ufficio anagrafe."
        )
        % {"title": str(certificate_type.title).lower(), "name": subject.full_name},
        extra={"field": "kind"},
    )


def certificate_request(
    *,
    user,
    subject: Person,
    kind: str,
    use: str,
    exemption: str = "",
    request: HttpRequest | None = None,
) -> Certificate:
    """A citizen asks for a certificate about themself or a family member. Issued and sealed
    at once when no stamp duty is due; otherwise it waits for the payment."""
    subject = certificate_subject_check(user=user, subject_id=subject.pk, request=request)
    certificate_type_ = certificate_type(kind)
    if certificate_type_ is None:
        raise ApplicationError(_("Tipo di certificato sconosciuto."), extra={"field": "kind"})
    if not certificate_type_.applies(subject):
        raise _not_applicable(certificate_type_, subject)
    use = " ".join((use or "").split())
    if not use:
        raise ApplicationError(
            _("Scrivi per quale uso ti serve il certificato."), extra={"field": "use"}
        )
    duty, reference = Decimal("0.00"), ""
    if certificate_type_.civil_status_record:
        exemption, reference = CIVIL_STATUS_RECORD, CIVIL_STATUS_RECORD_REFERENCE
    elif exemption:
        found = exemption_get(exemption)
        if found is None:
            raise ApplicationError(
                _("Esenzione dal bollo sconosciuta: scegline una dall'elenco."),
                extra={"field": "exemption"},
            )
        reference = found.reference
    else:
        duty = stamp_duty_amount()
    with issuing() as stored:
        certificate = _create(
            subject=subject,
            user=user,
            kind=kind,
            use=use[:150],
            duty=duty,
            exemption=exemption,
            reference=reference,
        )
        if duty == 0:
            pdf = certificate_draw(certificate=certificate, certificate_type=certificate_type_)
            certificate_seal_and_store(
                certificate=certificate, certificate_type=certificate_type_, pdf=pdf, stored=stored
            )
        else:
            stamp_position_create(
                certificate=certificate,
                certificate_type=certificate_type_,
                user=user,
                stored=stored,
            )
        if subject.pk != user.person_id:
            audit_record(
                action="certificate_requested",
                actor=user,
                target=certificate,
                request=request,
                detail={"subject_id": subject.pk, "kind": kind},
            )
    return certificate


def _create(**fields) -> Certificate:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    code=code_generate(),
                    kind=fields["kind"],
                    subject=fields["subject"],
                    requested_by=fields["user"],
                    use=fields["use"],
                    stamp_duty=fields["duty"],
                    exemption=fields["exemption"],
                    exemption_reference=fields["reference"],
                    status=CertificateStatus.AWAITING_PAYMENT,
                )
        except IntegrityError:  # the same code drawn twice (one chance in 2^60)
            continue
    raise ApplicationError(_("Non è stato possibile assegnare un codice: riprova."))


def certificate_stamp_duty_paid(*, certificate: Certificate, operator) -> Certificate:
    """An operator records the stamp duty paid at the counter: the pagoPA notice is annulled and
    the certificate is issued now, from the registry as it is today."""
    with issuing() as stored:
        locked = (
            # Only the certificate's row: the registry rows are read, not held.
            Certificate.objects.select_for_update(of=("self",))
            .select_related("subject", "subject__family", "subject__residence__street")
            .get(pk=certificate.pk)
        )
        if locked.status != CertificateStatus.AWAITING_PAYMENT:
            raise ApplicationError(
                _("Il certificato %(code)s non è in attesa di pagamento.")
                % {"code": locked.display_code}
            )
        certificate_type_ = certificate_type(locked.kind)
        if certificate_type_ is None or not certificate_type_.applies(locked.subject):
            raise ApplicationError(
                _(
                    "Il certificato %(code)s non può più essere rilasciato: i dati di anagrafe "
                    "sono cambiati. Revocalo e avvisa il cittadino."
                )
                % {"code": locked.display_code}
            )
        if locked.payment_position_id:
            try:
                position_invalidate(
                    position=locked.payment_position,
                    operator=operator,
                    reason=_("Bollo pagato allo sportello"),
                )
            except ApplicationError as error:
                raise ApplicationError(
                    _(
                        "Il bollo del certificato %(code)s non si può registrare allo sportello: "
                        "%(reason)s Se è già stato pagato con pagoPA, il certificato viene "
                        "rilasciato da solo all'arrivo della ricevuta."
                    )
                    % {"code": locked.display_code, "reason": error.message}
                ) from None
        draft = locked.pdf_name
        locked.stamp_document_sha256 = ""  # a physical or virtual stamp, not the digital one
        locked.paid_at = timezone.now()
        locked.paid_recorded_by = operator
        pdf = certificate_draw(certificate=locked, certificate_type=certificate_type_)
        certificate_seal_and_store(
            certificate=locked, certificate_type=certificate_type_, pdf=pdf, stored=stored
        )
        if draft:
            transaction.on_commit(lambda: storages[STORAGE].delete(draft))
        audit_record(action="certificate_stamp_duty_paid", actor=operator, target=locked)
    return locked


def certificate_revoke(*, certificate: Certificate, operator, reason: str) -> Certificate:
    """Revoke a certificate (the public verification then says so). The reason is required."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ApplicationError(_("Indica il motivo della revoca."), extra={"field": "reason"})
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.status == CertificateStatus.REVOKED:
            raise ApplicationError(
                _("Il certificato %(code)s è già revocato.") % {"code": locked.display_code}
            )
        locked.status = CertificateStatus.REVOKED
        locked.revoked_at = timezone.now()
        locked.revoked_by = operator
        locked.revocation_reason = reason[:300]
        locked.save()
        audit_record(
            action="certificate_revoked", actor=operator, target=locked, detail={"reason": reason}
        )
    return locked


def certificate_pdf_read(
    *, certificate: Certificate, user, request: HttpRequest | None = None
) -> bytes:
    """The sealed PDF for its requester (audited when it is about someone else)."""
    data = file_read(certificate.pdf_name)
    if certificate.subject_id != user.person_id:
        audit_record(
            action="certificate_downloaded",
            actor=user,
            target=certificate,
            request=request,
            detail={"subject_id": certificate.subject_id},
        )
    return data


def self_declaration_pdf(*, user, kind: str) -> tuple[CertificateType, bytes]:
    """A self-declaration about the citizen themself, filled in from the registry."""
    certificate_type_ = certificate_type(kind)
    person = user.person
    if certificate_type_ is None:
        raise ApplicationError(_("Tipo di dichiarazione sconosciuto."), extra={"field": "kind"})
    if not certificate_type_.applies(person):
        raise ApplicationError(
            _(
                "Secondo l'anagrafe non puoi dichiarare questo fatto (%(what)s). Scegli una delle "
                "dichiarazioni proposte; se i dati sono sbagliati rivolgiti all'ufficio anagrafe."
            )
            % {"what": certificate_type_.kind.label},
            extra={"field": "kind"},
        )
    facts = certificate_facts(person=person, certificate_type=certificate_type_)
    return certificate_type_, rendering.self_declaration_pdf(
        certificate_type=certificate_type_, facts=facts
    )
