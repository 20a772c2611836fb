"""Digital copies of a person's documents (identity card, birth record…) kept by the registry
office in a private storage, with what was checked on upload: real type, size and SHA-256."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sportello.core.storage import DocumentFileField


class DocumentKind(models.TextChoices):
    IDENTITY_CARD = "carta_identita", _("carta d'identità")
    PASSPORT = "passaporto", _("passaporto")
    BIRTH_RECORD = "atto_nascita", _("atto di nascita")
    MARRIAGE_RECORD = "atto_matrimonio", _("atto di matrimonio")
    CIVIL_UNION_RECORD = "atto_unione_civile", _("atto di unione civile")
    RESIDENCE_PERMIT = "permesso_soggiorno", _("permesso di soggiorno")
    OTHER = "altro", _("altro")


def document_file_name(instance: DocumentCopy, filename: str) -> str:
    """Year/month/random name with the extension of the detected type: nothing in a file's
    name says whose it is."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class DocumentCopy(models.Model):
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.CASCADE,
        related_name="document_copies",
        verbose_name=_("persona"),
    )
    kind = models.CharField(_("tipo di documento"), max_length=30, choices=DocumentKind.choices)
    description = models.CharField(
        _("descrizione"),
        max_length=200,
        blank=True,
        help_text=_("Es. «carta d'identità n. CA12345AB, fronte e retro»."),
    )
    file = DocumentFileField(_("file"), upload_to=document_file_name, max_length=200)
    content_type = models.CharField(_("tipo di file"), max_length=50, editable=False)
    size = models.PositiveIntegerField(_("dimensione (byte)"), editable=False)
    sha256 = models.CharField(_("impronta SHA-256"), max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("caricato da"),
    )
    uploaded_at = models.DateTimeField(_("caricato il"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("copia di documento")
        verbose_name_plural = _("copie di documenti")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        label = self.description or self.get_kind_display()
        return f"{label} — {self.person}"
