"""Users: operators of the back-office and certified citizens (linked to a registry person)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    person = models.OneToOneField(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account",
        verbose_name=_("persona in anagrafe"),
        help_text=_("Per i cittadini certificati: la persona a cui appartiene l'utenza."),
    )

    class Meta:
        verbose_name = _("utente")
        verbose_name_plural = _("utenti")
