"""The alerts (CAP 1.2 model): their content, templates, kinds and statuses."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
    # (see places.areas). Kept as drawn, validated when saved.
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
