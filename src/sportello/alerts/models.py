"""Subscriptions to the civil-protection alerts, their verification codes, and the suppression
list of numbers that asked never to be called again."""

from __future__ import annotations

import uuid

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


# --- Alerts (CAP 1.2 model) ----------------------------------------------------------------


class AlertCategory(models.TextChoices):
    """CAP 1.2 <category>."""

    GEO = "Geo", _("Geofisico (terremoto, frana)")
    MET = "Met", _("Meteorologico (pioggia, neve, vento, alluvione)")
    SAFETY = "Safety", _("Sicurezza generale")
    SECURITY = "Security", _("Ordine pubblico")
    RESCUE = "Rescue", _("Soccorso")
    FIRE = "Fire", _("Incendio")
    HEALTH = "Health", _("Sanitario")
    ENV = "Env", _("Ambientale (inquinamento)")
    TRANSPORT = "Transport", _("Trasporti")
    INFRA = "Infra", _("Servizi e infrastrutture (acqua, luce, gas)")
    CBRNE = "CBRNE", _("Chimico, biologico, radiologico, nucleare")
    OTHER = "Other", _("Altro")


class AlertUrgency(models.TextChoices):
    IMMEDIATE = "Immediate", _("Immediata: agire subito")
    EXPECTED = "Expected", _("Attesa: agire entro un'ora")
    FUTURE = "Future", _("Futura: agire a breve")
    PAST = "Past", _("Passata: non serve più agire")
    UNKNOWN = "Unknown", _("Non nota")


class AlertSeverity(models.TextChoices):
    EXTREME = "Extreme", _("Estrema: pericolo straordinario per la vita")
    SEVERE = "Severe", _("Grave: pericolo significativo")
    MODERATE = "Moderate", _("Moderata: possibile pericolo")
    MINOR = "Minor", _("Lieve: pericolo minimo o nullo")
    UNKNOWN = "Unknown", _("Non nota")


class AlertCertainty(models.TextChoices):
    OBSERVED = "Observed", _("Osservato: sta accadendo")
    LIKELY = "Likely", _("Probabile")
    POSSIBLE = "Possible", _("Possibile")
    UNLIKELY = "Unlikely", _("Improbabile")
    UNKNOWN = "Unknown", _("Non noto")


class AlertKind(models.TextChoices):
    ALERT = "alert", _("Allerta")
    RECONFIRM = "reconfirm", _("Campagna di riconferma dei contatti")


class AlertStatus(models.TextChoices):
    DRAFT = "draft", _("Bozza")
    AWAITING_APPROVAL = "awaiting", _("In attesa di approvazione")
    SCHEDULED = "scheduled", _("Programmata")
    SENDING = "sending", _("In invio")
    SENT = "sent", _("Inviata")
    STOPPED = "stopped", _("Interrotta")


class AlertContent(models.Model):
    """What an alert says: shared by alerts and the templates for recurring events."""

    event = models.CharField(_("evento"), max_length=120)
    category = models.CharField(
        _("categoria"), max_length=10, choices=AlertCategory.choices, default=AlertCategory.MET
    )
    urgency = models.CharField(
        _("urgenza"), max_length=10, choices=AlertUrgency.choices, default=AlertUrgency.EXPECTED
    )
    severity = models.CharField(
        _("gravità"), max_length=10, choices=AlertSeverity.choices, default=AlertSeverity.MODERATE
    )
    certainty = models.CharField(
        _("certezza"), max_length=10, choices=AlertCertainty.choices, default=AlertCertainty.LIKELY
    )
    headline = models.CharField(_("titolo"), max_length=160)
    description = models.TextField(_("descrizione"))
    instruction = models.TextField(_("cosa fare"), blank=True)
    headline_en = models.CharField(_("titolo (inglese)"), max_length=160, blank=True)
    description_en = models.TextField(_("descrizione (inglese)"), blank=True)
    instruction_en = models.TextField(_("cosa fare (inglese)"), blank=True)
    # Per-channel texts, derived from the above and editable.
    voice_text = models.TextField(_("testo della chiamata"), blank=True)
    voice_text_en = models.TextField(_("testo della chiamata (inglese)"), blank=True)
    sms_text = models.TextField(_("testo dell'SMS"), blank=True)
    sms_text_en = models.TextField(_("testo dell'SMS (inglese)"), blank=True)
    email_subject = models.CharField(_("oggetto dell'e-mail"), max_length=200, blank=True)
    email_subject_en = models.CharField(
        _("oggetto dell'e-mail (inglese)"), max_length=200, blank=True
    )
    email_text = models.TextField(_("testo dell'e-mail"), blank=True)
    email_text_en = models.TextField(_("testo dell'e-mail (inglese)"), blank=True)
    fax_text = models.TextField(_("testo del fax"), blank=True)

    class Meta:
        abstract = True


