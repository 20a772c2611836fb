"""Who the alerts reach: subscriptions and their verification codes, the suppression list of
numbers that asked never to be called again, the directory's contacts, and callback requests."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SubscriptionStatus(models.TextChoices):
    PENDING = "pending", _("In attesa della verifica")
    ACTIVE = "active", _("Attiva")


class SubscriptionSource(models.TextChoices):
    WEB = "web", _("Portale")
    PAPER = "paper", _("Modulo cartaceo")
    PHONE = "phone", _("Richiesta telefonica")


class AlertLanguage(models.TextChoices):
    IT = "it", _("Italiano")
    EN = "en", _("English")


class Subscription(models.Model):
    """A person who asked to be warned. Anyone may subscribe, resident or not; the mobile number
    is bound to the subscription by the verification call."""

    status = models.CharField(
        _("stato"),
        max_length=10,
        choices=SubscriptionStatus.choices,
        default=SubscriptionStatus.PENDING,
    )
    source = models.CharField(
        _("provenienza"),
        max_length=10,
        choices=SubscriptionSource.choices,
        default=SubscriptionSource.WEB,
    )
    first_name = models.CharField(_("nome"), max_length=100)
    last_name = models.CharField(_("cognome"), max_length=100)
    mobile = models.CharField(_("cellulare"), max_length=20, db_index=True)
    # Required on the web; a paper form (people without internet) may have none.
    email = models.EmailField(_("e-mail"), blank=True)
    landline = models.CharField(_("telefono fisso"), max_length=20, blank=True)
    fax = models.CharField(_("fax"), max_length=20, blank=True)
    civic_number = models.ForeignKey(
        "places.CivicNumber",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("numero civico"),
    )
    address_detail = models.CharField(_("scala, interno"), max_length=60, blank=True)
    language = models.CharField(
        _("lingua"), max_length=2, choices=AlertLanguage.choices, default=AlertLanguage.IT
    )
    deaf = models.BooleanField(_("persona sorda"), default=False)
    sms_instead_of_voice_requested = models.BooleanField(
        _("chiede SMS invece delle chiamate"), default=False
    )
    sms_instead_of_voice = models.BooleanField(
        _("SMS invece delle chiamate (concesso)"), default=False
    )
    privacy_accepted_at = models.DateTimeField(_("informativa accettata il"))
    protocol_number = models.CharField(_("numero di protocollo"), max_length=40, blank=True)
    attested_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("verificata da (operatore)"),
    )
    created_at = models.DateTimeField(_("creata il"), default=timezone.now)
    verified_at = models.DateTimeField(_("verificata il"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("iscrizione all'allerta")
        verbose_name_plural = _("iscrizioni all'allerta")
        indexes = [
            # Alerts select verified subscribers by address.
            models.Index(
                fields=["civic_number"],
                condition=models.Q(status="active"),
                name="alerts_sub_active_civic",
            ),
            # The replay line recognises a caller by their landline, too.
            models.Index(
                fields=["landline"],
                condition=models.Q(status="active"),
                name="alerts_sub_active_landline",
            ),
        ]
        constraints = [
            # A number is bound to one subscription only.
            models.UniqueConstraint(
                fields=["mobile"],
                condition=models.Q(status="active"),
                name="alerts_one_active_subscription_per_mobile",
            )
        ]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name}"


class VerificationPurpose(models.TextChoices):
    SUBSCRIBE = "subscribe", _("Completare l'iscrizione")
    MANAGE = "manage", _("Gestire l'iscrizione")


class VerificationCode(models.Model):
    """A 6-digit code read by phone. Only its hash is stored; it expires, is used once, and
    allows a few attempts. Rows also count the calls made per number and per address."""

    subscription = models.ForeignKey(
        Subscription, null=True, on_delete=models.CASCADE, related_name="codes"
    )
    purpose = models.CharField(max_length=10, choices=VerificationPurpose.choices)
    number = models.CharField(max_length=20, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    delivery_id = models.BigIntegerField(null=True, blank=True)
    # The API's handle for this code: a random token given only to the client that started the
    # subscription; only its SHA-256 is kept, so the table does not hand it out either.
    handle_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def notice_only(self) -> bool:
        """A start for a number that is already subscribed: no code exists, the call tells the
        owner instead (the one who asked is answered as for any number)."""
        return self.purpose == VerificationPurpose.SUBSCRIBE and self.subscription_id is None


class Suppression(models.Model):
    """A number that asked to be removed: kept only as a salted hash, so that no import ever
    brings it back and nobody can read the number out of it."""

    number_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=40)

    class Meta:
        verbose_name = _("numero escluso")
        verbose_name_plural = _("numeri esclusi")

    def __str__(self) -> str:
        return f"{self.number_hash[:12]}… {self.reason}"


class Contact(models.Model):
    """A number from a public phone directory: called in alerts for its address (when the
    address matched the stradario) without having subscribed. Numbers on the suppression list
    and numbers already subscribed are never imported."""

    name = models.CharField(_("nome"), max_length=200)
    number = models.CharField(_("numero"), max_length=20, unique=True)
    address_text = models.CharField(_("indirizzo (come nell'elenco)"), max_length=250)
    civic_number = models.ForeignKey(
        "places.CivicNumber",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("numero civico"),
    )
    source = models.CharField(_("fonte"), max_length=40, default="directory")
    imported_at = models.DateTimeField(_("importato il"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confermato il"), null=True, blank=True)
    # Asked, during a drill's re-confirmation call, not to be called any more: a drill removes
    # nobody, so the office sees the wish here and decides.
    removal_requested_at = models.DateTimeField(
        _("ha chiesto di essere tolto il"), null=True, blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("contatto da elenco pubblico")
        verbose_name_plural = _("contatti da elenchi pubblici")

    def __str__(self) -> str:
        return f"{self.name} {self.number}"


class CallbackStatus(models.TextChoices):
    PENDING = "pending", _("Da richiamare")
    DONE = "done", _("Richiamato")


class CallbackRequest(models.Model):
    """Someone asked by phone to be called back and subscribed by the civil-protection office."""

    number = models.CharField(_("numero"), max_length=20)
    name = models.CharField(_("nome"), max_length=200, blank=True)
    source = models.CharField(_("provenienza"), max_length=10)  # "ivr" or "operator"
    status = models.CharField(
        _("stato"), max_length=10, choices=CallbackStatus.choices, default=CallbackStatus.PENDING
    )
    note = models.CharField(_("nota"), max_length=250, blank=True)
    created_at = models.DateTimeField(_("ricevuta il"), default=timezone.now)
    handled_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "created_at"]
        verbose_name = _("richiesta di richiamata")
        verbose_name_plural = _("richieste di richiamata")

    def __str__(self) -> str:
        return f"{self.number} {self.get_status_display()}"
