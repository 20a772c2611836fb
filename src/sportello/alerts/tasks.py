"""Periodic jobs of the alert system."""

from __future__ import annotations

from celery import shared_task


@shared_task
def alerts_scheduled_send() -> int:
    """Send the scheduled alerts whose time has come; mark finished ones as sent."""
    from sportello.alerts.models import Alert, AlertStatus
    from sportello.alerts.sending import alert_finished_check, alerts_due_send

    sent = alerts_due_send()
    for alert in Alert.objects.filter(status=AlertStatus.SENDING).select_related("dispatch"):
        alert_finished_check(alert=alert)
    return sent


@shared_task
def alerts_pending_purge() -> int:
    """Daily: forget subscriptions that were never verified."""
    from sportello.alerts.services.subscriptions import subscriptions_pending_purge

    return subscriptions_pending_purge()
