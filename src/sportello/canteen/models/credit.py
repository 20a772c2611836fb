"""Each child's prepaid credit: the account, its movements, the top-ups paid through pagoPA.
Amounts are integer cents, as in payments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sportello.canteen.models.enrolments import Enrolment
from sportello.core.money import euro_text


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
        return f"{self.child_name} ({euro_text(self.balance, cents=True)})"


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
