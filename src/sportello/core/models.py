"""Municipality configuration (name, arms, offices, hours, numbers) and the audit log.

Every fact a comune differs in lives here, editable by administrators, so that any comune can
run Sportello; the demo seeds it with the Comune di Livorno.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sportello.core.fields import PhoneNumberField

istat_validator = RegexValidator(r"^\d{6}$", _("Il codice ISTAT è di 6 cifre."))
phone_validator = RegexValidator(
    r"^\+?[0-9 ]{3,20}$", _("Scrivi il numero solo con cifre, spazi e un eventuale + iniziale.")
)


class Municipality(models.Model):
    """The comune running this installation (one row)."""

    name = models.CharField(_("nome"), max_length=120, help_text=_("Es. «Comune di Livorno»."))
    short_name = models.CharField(_("nome breve"), max_length=80, help_text=_("Es. «Livorno»."))
    istat_code = models.CharField(_("codice ISTAT"), max_length=6, validators=[istat_validator])
    cadastral_code = models.CharField(
        _("codice catastale"),
        max_length=4,
        blank=True,
        help_text=_("Codice Belfiore del Comune, es. E625 per Livorno."),
    )
    province = models.CharField(_("sigla provincia"), max_length=2, blank=True)
    tax_code = models.CharField(_("codice fiscale / partita IVA"), max_length=16, blank=True)
    address = models.CharField(_("indirizzo della sede"), max_length=200, blank=True)
    postal_code = models.CharField(_("CAP"), max_length=5, blank=True)
    website = models.URLField(_("sito istituzionale"), blank=True)
    coat_of_arms = models.FileField(
        _("stemma"),
        upload_to="municipality/",
        blank=True,
        validators=[FileExtensionValidator(["svg", "png", "jpg", "jpeg"])],
        help_text=_("SVG o PNG; se manca si usa lo stemma generico."),
    )
    pec_address = models.EmailField(_("indirizzo PEC"), blank=True)
    contact_email = models.EmailField(
        _("e-mail per informazioni e segnalazioni sui servizi online"), blank=True
    )
    it_office_email = models.EmailField(
        _("e-mail del responsabile della protezione dei dati (ufficio informatico)"), blank=True
    )
    # Civil protection numbers (Allerta).
    # Given to the providers as they are: kept in E.164 (core.fields), shown grouped.
    alert_caller_id = PhoneNumberField(
        _("numero dell'allerta (chiamante e riascolto)"),
        blank=True,
        help_text=_(
            "Compare come chiamante; richiamandolo si riascoltano le allerte delle 24 ore."
        ),
    )
    deregistration_line = PhoneNumberField(_("numero per la cancellazione"), blank=True)
    registration_request_line = PhoneNumberField(
        _("numero per chiedere l'iscrizione per telefono"), blank=True
    )
    fax_sender = PhoneNumberField(_("numero fax mittente"), blank=True)
    civil_protection_email = models.EmailField(_("e-mail della protezione civile"), blank=True)
    # Territory: used to reject coordinates that fall outside the comune.
    min_latitude = models.FloatField(_("latitudine minima"), default=-90)
    max_latitude = models.FloatField(_("latitudine massima"), default=90)
    min_longitude = models.FloatField(_("longitudine minima"), default=-180)
    max_longitude = models.FloatField(_("longitudine massima"), default=180)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Comune")
        verbose_name_plural = _("Comune")

    def __str__(self) -> str:
        return self.name

    def contains(self, *, latitude: float, longitude: float) -> bool:
        return (
            self.min_latitude <= latitude <= self.max_latitude
            and self.min_longitude <= longitude <= self.max_longitude
        )


class OfficeKind(models.TextChoices):
    URP = "urp", _("URP - Ufficio Relazioni con il Pubblico")
    SERVICE_CENTRE = "service_centre", _("Centro servizi al cittadino")
    PROTOCOL = "protocol", _("Ufficio Protocollo")
    CIVIL_PROTECTION = "civil_protection", _("Protezione civile")
    REGISTRY = "registry", _("Anagrafe")
    IT = "it", _("Ufficio informatico")
    OTHER = "other", _("Altro ufficio")


class Office(models.Model):
    """A counter or office citizens can visit."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="offices", verbose_name=_("Comune")
    )
    kind = models.CharField(_("tipo"), max_length=20, choices=OfficeKind.choices)
    name = models.CharField(_("nome"), max_length=120)
    address = models.CharField(_("indirizzo"), max_length=200)
    phone = models.CharField(_("telefono"), max_length=20, blank=True, validators=[phone_validator])
    fax = models.CharField(_("fax"), max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(_("e-mail"), blank=True)
    issues_credentials = models.BooleanField(
        _("rilascia le credenziali"),
        default=False,
        help_text=_("Vi si ritirano di persona le credenziali dello Sportello."),
    )
    accepts_paper_forms = models.BooleanField(
        _("riceve i moduli cartacei dell'allerta"), default=False
    )
    position = models.PositiveSmallIntegerField(_("ordine"), default=0)

    class Meta:
        verbose_name = _("ufficio")
        verbose_name_plural = _("uffici")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Helpline(models.Model):
    """A phone line citizens can call for help (e.g. with the alert-system registration)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="helplines", verbose_name=_("Comune")
    )
    name = models.CharField(_("nome"), max_length=120)
    purpose = models.CharField(_("a cosa serve"), max_length=200, blank=True)
    phone = models.CharField(_("numero"), max_length=20, validators=[phone_validator])
    toll_free = models.BooleanField(_("gratuito"), default=False)
    position = models.PositiveSmallIntegerField(_("ordine"), default=0)

    class Meta:
        verbose_name = _("numero di assistenza")
        verbose_name_plural = _("numeri di assistenza")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.phone})"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("lunedì")
    TUESDAY = 1, _("martedì")
    WEDNESDAY = 2, _("mercoledì")
    THURSDAY = 3, _("giovedì")
    FRIDAY = 4, _("venerdì")
    SATURDAY = 5, _("sabato")
    SUNDAY = 6, _("domenica")


class OpeningPeriod(models.Model):
    """One opening interval on one weekday, for an office or a helpline."""

    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.CASCADE, related_name="opening_periods"
    )
    helpline = models.ForeignKey(
        Helpline, null=True, blank=True, on_delete=models.CASCADE, related_name="opening_periods"
    )
    weekday = models.PositiveSmallIntegerField(_("giorno"), choices=Weekday.choices)
    opens = models.TimeField(_("apre alle"))
    closes = models.TimeField(_("chiude alle"))

    class Meta:
        verbose_name = _("orario")
        verbose_name_plural = _("orari")
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(office__isnull=False) & Q(helpline__isnull=True))
                | (Q(office__isnull=True) & Q(helpline__isnull=False)),
                name="opening_period_has_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(opens__lt=models.F("closes")), name="opening_period_opens_before_close"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class AuditEvent(models.Model):
    """Who did what to whose data, when and from where. Never holds secrets."""

    at = models.DateTimeField(_("quando"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("chi"),
    )
    actor_label = models.CharField(_("chi (testo)"), max_length=150, blank=True)
    action = models.CharField(_("azione"), max_length=60, db_index=True)
    target_type = models.CharField(_("tipo di dato"), max_length=60, blank=True)
    target_id = models.CharField(_("identificativo"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("indirizzo IP"), null=True, blank=True)
    channel = models.CharField(_("canale"), max_length=30, blank=True)
    detail = models.JSONField(_("dettagli"), default=dict, blank=True)

    class Meta:
        verbose_name = _("evento di audit")
        verbose_name_plural = _("registro di audit")
        ordering = ["-at"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class FeedbackRating(models.IntegerChoices):
    ONE = 1, _("1 stella su 5")
    TWO = 2, _("2 stelle su 5")
    THREE = 3, _("3 stelle su 5")
    FOUR = 4, _("4 stelle su 5")
    FIVE = 5, _("5 stelle su 5")


class ServiceFeedback(models.Model):
    """A citizen's rating at the end of a service (Modello Comuni): how easy it was, then what
    went well or badly. Anonymous: no user, no address."""

    service = models.CharField(_("servizio"), max_length=60, db_index=True)
    rating = models.PositiveSmallIntegerField(_("valutazione"), choices=FeedbackRating.choices)
    aspect = models.CharField(_("aspetto"), max_length=40, blank=True)
    comment = models.CharField(_("commento"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("data"), auto_now_add=True)

    class Meta:
        verbose_name = _("valutazione di un servizio")
        verbose_name_plural = _("valutazioni dei servizi")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.service} {self.rating}/5"
