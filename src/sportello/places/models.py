"""The stradario: streets and civic numbers with WGS84 coordinates.

Civic numbers are what everything is placed by: residences in the registry, subscribers of the
alert system, and the areas alerts target.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Street(models.Model):
    """A street (odonimo): its type (DUG, e.g. «Via») and its name."""

    code = models.CharField(
        _("codice strada"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Codice nazionale della strada nell'ANNCSU, se noto."),
    )
    street_type = models.CharField(_("tipo (DUG)"), max_length=40, help_text=_("Es. Via, Piazza."))
    name = models.CharField(_("denominazione"), max_length=150)
    search_name = models.CharField(
        _("chiave di ricerca"), max_length=200, db_index=True, editable=False
    )
    postal_code = models.CharField(_("CAP"), max_length=5, blank=True)

    class Meta:
        verbose_name = _("strada")
        verbose_name_plural = _("strade")
        ordering = ["name", "street_type"]
        constraints = [
            models.UniqueConstraint(fields=["street_type", "name"], name="street_unique_name"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.street_type} {self.name}".strip()


class CivicNumber(models.Model):
    """A civic (house) number on a street, with its exponent (12/A) and position."""

    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, related_name="civic_numbers", verbose_name=_("strada")
    )
    number = models.PositiveIntegerField(_("numero"))
    exponent = models.CharField(
        _("esponente"), max_length=10, blank=True, help_text=_("Es. A in 12/A; vuoto se manca.")
    )
    code = models.CharField(
        _("codice civico"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Codice nazionale del civico nell'ANNCSU, se noto."),
    )
    latitude = models.FloatField(_("latitudine (WGS84)"))
    longitude = models.FloatField(_("longitudine (WGS84)"))
    zone = models.CharField(
        _("zona"), max_length=60, blank=True, help_text=_("Quartiere o circoscrizione.")
    )
    postal_code = models.CharField(_("CAP"), max_length=5, blank=True)

    class Meta:
        verbose_name = _("numero civico")
        verbose_name_plural = _("numeri civici")
        ordering = ["street", "number", "exponent"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "number", "exponent"], name="civic_number_unique"
            ),
        ]
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self) -> str:
        return f"{self.street.full_name} {self.label}"

    @property
    def label(self) -> str:
        return f"{self.number}/{self.exponent}" if self.exponent else str(self.number)