class AlertTemplate(AlertContent):
    """A ready text for a recurring event (allerta meteo, acqua non potabile, …)."""

    name = models.CharField(_("nome del modello"), max_length=120, unique=True)
    position = models.PositiveSmallIntegerField(_("ordine"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("modello di allerta")
        verbose_name_plural = _("modelli di allerta")

    def __str__(self) -> str:
        return self.name


class Alert(AlertContent):
    """A warning to the people of an area, modelled on CAP 1.2, and how it is being sent."""

    identifier = models.UUIDField(_("identificativo"), unique=True, default=uuid.uuid4)
    kind = models.CharField(
        _("tipo"), max_length=10, choices=AlertKind.choices, default=AlertKind.ALERT
    )
    status = models.CharField(
        _("stato"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.DRAFT
    )
    exercise = models.BooleanField(
        _("esercitazione"),
        default=False,
        help_text=_("Prova: ogni messaggio e ogni resoconto lo dichiarano."),
    )
    onset = models.DateTimeField(_("inizio"), null=True, blank=True)
    expires = models.DateTimeField(_("fine validità"), null=True, blank=True)
    # Channels to use.
    use_voice = models.BooleanField(_("chiamate vocali"), default=True)
    use_sms = models.BooleanField(_("SMS"), default=True)
    use_fax = models.BooleanField(_("fax"), default=False)
    use_email = models.BooleanField(_("e-mail"), default=True)
    confirm_requested = models.BooleanField(
        _("chiedere di premere 1 per confermare l'ascolto"), default=False
    )
    voice_recording = models.FileField(
        _("messaggio registrato"), upload_to="alerts/recordings/", blank=True
    )
    # Where: {"city": true} or {"features": GeoJSON FeatureCollection, "streets": [...]}
    # (see alerts.targeting). Kept as drawn, validated when saved.
    area = models.JSONField(_("area"), default=dict, blank=True)
    area_description = models.CharField(_("descrizione dell'area"), max_length=250, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("creata da")
    )
    created_at = models.DateTimeField(_("creata il"), default=timezone.now)
    approved_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approvata da"),
    )
    approved_at = models.DateTimeField(_("approvata il"), null=True, blank=True)
    scheduled_for = models.DateTimeField(_("programmata per"), null=True, blank=True)
    sent_at = models.DateTimeField(_("inviata il"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("interrotta il"), null=True, blank=True)
    stopped_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("interrotta da"),
    )
    dispatch = models.OneToOneField(
        "channels.Dispatch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alert",
    )
    submitted_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("inviata da"),
    )
    # Re-confirmation campaigns: people who pressed 2 (their number is then deleted, with its
    # deliveries, unless the campaign is a drill: counted here so the report keeps them).
    removal_requests = models.PositiveIntegerField(
        _("richieste di non essere più chiamati"), default=0
    )
    # CAP: the alert this one updates (its message is then an Update referencing it).
    supersedes = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=_("aggiorna l'allerta"),
    )
    # CAP in: where an imported draft came from (sender + identifier are unique).
    source_sender = models.CharField(_("ente di origine"), max_length=255, blank=True)
    source_identifier = models.CharField(_("identificativo d'origine"), max_length=255, blank=True)
    source_sent = models.DateTimeField(_("emesso dall'ente il"), null=True, blank=True)
    source_url = models.URLField(_("indirizzo d'origine"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("allerta")
        verbose_name_plural = _("allerte")
        constraints = [
            models.UniqueConstraint(
                fields=["source_sender", "source_identifier"],
                condition=~models.Q(source_identifier=""),
                name="alerts_alert_cap_source_once",
            )
        ]
        permissions = [
            ("send_alert", _("Può inviare allerte")),
            ("approve_alert", _("Può approvare allerte altrui")),
        ]

    def __str__(self) -> str:
        return self.headline
