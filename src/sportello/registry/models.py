"""The anagrafe: persons, their registry family (scheda di famiglia) and residence."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sportello.places.models import CivicNumber


class Sex(models.TextChoices):
    MALE = "M", _("maschile")
    FEMALE = "F", _("femminile")


class CivilStatus(models.TextChoices):
    UNMARRIED = "unmarried", _("celibe/nubile")
    MARRIED = "married", _("coniugato/a")
    WIDOWED = "widowed", _("vedovo/a")
    DIVORCED = "divorced", _("divorziato/a")
    CIVIL_UNION = "civil_union", _("unito/a civilmente")
    UNION_ENDED_DEATH = (
        "union_ended_death",
        _("stato libero a seguito di decesso della parte unita civilmente"),
    )
    UNION_DISSOLVED = "union_dissolved", _("stato libero a seguito di scioglimento dell'unione")


class Relationship(models.TextChoices):
    """A member's relationship to the head of the registry family (ANPR list, abridged)."""

    HEAD = "head", _("intestatario scheda")
    SPOUSE = "spouse", _("marito/moglie")
    CIVIL_PARTNER = "civil_partner", _("unito/a civilmente")
    PARTNER = "partner", _("convivente")
    CHILD = "child", _("figlio/a")
    STEPCHILD = "stepchild", _("figliastro/a")
    GRANDCHILD = "grandchild", _("nipote")
    PARENT = "parent", _("padre/madre")
    SIBLING = "sibling", _("fratello/sorella")
    PARENT_IN_LAW = "parent_in_law", _("suocero/a")
    CHILD_IN_LAW = "child_in_law", _("genero/nuora")
    OTHER_RELATIVE = "other_relative", _("altro parente")
    COHABITANT = "cohabitant", _("altro convivente")


class Family(models.Model):
    """A registry family (scheda di famiglia): people who live together at one address."""

    code = models.CharField(_("numero scheda"), max_length=20, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("famiglia anagrafica")
        verbose_name_plural = _("famiglie anagrafiche")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Person(models.Model):
    """A person in the registry, identified by their codice fiscale."""

    codice_fiscale = models.CharField(_("codice fiscale"), max_length=16, unique=True)
    first_name = models.CharField(_("nome"), max_length=100)
    last_name = models.CharField(_("cognome"), max_length=100)
    sex = models.CharField(_("sesso"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("data di nascita"))
    birth_place = models.CharField(_("luogo di nascita"), max_length=100)
    birth_place_code = models.CharField(
        _("codice catastale del luogo di nascita"),
        max_length=4,
        help_text=_("Codice Belfiore del comune o dello Stato estero di nascita."),
    )
    citizenship = models.CharField(
        _("cittadinanza"), max_length=2, default="IT", help_text=_("Codice ISO 3166, es. IT.")
    )
    civil_status = models.CharField(_("stato civile"), max_length=20, choices=CivilStatus.choices)
    family = models.ForeignKey(
        Family,
        null=True,
        blank=True,
        # A family with members cannot be deleted: its members would keep a relationship.
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("famiglia anagrafica"),
    )
    relationship = models.CharField(
        _("rapporto con l'intestatario"), max_length=20, choices=Relationship.choices, blank=True
    )
    residence = models.ForeignKey(
        CivicNumber,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
        verbose_name=_("residenza"),
    )
    residence_detail = models.CharField(
        _("scala/interno"), max_length=40, blank=True, help_text=_("Es. scala B, interno 4.")
    )
    date_of_death = models.DateField(_("data di morte"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("persona")
        verbose_name_plural = _("persone")
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["last_name", "first_name"])]
        constraints = [
            # The services keep these rules with readable messages; the database is the net.
            models.UniqueConstraint(
                fields=["family"],
                condition=models.Q(relationship="head"),
                name="registry_one_head_per_family",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(family__isnull=True, relationship="")
                    | (models.Q(family__isnull=False) & ~models.Q(relationship=""))
                ),
                name="registry_member_has_relationship",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name} ({self.codice_fiscale})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"
