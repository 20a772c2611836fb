"""Debt positions as pagoPA's GPD models them: a position (IUPD, debtor) with payment options
(a single payment or instalments, each with its IUV and codice avviso) made of transfers (to an
IBAN, or a digital stamp); the receipts that pay them; the citizen's carts.

Amounts are integer cents everywhere, as in pagoPA's APIs.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PositionStatus(models.TextChoices):
    DRAFT = "DRAFT", _("in preparazione")
    PUBLISHED = "PUBLISHED", _("pubblicata, non ancora pagabile")
    VALID = "VALID", _("da pagare")
    PARTIALLY_PAID = "PARTIALLY_PAID", _("pagata in parte")
    PAID = "PAID", _("pagata")
    EXPIRED = "EXPIRED", _("scaduta")
    INVALID = "INVALID", _("annullata")


OPEN_STATUSES = (
    PositionStatus.DRAFT,
    PositionStatus.PUBLISHED,
    PositionStatus.VALID,
    PositionStatus.PARTIALLY_PAID,
)
PAYABLE_STATUSES = (PositionStatus.VALID, PositionStatus.PARTIALLY_PAID)


class DebtorType(models.TextChoices):
    PERSON = "F", _("persona fisica")
    COMPANY = "G", _("persona giuridica")


class PaymentPosition(models.Model):
    """A debt position: what one debtor owes the comune for one thing (a certificate's stamp
    duty, a canteen bill…), identified by its IUPD."""

    iupd = models.CharField(_("IUPD"), max_length=60, unique=True, editable=False)
    service = models.CharField(_("servizio"), max_length=40)
    service_reference = models.CharField(
        _("riferimento del servizio"), max_length=60, help_text=_("Identificativo interno.")
    )
    title = models.CharField(_("oggetto"), max_length=140, help_text=_("Che cosa si paga."))
    debtor_type = models.CharField(
        _("tipo di debitore"), max_length=1, choices=DebtorType.choices, default=DebtorType.PERSON
    )
    debtor_fiscal_code = models.CharField(_("codice fiscale o partita IVA"), max_length=16)
    debtor_name = models.CharField(_("debitore"), max_length=70)
    debtor_street = models.CharField(_("indirizzo"), max_length=70, blank=True)
    debtor_civic_number = models.CharField(_("numero civico"), max_length=16, blank=True)
    debtor_postal_code = models.CharField(_("CAP"), max_length=16, blank=True)
    debtor_city = models.CharField(_("comune"), max_length=35, blank=True)
    debtor_province = models.CharField(_("provincia"), max_length=2, blank=True)
    debtor_country = models.CharField(_("nazione"), max_length=2, default="IT")
    debtor_email = models.EmailField(_("e-mail"), blank=True)
    company_name = models.CharField(_("ente creditore"), max_length=140)
    office_name = models.CharField(_("ufficio"), max_length=140, blank=True)
    status = models.CharField(
        _("stato"), max_length=16, choices=PositionStatus.choices, default=PositionStatus.DRAFT
    )
    switch_to_expired = models.BooleanField(
        _("scade dopo l'ultima scadenza"),
        default=False,
        help_text=_("Dopo la scadenza non si può più pagare."),
    )
    created_at = models.DateTimeField(_("creata il"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("creata da"),
    )
    published_at = models.DateTimeField(_("pubblicata su pagoPA il"), null=True, blank=True)
    publish_error = models.CharField(_("errore di pubblicazione"), max_length=300, blank=True)
    paid_at = models.DateTimeField(_("pagata il"), null=True, blank=True)
    invalidated_at = models.DateTimeField(_("annullata il"), null=True, blank=True)
    invalidated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("annullata da"),
    )
    invalidation_reason = models.CharField(
        _("motivo dell'annullamento"), max_length=300, blank=True
    )

    class Meta:
        verbose_name = _("posizione debitoria")
        verbose_name_plural = _("posizioni debitorie")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("invalidate_paymentposition", _("Può annullare una posizione debitoria")),
            ("record_offline_payment", _("Può registrare un pagamento avvenuto fuori da pagoPA")),
        ]
        indexes = [
            # No index names the status (nor does the constraint below): marking a position
            # paid is then a HOT update on PostgreSQL, with no index to touch.
            models.Index(fields=["debtor_fiscal_code"], name="payments_position_debtor"),
            models.Index(fields=["service", "-created_at"], name="payments_position_service"),
        ]
        constraints = [
            # A service asks once for each thing; a new position only after annulling the old.
            models.UniqueConstraint(
                fields=["service", "service_reference"],
                condition=Q(invalidated_at__isnull=True),
                name="payment_position_one_open_per_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.iupd} {self.debtor_name}"


class OptionStatus(models.TextChoices):
    UNPAID = "PO_UNPAID", _("da pagare")
    PAID = "PO_PAID", _("pagato")


class PaymentOption(models.Model):
    """One way to pay (all at once, or one instalment), with its own IUV and codice avviso."""

    # Indexed by the (position, instalment) constraint: no index of its own to keep up to date.
    position = models.ForeignKey(
        PaymentPosition, on_delete=models.CASCADE, related_name="options", db_index=False
    )
    iuv = models.CharField(_("IUV"), max_length=17, unique=True, editable=False)
    notice_number = models.CharField(_("codice avviso"), max_length=18, unique=True, editable=False)
    amount = models.PositiveBigIntegerField(_("importo (centesimi)"))
    due_date = models.DateField(_("scadenza"))
    description = models.CharField(_("causale"), max_length=140)
    is_partial_payment = models.BooleanField(_("rata"), default=False)
    instalment = models.PositiveSmallIntegerField(
        _("numero della rata"), default=0, help_text=_("0 per il pagamento in unica soluzione.")
    )
    status = models.CharField(
        _("stato"), max_length=10, choices=OptionStatus.choices, default=OptionStatus.UNPAID
    )
    paid_at = models.DateTimeField(_("pagato il"), null=True, blank=True)
    # Set once the payer has been told by e-mail (at most one confirmation per payment).
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("opzione di pagamento")
        verbose_name_plural = _("opzioni di pagamento")
        ordering = ["position_id", "instalment"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payment_option_amount_positive"
            ),
            models.UniqueConstraint(
                fields=["position", "instalment"], name="payment_option_instalment_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.notice_number

    @property
    def notice_number_display(self) -> str:
        """The codice avviso grouped in fours, as printed on the notice."""
        return " ".join(self.notice_number[i : i + 4] for i in range(0, 18, 4))


class Transfer(models.Model):
    """Where (part of) an option's amount goes: an IBAN of the comune, or a digital stamp (marca
    da bollo digitale) whose amount is the imposta di bollo."""

    option = models.ForeignKey(PaymentOption, on_delete=models.CASCADE, related_name="transfers")
    id_transfer = models.PositiveSmallIntegerField(_("numero"))
    amount = models.PositiveBigIntegerField(_("importo (centesimi)"))
    organization_fiscal_code = models.CharField(_("codice fiscale del beneficiario"), max_length=11)
    company_name = models.CharField(_("beneficiario"), max_length=140)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    remittance_information = models.CharField(_("causale del versamento"), max_length=140)
    category = models.CharField(_("codice tassonomico"), max_length=20)
    stamp_hash = models.CharField(
        _("impronta del documento (marca da bollo)"), max_length=72, blank=True
    )
    stamp_type = models.CharField(_("tipo di bollo"), max_length=2, blank=True)
    stamp_province = models.CharField(_("provincia di residenza (bollo)"), max_length=2, blank=True)

    class Meta:
        verbose_name = _("trasferimento")
        verbose_name_plural = _("trasferimenti")
        ordering = ["option_id", "id_transfer"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(iban="") & ~Q(stamp_hash="")) | (~Q(iban="") & Q(stamp_hash="")),
                name="transfer_iban_or_stamp",
            ),
            models.CheckConstraint(
                condition=Q(id_transfer__gte=1) & Q(id_transfer__lte=5),
                name="transfer_id_between_1_and_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.option_id}/{self.id_transfer}"


class ReceiptSource(models.TextChoices):
    PROVIDER = "provider", _("pagoPA (notifica)")
    POLLING = "polling", _("pagoPA (consultazione delle ricevute)")
    OFFLINE = "offline", _("registrato da un operatore")


class Anomaly(models.TextChoices):
    NONE = "", _("nessuna")
    UNKNOWN_NOTICE = "unknown_notice", _("avviso sconosciuto")
    ALREADY_PAID = "already_paid", _("avviso già pagato")
    AMOUNT_MISMATCH = "amount_mismatch", _("importo diverso da quello dell'avviso")
    NOT_PAYABLE = "not_payable", _("posizione annullata o scaduta")
    OUTCOME_KO = "outcome_ko", _("esito negativo")
    UNREADABLE = "unreadable", _("ricevuta illeggibile")


class Receipt(models.Model):
    """A receipt (ricevuta telematica) as pagoPA sends it, kept whatever it says: the one that
    pays an option, and every other one as an anomaly for the operators."""

    receipt_id = models.CharField(_("identificativo della ricevuta"), max_length=64, unique=True)
    source = models.CharField(_("origine"), max_length=10, choices=ReceiptSource.choices)
    option = models.ForeignKey(
        PaymentOption,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts",
        verbose_name=_("opzione di pagamento"),
    )
    pays_option = models.BooleanField(
        _("salda l'avviso"), default=False, help_text=_("La ricevuta che ha pagato l'avviso.")
    )
    notice_number = models.CharField(_("codice avviso"), max_length=18, blank=True)
    iuv = models.CharField(_("IUV"), max_length=35, blank=True)
    organization_fiscal_code = models.CharField(_("ente"), max_length=11, blank=True)
    outcome = models.CharField(_("esito"), max_length=2, blank=True)
    amount = models.BigIntegerField(_("importo (centesimi)"), default=0)
    fee = models.BigIntegerField(_("commissione (centesimi)"), null=True, blank=True)
    debtor_fiscal_code = models.CharField(_("debitore"), max_length=16, blank=True)
    payer_fiscal_code = models.CharField(_("pagatore"), max_length=16, blank=True)
    payer_name = models.CharField(_("nome del pagatore"), max_length=70, blank=True)
    psp_id = models.CharField(_("PSP"), max_length=35, blank=True)
    psp_company_name = models.CharField(
        _("prestatore di servizi di pagamento"), max_length=70, blank=True
    )
    payment_method = models.CharField(_("strumento di pagamento"), max_length=35, blank=True)
    paid_at = models.DateTimeField(_("pagato il"), null=True, blank=True)
    received_at = models.DateTimeField(_("ricevuta il"), auto_now_add=True)
    anomaly = models.CharField(
        _("anomalia"), max_length=20, choices=Anomaly.choices, default=Anomaly.NONE, blank=True
    )
    resolved_at = models.DateTimeField(_("anomalia risolta il"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("risolta da"),
    )
    resolution_note = models.CharField(_("nota"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("registrata da"),
    )
    document = models.TextField(_("documento ricevuto"), blank=True)

    class Meta:
        verbose_name = _("ricevuta")
        verbose_name_plural = _("ricevute")
        ordering = ["-received_at", "-id"]
        constraints = [
            # At most one receipt pays an option: the second is an anomaly, never a second payment.
            models.UniqueConstraint(
                fields=["option"], condition=Q(pays_option=True), name="receipt_one_payment"
            ),
        ]
        indexes = [models.Index(fields=["anomaly", "resolved_at"])]

    def __str__(self) -> str:
        return self.receipt_id


class CartStatus(models.TextChoices):
    OPEN = "open", _("in pagamento")
    COMPLETED = "completed", _("pagamento eseguito")
    CANCELLED = "cancelled", _("pagamento annullato")
    FAILED = "failed", _("pagamento non riuscito")


class Cart(models.Model):
    """Up to five notices paid together in one pagoPA Checkout session."""

    MAX_NOTICES = 5

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payment_carts"
    )
    options = models.ManyToManyField(PaymentOption, related_name="carts")
    email = models.EmailField(_("e-mail per la ricevuta"), blank=True)
    status = models.CharField(
        _("stato"), max_length=10, choices=CartStatus.choices, default=CartStatus.OPEN
    )
    checkout_url = models.CharField(_("indirizzo del pagamento"), max_length=500, blank=True)
    # Where pagoPA sends the citizen back: {"ok": url, "cancel": url, "error": url}.
    return_urls = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("carrello")
        verbose_name_plural = _("carrelli")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.uuid)

    @property
    def total(self) -> int:
        return sum(option.amount for option in self.options.all())
