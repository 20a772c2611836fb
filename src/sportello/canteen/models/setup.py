"""The canteen as the school office sets it up: school years (enrolment window, absence
cut-off, low-credit threshold, reductions), schools and classes with their canteen days, tariffs
by ISEE band, the diets offered, the calendar's closures."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sportello.core.money import euro_text


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
        if self.isee_up_to is None:
            return str(_("ISEE oltre l'ultima fascia"))
        return str(_("ISEE fino a %(amount)s") % {"amount": euro_text(self.isee_up_to)})


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
