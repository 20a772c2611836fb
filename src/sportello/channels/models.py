"""One row per outbound message or call, whatever the medium and provider, and its events."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sportello.channels.base import DeliveryStatus, Medium


class DispatchStatus(models.TextChoices):
    RUNNING = "running", _("In corso")
    STOPPED = "stopped", _("Interrotto")
    DONE = "done", _("Concluso")


class Dispatch(models.Model):
    """Many deliveries sent together (an alert to a whole area): one content per medium and
    language in `payload`, one Delivery row per recipient, channel and attempt. Workers claim the
    rows in batches (see channels.dispatch)."""

    purpose = models.CharField(_("scopo"), max_length=40)
    reference = models.CharField(_("riferimento"), max_length=64, blank=True)
    # {"sms": {"it": {"text": …}, "en": {…}}, "voice": {"it": {"flow": …, "params": {…}}}, …}
    payload = models.JSONField(_("contenuti"), default=dict)
    # voice_attempts, voice_retry_minutes, sms_fallback
    options = models.JSONField(_("opzioni"), default=dict, blank=True)
    status = models.CharField(
        _("stato"), max_length=10, choices=DispatchStatus.choices, default=DispatchStatus.RUNNING
    )
    created_at = models.DateTimeField(_("creato"), default=timezone.now)
    stopped_at = models.DateTimeField(_("interrotto il"), null=True, blank=True)
    finished_at = models.DateTimeField(_("ultimo affidamento"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invio multiplo")
        verbose_name_plural = _("invii multipli")

    def __str__(self) -> str:
        return f"{self.purpose} {self.reference}"


class Delivery(models.Model):
    """A message or call to one recipient. `payload` holds what to say or send, never secrets:
    a verification code, for one, is read by its IVR flow from the cache, not stored here."""

    medium = models.CharField(_("canale"), max_length=10, choices=Medium.choices)
    provider = models.CharField(_("gestore"), max_length=40, blank=True)
    to = models.CharField(_("destinatario"), max_length=254)  # indexed by the unique constraint
    sender = models.CharField(_("mittente"), max_length=254, blank=True)
    purpose = models.CharField(_("scopo"), max_length=40)
    reference = models.CharField(_("riferimento"), max_length=64, blank=True)
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
    created_at = models.DateTimeField(_("creato"), default=timezone.now)
    updated_at = models.DateTimeField(_("aggiornato"), auto_now=True)
    # Bulk sends only: the dispatch, who the row is for ("s12" subscription, "c7" contact), the
    # attempt on this channel (voice retries), when it may go, and when a worker claimed it.
    # No database constraint: it would run one deferred check per row at commit (a million for a
    # big alert). Rows are only written by channels.dispatch and alerts.recipients, for a dispatch
    # created in the same transaction; deleting a dispatch deletes its rows (Django's cascade).
    dispatch = models.ForeignKey(
        Dispatch,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_constraint=False,
        # Found through the index channels_delivery_dispatch, which starts with it: an index of
        # its own would be written on every change of every row, three times per message.
        db_index=False,
    )
    recipient = models.CharField(_("destinatario (rif.)"), max_length=20, blank=True)
    attempt = models.PositiveSmallIntegerField(_("tentativo"), default=1)
    not_before = models.DateTimeField(_("non prima di"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("preso in carico il"), null=True, blank=True)
    # The worker run that claimed the row (channels.dispatch: it holds a PostgreSQL advisory
    # lock of this number while alive), whether the row may be with the provider already (handed
    # over, outcome not yet written), and whether it was put back in the queue after its worker
    # died while it was in flight to a provider that cannot be asked (so it may arrive twice).
    claimed_by = models.IntegerField(_("preso in carico da"), null=True, blank=True)
    in_flight = models.BooleanField(_("in affidamento"), default=False, db_default=False)
    maybe_doubled = models.BooleanField(_("forse doppio"), default=False, db_default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invio")
        verbose_name_plural = _("invii")
        # Few indexes: an alert writes and updates a million rows, and every index costs on each.
        indexes = [
            # Provider callbacks find their delivery by the provider's id.
            models.Index(
                fields=["provider", "provider_id"],
                condition=~models.Q(provider_id=""),
                name="channels_delivery_provider_id",
            ),
            # The watchdog and the simulator's ring timeout look for rows still in progress.
            models.Index(
                fields=["status", "updated_at"],
                condition=models.Q(status__in=["sending", "ringing", "answered"]),
                name="channels_delivery_open",
            ),
            # Counts per dispatch, medium and status (the monitor, the watchdog, the reports).
            models.Index(
                fields=["dispatch", "medium", "status", "id"],
                condition=models.Q(dispatch__isnull=False),
                name="channels_delivery_dispatch",
            ),
            # The queue: only rows waiting to go, in the order the workers claim them. A claimed
            # row leaves it (its new version is not queued), so a claim reads the next entries
            # in order, never sorts, and never walks over what was handed over already.
            models.Index(
                fields=["dispatch", "medium", "id"],
                condition=models.Q(status="queued", dispatch__isnull=False),
                name="channels_delivery_queue",
            ),
        ]
        constraints = [
            # Nobody gets the same dispatch twice on the same channel: one row per number or
            # address, channel and attempt, whatever the workers do. (Rows outside a dispatch
            # have no dispatch: NULLs never conflict.) It is also the index on "to".
            models.UniqueConstraint(
                fields=["to", "dispatch", "medium", "attempt"],
                name="channels_delivery_once_per_dispatch",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_medium_display()} {self.to} {self.get_status_display()}"

    @property
    def content(self) -> dict:
        """What this delivery says: its own payload, or for a bulk send the dispatch's content for
        its medium and language (kept once, not on every row)."""
        if self.payload or not self.dispatch_id:
            return self.payload
        contents = self.dispatch.payload.get(self.medium, {})
        return contents.get(self.language) or contents.get("it") or {}


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


class SimulatorHandoff(models.Model):
    """The phone simulator's own record of what it was handed, kept apart from our Delivery rows
    as a real provider's logs would be: reconciliation after a crash asks it what it received."""

    delivery_id = models.BigIntegerField(db_index=True)
    medium = models.CharField(max_length=10)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("messaggio ricevuto dal simulatore")
        verbose_name_plural = _("messaggi ricevuti dal simulatore")

    def __str__(self) -> str:
        return f"{self.medium} {self.delivery_id}"
