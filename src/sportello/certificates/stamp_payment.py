"""The stamp duty of a certificate paid online: a pagoPA debt position with a digital stamp
(marca da bollo digitale) for the certificate as drawn at the request, and the hook that seals
and releases it as soon as pagoPA's receipt arrives.

The stamp carries the SHA-256 of the drawn PDF (base64, as pagoPA's digital-stamp rules ask);
the seal is an incremental update, so the released file begins with exactly those bytes.
"""

from __future__ import annotations

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sportello.certificates.issuing import (
    STORAGE,
    certificate_draw,
    certificate_seal_and_store,
    file_read,
    file_store,
    issuing,
)
from sportello.certificates.kinds import CertificateType, certificate_type
from sportello.certificates.models import Certificate, CertificateStatus
from sportello.core.exceptions import ApplicationError
from sportello.core.selectors import municipality_get
from sportello.payments.hooks import PaymentEvent, payment_service_register
from sportello.payments.models import (
    PAYABLE_STATUSES,
    OptionStatus,
    PaymentOption,
    PaymentPosition,
    PositionStatus,
)
from sportello.payments.services import cart_checkout, positions_create
from sportello.payments.validation import Debtor, OptionSpec, PositionSpec, Stamp, TransferSpec

logger = logging.getLogger(__name__)

SERVICE = "certificates"


def _debtor(user) -> Debtor:
    person = user.person
    municipality = municipality_get()
    civic = person.residence
    return Debtor(
        fiscal_code=person.codice_fiscale,
        name=person.full_name[:70],
        street=civic.street.full_name[:70] if civic else "",
        civic_number=civic.label[:16] if civic else "",
        postal_code=(civic.postal_code or municipality.postal_code) if civic else "",
        city=municipality.short_name[:35] if civic else "",
        province=municipality.province if civic else "",
        email=user.email or "",
    )


def stamp_position_create(
    *,
    certificate: Certificate,
    certificate_type: CertificateType,
    user,
    stored: list[str],
) -> PaymentPosition:
    """Draw the certificate, keep the draft privately, and open the position that pays its
    stamp duty (inside the caller's issuing transaction)."""
    certificate.stamp_online = True  # the printed wording: a digital stamp, paid with pagoPA
    pdf = certificate_draw(certificate=certificate, certificate_type=certificate_type)
    digest = hashlib.sha256(pdf).digest()
    certificate.pdf_name = file_store(
        name=f"in-attesa/{certificate.code}.pdf", data=pdf, stored=stored
    )
    certificate.stamp_document_sha256 = digest.hex()
    municipality = municipality_get()
    debtor = _debtor(user)
    what = str(certificate_type.title)
    remittance = _("Imposta di bollo, certificato %(code)s") % {"code": certificate.display_code}
    due = timezone.localdate() + datetime.timedelta(
        days=settings.SPORTELLO_CERTIFICATE_PAYMENT_DAYS
    )
    spec = PositionSpec(
        service=SERVICE,
        reference=str(certificate.pk),
        title=_("Bollo per il %(what)s %(code)s")
        % {"what": what[:1].lower() + what[1:], "code": certificate.display_code},
        debtor=debtor,
        office_name=_("Servizi demografici"),
        switch_to_expired=True,
        single=OptionSpec(
            amount=certificate.stamp_duty,
            due_date=due,
            description=remittance,
            transfers=(
                TransferSpec(
                    amount=certificate.stamp_duty,
                    remittance=remittance,
                    category=settings.SPORTELLO_CERTIFICATE_STAMP_CATEGORY,
                    stamp=Stamp(
                        document_sha256=digest,
                        province=debtor.province or (municipality.province if municipality else ""),
                    ),
                ),
            ),
        ),
    )
    [position_id] = positions_create(specs=[spec], created_by=user)
    certificate.payment_position_id = position_id
    certificate.save()
    return certificate.payment_position


def certificate_stamp_paid(event: PaymentEvent) -> None:
    """pagoPA's receipt arrived: seal the drawn certificate and release it (idempotent)."""
    if not event.position_paid:
        return
    with issuing() as stored:
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("subject")
            .filter(payment_position_id=event.position_id)
            .first()
        )
        if certificate is None or certificate.status != CertificateStatus.AWAITING_PAYMENT:
            return
        pdf = file_read(certificate.pdf_name)
        if hashlib.sha256(pdf).hexdigest() != certificate.stamp_document_sha256:
            raise RuntimeError(f"Certificate {certificate.pk}: the drawn PDF changed on disk")
        draft = certificate.pdf_name
        certificate.paid_at = timezone.now()
        certificate_seal_and_store(
            certificate=certificate,
            certificate_type=certificate_type(certificate.kind),
            pdf=pdf,
            stored=stored,
        )
        transaction.on_commit(lambda: storages[STORAGE].delete(draft))
    logger.info("Certificate %s released after its stamp duty was paid", certificate.pk)


def stamp_payment_option(certificate: Certificate) -> PaymentOption | None:
    """The pagoPA notice that pays the certificate's stamp duty, while it can still be paid
    online."""
    if (
        certificate.status != CertificateStatus.AWAITING_PAYMENT
        or not certificate.payment_position_id
    ):
        return None
    return PaymentOption.objects.filter(
        position_id=certificate.payment_position_id,
        status=OptionStatus.UNPAID,
        position__status__in=PAYABLE_STATUSES + (PositionStatus.DRAFT,),
    ).first()


def stamp_payment_url(certificate: Certificate) -> str | None:
    """Where the citizen pays the certificate's stamp duty later (the payments' summary before
    pagoPA), while it can still be paid online."""
    option = stamp_payment_option(certificate)
    if option is None:
        return None
    return reverse("payments:summary") + f"?option={option.pk}"


def stamp_checkout(*, certificate: Certificate, user, email: str, return_urls) -> str:
    """Straight from the certificate's summary to pagoPA's checkout (the summary already said
    what is paid and how much): the checkout's address. ApplicationError if pagoPA is down;
    the certificate then waits, payable later from «I miei certificati»."""
    option = stamp_payment_option(certificate)
    if option is None:
        raise ApplicationError(_("Il bollo di questo certificato non si può più pagare online."))
    cart = cart_checkout(user=user, option_ids=[option.pk], email=email, return_urls=return_urls)
    return cart.checkout_url


def certificates_payment_register() -> None:
    payment_service_register(
        key=SERVICE,
        label=gettext_lazy("Certificati anagrafici (imposta di bollo)"),
        on_paid=certificate_stamp_paid,
        follow_up_url=lambda reference: reverse("certificates:home"),
    )
