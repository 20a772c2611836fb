"""Registry certificates issued online: who asked, about whom, for what use, the stamp duty, and
the sealed PDF (kept in the private "certificates" storage with its SHA-256)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sportello.certificates.kinds import TYPES, CertificateKind


class CertificateStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("in attesa del pagamento del bollo")
    ISSUED = "issued", _("rilasciato")
    REVOKED = "revoked", _("revocato")


class Certificate(models.Model):
    # 12 characters of Crockford's base 32 (codes.py), stored without the dashes it is shown with.
    code = models.CharField(_("codice"), max_length=12, unique=True, editable=False)
    kind = models.CharField(_("tipo"), max_length=40, choices=CertificateKind.choices)
    subject = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("intestatario del certificato"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("richiesto da"),
    )
    use = models.CharField(_("uso dichiarato"), max_length=150)
    stamp_duty = models.DecimalField(
        _("imposta di bollo (€)"),
        max_digits=6,
        decimal_places=2,
        default=0,
        help_text=_("Zero se esente."),
    )
    exemption = models.CharField(_("esenzione"), max_length=40, blank=True)
    exemption_reference = models.CharField(_("norma di esenzione"), max_length=200, blank=True)
    status = models.CharField(
        _("stato"), max_length=20, choices=CertificateStatus.choices, db_index=True
    )
    requested_at = models.DateTimeField(_("richiesto il"), auto_now_add=True)
    paid_at = models.DateTimeField(_("bollo pagato il"), null=True, blank=True)
    paid_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("pagamento registrato da"),
    )
    issued_at = models.DateTimeField(_("rilasciato il"), null=True, blank=True)
    valid_until = models.DateField(
        _("valido fino al"), null=True, blank=True, help_text=_("Vuoto: validità illimitata.")
    )
    revoked_at = models.DateTimeField(_("revocato il"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revocato da"),
    )
    revocation_reason = models.CharField(_("motivo della revoca"), max_length=300, blank=True)
    # The file's name in the "certificates" storage (not a FileField: that storage is private
    # and must never produce a URL).
    pdf_name = models.CharField(_("file PDF"), max_length=200, blank=True, editable=False)
    sha256 = models.CharField(_("impronta SHA-256"), max_length=64, blank=True, editable=False)
    # Stamp duty paid online: the pagoPA debt position with the digital stamp (marca da bollo
    # digitale), and the SHA-256 of the document it was paid for — the certificate as drawn at
    # the request, whose bytes the sealed PDF begins with (the seal is an incremental update).
    payment_position = models.ForeignKey(
        "payments.PaymentPosition",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("posizione debitoria pagoPA"),
    )
    stamp_document_sha256 = models.CharField(
        _("impronta del documento bollato"), max_length=64, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("certificato")
        verbose_name_plural = _("certificati")
        ordering = ["-requested_at", "-id"]
        permissions = [
            ("record_stamp_duty_payment", _("Può registrare il pagamento del bollo")),
            ("revoke_certificate", _("Può revocare un certificato")),
        ]
        indexes = [models.Index(fields=["requested_by", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.display_code} {self.get_kind_display()}"

    @property
    def display_code(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    @property
    def title(self) -> str:
        return str(TYPES[self.kind].title)

    def expired(self, *, today: datetime.date) -> bool:
        return self.valid_until is not None and today > self.valid_until
