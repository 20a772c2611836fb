"""Writes of the alert system, the entry point its views and API call (`services.<name>`).

The functions live in the module that says what they do: subscriptions, verification (the
calls that read a code), suppression (numbers never called again), contacts (the public phone
directory), callbacks (call-back requests). Only what callers use is re-exported here.
"""

from sportello.alerts.services.callbacks import callback_request_create, callback_request_done
from sportello.alerts.services.contacts import contact_delete, contact_find_by_number
from sportello.alerts.services.subscriptions import (
    SubscriptionData,
    manage_call_place,
    sms_preference_decide,
    subscription_delete,
    subscription_enter_paper,
    subscription_find_by_number,
    subscription_start,
    subscription_update,
    subscription_verify,
    subscriptions_pending_purge,
)
from sportello.alerts.services.suppression import number_suppressed
from sportello.alerts.services.verification import (
    verification_by_handle,
    verification_call_place,
    verification_check,
    verification_handle_issue,
)

__all__ = [
    "SubscriptionData",
    "callback_request_create",
    "callback_request_done",
    "contact_delete",
    "contact_find_by_number",
    "manage_call_place",
    "number_suppressed",
    "sms_preference_decide",
    "subscription_delete",
    "subscription_enter_paper",
    "subscription_find_by_number",
    "subscription_start",
    "subscription_update",
    "subscription_verify",
    "subscriptions_pending_purge",
    "verification_by_handle",
    "verification_call_place",
    "verification_check",
    "verification_handle_issue",
]
