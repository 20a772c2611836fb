"""The anagrafe: persons, their registry family (scheda di famiglia) and residence, their
identity documents, and the corrections citizens ask the registry office for."""

from __future__ import annotations

from django.conf import settings
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


class FamilyKind(models.TextChoices):
    FAMILY = "family", _("famiglia")
    # People living together for religious, care, military or similar reasons (a community of
    # nuns, a care home): DPR 223/1989 art. 5. Its head is the person responsible for it.
    COHABITATION = "cohabitation", _("convivenza anagrafica")


class Family(models.Model):
    """A registry family (scheda di famiglia): people who live together at one address."""

    code = models.CharField(_("numero scheda"), max_length=20, unique=True)
    kind = models.CharField(
        _("tipo"), max_length=20, choices=FamilyKind.choices, default=FamilyKind.FAMILY
    )
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
    civil_status_date = models.DateField(
        _("data dell'evento di stato civile"),
        null=True,
        blank=True,
        help_text=_("Matrimonio, unione civile, divorzio, morte del coniuge…: l'ultimo evento."),
    )
    civil_status_place = models.CharField(
        _("luogo dell'evento di stato civile"), max_length=100, blank=True
    )
    cohabitation_contract_date = models.DateField(
        _("data del contratto di convivenza"),
        null=True,
        blank=True,
        help_text=_("Contratto di convivenza registrato in anagrafe (legge 76/2016)."),
    )
    # Italians living abroad (Anagrafe degli italiani residenti all'estero): no residence here.
    aire = models.BooleanField(_("iscritto all'AIRE"), default=False)
    aire_country = models.CharField(
        _("paese di residenza all'estero"),
        max_length=2,
        blank=True,
        help_text=_("Per chi è iscritto all'AIRE: codice ISO 3166, es. DE."),
    )
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


class IdentityDocumentKind(models.TextChoices):
    # The same codes as accounts.IdentityDocument, the documents shown at the counter.
    CIE = "cie", _("carta d'identità elettronica")
    PAPER_ID = "carta_identita", _("carta d'identità cartacea")
    PASSPORT = "passaporto", _("passaporto")
    DRIVING_LICENCE = "patente", _("patente di guida")


class IdentityDocument(models.Model):
    """An identity document a person holds, as the registry office recorded it."""

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="identity_documents",
        verbose_name=_("persona"),
    )
    kind = models.CharField(_("tipo"), max_length=20, choices=IdentityDocumentKind.choices)
    number = models.CharField(_("numero"), max_length=30)
    issued_on = models.DateField(_("rilasciato il"))
    expires_on = models.DateField(_("scade il"))
    issued_by = models.CharField(_("rilasciato da"), max_length=100)

    class Meta:
        verbose_name = _("documento d'identità")
        verbose_name_plural = _("documenti d'identità")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class CorrectionTopic(models.TextChoices):
    """Which part of the registry data a citizen says is wrong."""

    NAME = "name", _("nome, cognome o sesso")
    BIRTH = "birth", _("data o luogo di nascita")
    CITIZENSHIP = "citizenship", _("cittadinanza")
    CIVIL_STATUS = "civil_status", _("stato civile")
    RESIDENCE = "residence", _("residenza")
    IDENTITY_DOCUMENT = "identity_document", _("documento d'identità")
    FAMILY = "family", _("composizione della famiglia")
    OTHER = "other", _("altro")


class CorrectionStatus(models.TextChoices):
    NEW = "new", _("ricevuta")
    IN_PROGRESS = "in_progress", _("in lavorazione")
    DONE = "done", _("corretta")
    REJECTED = "rejected", _("respinta")


class CorrectionRequest(models.Model):
    """A citizen's report that something in their registry data is wrong, and how the registry
    office answered it."""

    person = models.ForeignKey(
        Person,
        on_delete=models.CASCADE,
        related_name="correction_requests",
        verbose_name=_("persona"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("inviata da"),
    )
    topic = models.CharField(
        _("dato da correggere"), max_length=20, choices=CorrectionTopic.choices
    )
    text = models.TextField(_("segnalazione"))
    status = models.CharField(
        _("stato"),
        max_length=20,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.NEW,
        db_index=True,
    )
    answer = models.TextField(_("risposta dell'ufficio"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("gestita da"),
    )
    created_at = models.DateTimeField(_("inviata il"), auto_now_add=True)
    updated_at = models.DateTimeField(_("aggiornata il"), auto_now=True)
    closed_at = models.DateTimeField(_("chiusa il"), null=True, blank=True)

    class Meta:
        verbose_name = _("segnalazione di errore")
        verbose_name_plural = _("segnalazioni di errore")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_topic_display()} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in (CorrectionStatus.NEW, CorrectionStatus.IN_PROGRESS)
