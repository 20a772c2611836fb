"""The school canteen as a comune runs it: school years with their enrolment window and rules,
schools and classes with their canteen days, tariffs by ISEE band, the calendar's closures; the
families' enrolments (with diet and ISEE), each child's prepaid credit and its movements, the
absences, and one row per canteen day once its meals are debited.

Amounts are integer cents, as in payments.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sportello.documents.storage import DocumentFileField


class SchoolYear(models.Model):
    """A school year and the rules the comune set for it."""

    name = models.CharField(_("anno scolastico"), max_length=20, unique=True, help_text="2026/27")
    starts = models.DateField(_("primo giorno di mensa"))
    ends = models.DateField(_("ultimo giorno di mensa"))
    enrolment_opens = models.DateField(_("apertura delle iscrizioni"))
    enrolment_closes = models.DateField(_("chiusura delle iscrizioni"))
    absence_cutoff = models.TimeField(
        _("ora limite per le assenze"),
        default=datetime.time(9, 0),
        help_text=_("Le assenze del giorno si comunicano entro quest'ora."),
    )
    low_credit_threshold = models.PositiveIntegerField(
        _("soglia di credito basso (centesimi)"), default=1000
    )
    sibling_reduction_percent = models.PositiveSmallIntegerField(
        _("riduzione dal secondo figlio (%)"), default=20
    )
    minimum_top_up = models.PositiveIntegerField(_("ricarica minima (centesimi)"), default=500)
    kitchen_email = models.EmailField(
        _("e-mail della cucina"),
        blank=True,
        help_text=_("Riceve il conteggio dei pasti di ogni giorno dopo l'ora limite."),
    )

    class Meta:
        verbose_name = _("anno scolastico")
        verbose_name_plural = _("anni scolastici")
        ordering = ["-starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gte=models.F("starts")), name="canteen_year_dates"
            ),
            models.CheckConstraint(
                condition=Q(enrolment_closes__gte=models.F("enrolment_opens")),
                name="canteen_year_enrolment_window",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def enrolment_open(self, day: datetime.date) -> bool:
        return self.enrolment_opens <= day <= self.enrolment_closes


class Grade(models.TextChoices):
    INFANZIA = "infanzia", _("Scuola dell'infanzia")
    PRIMARIA = "primaria", _("Scuola primaria")
    SECONDARIA = "secondaria", _("Scuola secondaria di primo grado")


class School(models.Model):
    name = models.CharField(_("scuola"), max_length=120, unique=True)
    grade = models.CharField(_("ordine"), max_length=12, choices=Grade.choices)
    address = models.CharField(_("indirizzo"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("scuola")
        verbose_name_plural = _("scuole")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchoolClass(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="classes", verbose_name=_("scuola")
    )
    name = models.CharField(_("classe o sezione"), max_length=20)
    # ISO weekdays with the canteen open, e.g. "12345" (Monday to Friday).
    canteen_days = models.CharField(
        _("giorni di mensa"),
        max_length=7,
        default="12345",
        help_text=_("Numeri dei giorni della settimana: 1 lunedì … 5 venerdì, 6 sabato."),
    )

    class Meta:
        verbose_name = _("classe")
        verbose_name_plural = _("classi")
        ordering = ["school__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="canteen_class_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.school.name}, {self.name}"

    def eats_on(self, day: datetime.date) -> bool:
        return str(day.isoweekday()) in self.canteen_days


class TariffBand(models.Model):
    """The price of one meal for a household whose ISEE is at most `isee_up_to` (the top band,
    with no limit, also for who presents no ISEE)."""

    school_year = models.ForeignKey(
        SchoolYear, on_delete=models.CASCADE, related_name="bands", verbose_name=_("anno")
    )
    isee_up_to = models.DecimalField(
        _("ISEE fino a (€)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    resident_price = models.PositiveIntegerField(_("pasto, residenti (centesimi)"))
    non_resident_price = models.PositiveIntegerField(_("pasto, non residenti (centesimi)"))

    class Meta:
        verbose_name = _("fascia ISEE")
        verbose_name_plural = _("fasce ISEE")
        ordering = ["school_year", models.F("isee_up_to").asc(nulls_last=True)]

    def __str__(self) -> str:
        return f"≤ {self.isee_up_to} €" if self.isee_up_to is not None else "oltre"


class DietOption(models.Model):
    """An ethical or religious diet the kitchen offers (medical diets need a certificate)."""

    name = models.CharField(_("dieta"), max_length=80, unique=True)
    active = models.BooleanField(_("offerta"), default=True)

    class Meta:
        verbose_name = _("dieta etica o religiosa")
        verbose_name_plural = _("diete etiche o religiose")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClosureKind(models.TextChoices):
    HOLIDAY = "holiday", _("Vacanza o festività")
    STRIKE = "strike", _("Sciopero")
    OTHER = "other", _("Altra chiusura")


class Closure(models.Model):
    """A day without canteen: for every school, or for one."""

    day = models.DateField(_("giorno"))
    kind = models.CharField(_("motivo"), max_length=10, choices=ClosureKind.choices)
    school = models.ForeignKey(
        School,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("scuola"),
        help_text=_("Vuoto: tutte le scuole."),
    )
    note = models.CharField(_("nota"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("chiusura")
        verbose_name_plural = _("calendario delle chiusure")
        ordering = ["day"]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day:%d/%m/%Y} {self.get_kind_display()}"


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


class CreditAccount(models.Model):
    """A child's prepaid credit (borsellino), kept across school years. `balance` is the sum of
    the movements, kept up to date by the services that write them."""

    child_fiscal_code = models.CharField(_("codice fiscale"), max_length=16, unique=True)
    child_name = models.CharField(_("bambino"), max_length=200)
    balance = models.IntegerField(_("saldo (centesimi)"), default=0)
    low_credit_notified = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("credito mensa")
        verbose_name_plural = _("crediti mensa")

    def __str__(self) -> str:
        return f"{self.child_name} ({self.balance / 100:.2f} €)"


class MovementKind(models.TextChoices):
    TOP_UP = "top_up", _("Ricarica")
    MEAL = "meal", _("Pasto")
    REFUND = "refund", _("Rimborso")
    CORRECTION = "correction", _("Correzione")
    DEBT_PAID = "debt_paid", _("Saldo del debito pagato")


class Movement(models.Model):
    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=12, choices=MovementKind.choices)
    amount = models.IntegerField(_("importo (centesimi)"))  # + credit, − debit
    day = models.DateField(_("giorno"))
    enrolment = models.ForeignKey(
        Enrolment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    payment_position_id = models.BigIntegerField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-pk"]
        constraints = [
            # A meal once a child a day; a payment credited once (its hook may run again).
            models.UniqueConstraint(
                fields=["enrolment", "day"],
                condition=Q(kind="meal"),
                name="canteen_one_meal_per_day",
            ),
            models.UniqueConstraint(
                fields=["payment_position_id"],
                condition=Q(payment_position_id__isnull=False),
                name="canteen_payment_credited_once",
            ),
        ]
        indexes = [models.Index(fields=["account", "day"]), models.Index(fields=["day", "kind"])]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.amount}"


class TopUpKind(models.TextChoices):
    TOP_UP = "top_up", _("Ricarica")
    DEBT = "debt", _("Saldo negativo di fine mese")


class TopUp(models.Model):
    """A pagoPA position that credits a child's account once paid: a top-up the family asked
    for, or the negative balance at the end of a month."""

    account = models.ForeignKey(CreditAccount, on_delete=models.PROTECT, related_name="top_ups")
    kind = models.CharField(max_length=6, choices=TopUpKind.choices, default=TopUpKind.TOP_UP)
    amount = models.PositiveIntegerField(_("importo (centesimi)"))
    month = models.DateField(null=True, blank=True)  # first day of the month, for a debt
    payment_position_id = models.BigIntegerField(null=True, blank=True, unique=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "month"],
                condition=Q(kind="debt"),
                name="canteen_one_debt_per_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} ({self.account_id})"


class Absence(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="absences")
    day = models.DateField(_("giorno"))
    by_school = models.BooleanField(_("inserita dalla scuola"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assenza")
        verbose_name_plural = _("assenze")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "day"], name="canteen_one_absence_a_day"),
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.day}"


class CanteenDay(models.Model):
    """A canteen day whose meals were debited: the row makes the run happen once."""

    day = models.DateField(_("giorno"), unique=True)
    meals = models.PositiveIntegerField(_("pasti addebitati"), default=0)
    closed = models.BooleanField(_("chiuso (calendario)"), default=False)
    ran_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("giornata di mensa")
        verbose_name_plural = _("giornate di mensa")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} ({self.meals})"
