"""The families' enrolments (child, class, diet, ISEE) and their status timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sportello.canteen.models.setup import DietOption, SchoolClass, SchoolYear
from sportello.core.storage import DocumentFileField


class EnrolmentStatus(models.TextChoices):
    DRAFT = "draft", _("bozza")
    SUBMITTED = "submitted", _("inviata")
    ACCEPTED = "accepted", _("accolta")
    REJECTED = "rejected", _("respinta")
    WITHDRAWN = "withdrawn", _("ritirata")


ACTIVE_STATUSES = (EnrolmentStatus.SUBMITTED, EnrolmentStatus.ACCEPTED)


class DietKind(models.TextChoices):
    NONE = "none", _("Nessuna dieta speciale")
    MEDICAL = "medical", _("Dieta per motivi di salute (con certificato medico)")
    ETHICAL = "ethical", _("Dieta per motivi etici o religiosi")


class Enrolment(models.Model):
    """A child enrolled by a parent for a school year. The child's data are copied from the
    registry (or typed, for a child not resident here) so the enrolment outlives changes."""

    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("anno")
    )
    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="canteen_enrolments",
        verbose_name=_("genitore"),
    )
    child = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("bambino (anagrafe)"),
    )
    child_fiscal_code = models.CharField(_("codice fiscale del bambino"), max_length=16)
    child_first_name = models.CharField(_("nome"), max_length=100)
    child_last_name = models.CharField(_("cognome"), max_length=100)
    child_birth_date = models.DateField(_("data di nascita"))
    resident = models.BooleanField(_("residente"), default=True)
    school_class = models.ForeignKey(
        SchoolClass,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("classe"),
    )
    diet_kind = models.CharField(
        _("dieta"), max_length=10, choices=DietKind.choices, default=DietKind.NONE
    )
    diet_option = models.ForeignKey(
        DietOption, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("dieta etica")
    )
    diet_notes = models.CharField(_("indicazioni del medico"), max_length=300, blank=True)
    # Health data: in the private storage of document copies, never under the web root.
    diet_certificate = DocumentFileField(
        _("certificato medico"), upload_to="canteen/diete/%Y/", blank=True
    )
    no_isee = models.BooleanField(_("non presenta l'ISEE"), default=False)
    isee_value = models.DecimalField(
        _("valore ISEE (€)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    dsu_protocol = models.CharField(_("protocollo DSU"), max_length=40, blank=True)
    rules_accepted = models.BooleanField(_("regolamento accettato"), default=False)
    exempt = models.BooleanField(
        _("esente (servizi sociali)"), default=False, help_text=_("Il pasto non costa nulla.")
    )
    account = models.ForeignKey(
        "canteen.CreditAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("credito"),
    )
    meal_price = models.PositiveIntegerField(
        _("costo del pasto (centesimi)"), null=True, blank=True
    )
    tariff_note = models.CharField(_("come è calcolata la tariffa"), max_length=200, blank=True)
    status = models.CharField(
        _("stato"), max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.DRAFT
    )
    protocol = models.CharField(_("numero di protocollo"), max_length=30, blank=True)
    rejection_reason = models.CharField(_("motivo del rifiuto"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("iscrizione alla mensa")
        verbose_name_plural = _("iscrizioni alla mensa")
        ordering = ["-created_at", "-pk"]
        permissions = [("review_enrolment", _("Può accogliere e respingere le iscrizioni"))]
        constraints = [
            # One live enrolment a child a year (drafts, rejections and withdrawals aside).
            models.UniqueConstraint(
                fields=["school_year", "child_fiscal_code"],
                condition=Q(status__in=["submitted", "accepted"]),
                name="canteen_one_enrolment_per_child_year",
            ),
        ]
        indexes = [
            models.Index(fields=["school_year", "status"]),
            models.Index(fields=["child_fiscal_code"]),
        ]

    def __str__(self) -> str:
        return f"{self.child_first_name} {self.child_last_name} — {self.school_year}"

    @property
    def child_name(self) -> str:
        return f"{self.child_first_name} {self.child_last_name}"

    @property
    def diet_label(self) -> str:
        if self.diet_kind == DietKind.MEDICAL:
            return str(_("Sanitaria"))
        if self.diet_kind == DietKind.ETHICAL and self.diet_option_id:
            return self.diet_option.name
        return str(_("Ordinaria"))


class EnrolmentEvent(models.Model):
    """One step of the enrolment's timeline, as the family sees it."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=10, choices=EnrolmentStatus.choices)
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.status} {self.at:%Y-%m-%d %H:%M}"
