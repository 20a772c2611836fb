"""One row per outbound message or call, whatever the medium and provider, and its events."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sportello.channels.base import DeliveryStatus, Medium


class Delivery(models.Model):
    """A message or call to one recipient. `payload` holds what to say or send, never secrets:
    a verification code, for one, is read by its IVR flow from the cache, not stored here."""

    medium = models.CharField(_("canale"), max_length=10, choices=Medium.choices)
    provider = models.CharField(_("gestore"), max_length=40, blank=True)
    to = models.CharField(_("destinatario"), max_length=254, db_index=True)
    sender = models.CharField(_("mittente"), max_length=254, blank=True)
    purpose = models.CharField(_("scopo"), max_length=40, db_index=True)
    reference = models.CharField(_("riferimento"), max_length=64, blank=True, db_index=True)
    language = models.CharField(_("lingua"), max_length=5, default="it")
    payload = models.JSONField(_("contenuto"), default=dict, blank=True)
    status = models.CharField(
        _("stato"), max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    reason = models.CharField(_("motivo"), max_length=250, blank=True)
    provider_id = models.CharField(_("id presso il gestore"), max_length=100, blank=True)
    answered_by = models.CharField(_("risposto da"), max_length=20, blank=True)
    keys = models.CharField(_("tasti premuti"), max_length=40, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentativi"), default=0)
    created_at = models.DateTimeField(_("creato"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("aggiornato"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invio")
        verbose_name_plural = _("invii")
        indexes = [models.Index(fields=["provider", "provider_id"])]

    def __str__(self) -> str:
        return f"{self.get_medium_display()} {self.to} {self.get_status_display()}"


class DeliveryEvent(models.Model):
    """What a provider reported, in order: the history behind a delivery's status."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("evento di invio")
        verbose_name_plural = _("eventi di invio")

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.status}"
