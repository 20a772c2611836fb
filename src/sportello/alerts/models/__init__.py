"""Subscriptions to the civil-protection alerts, their verification codes, and the suppression
list of numbers that asked never to be called again; the alerts themselves (CAP 1.2 model).
Every model is importable from here, as sportello.alerts.models.<Name>."""

from sportello.alerts.models.alerts import (
    Alert,
    AlertCategory,
    AlertCertainty,
    AlertContent,
    AlertKind,
    AlertSeverity,
    AlertStatus,
    AlertTemplate,
    AlertUrgency,
)
from sportello.alerts.models.subscriptions import (
    AlertLanguage,
    CallbackRequest,
    CallbackStatus,
    Contact,
    Subscription,
    SubscriptionSource,
    SubscriptionStatus,
    Suppression,
    VerificationCode,
    VerificationPurpose,
)

__all__ = [
    "Alert",
    "AlertCategory",
    "AlertCertainty",
    "AlertContent",
    "AlertKind",
    "AlertLanguage",
    "AlertSeverity",
    "AlertStatus",
    "AlertTemplate",
    "AlertUrgency",
    "CallbackRequest",
    "CallbackStatus",
    "Contact",
    "Subscription",
    "SubscriptionSource",
    "SubscriptionStatus",
    "Suppression",
    "VerificationCode",
    "VerificationPurpose",
]
