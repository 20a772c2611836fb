"""The absences notified, and one row per canteen day once its meals are debited."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sportello.canteen.models.enrolments import Enrolment


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
