"""The Celery application; periodic jobs are declared here, in code."""

import os

from celery import Celery
from celery.schedules import crontab

from sportello.config import settings_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())

app = Celery("sportello")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["sportello.alerts.cap"])

app.conf.beat_schedule = {
    "clear-expired-sessions": {
        "task": "sportello.core.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    "purge-pending-alert-subscriptions": {
        "task": "sportello.alerts.tasks.alerts_pending_purge",
        "schedule": crontab(hour=3, minute=27),
    },
}


@app.on_after_configure.connect
def _schedule_from_settings(sender: Celery, **kwargs: object) -> None:
    """Jobs whose period is a setting are added once Django's settings are readable."""
    from django.conf import settings

    sender.conf.beat_schedule["dispatch-watchdog"] = {
        "task": "sportello.channels.tasks.dispatch_watchdog",
        "schedule": float(settings.SPORTELLO_DISPATCH_WATCHDOG_SECONDS),
    }
    sender.conf.beat_schedule["alerts-scheduled"] = {
        "task": "sportello.alerts.tasks.alerts_scheduled_send",
        "schedule": float(settings.SPORTELLO_DISPATCH_WATCHDOG_SECONDS),
    }
    if settings.SPORTELLO_CAP_FEEDS:
        sender.conf.beat_schedule["cap-poll-feeds"] = {
            "task": "sportello.alerts.cap.tasks.cap_poll_feeds",
            "schedule": 120.0,
        }
    sender.conf.beat_schedule["payments-publish-pending"] = {
        "task": "sportello.payments.tasks.positions_publish_pending",
        "schedule": 300.0,
    }
    sender.conf.beat_schedule["payments-expire"] = {
        "task": "sportello.payments.tasks.positions_expire_daily",
        "schedule": crontab(hour=0, minute=30),
    }
    if ".payments.providers.simulator." not in settings.SPORTELLO_PAYMENTS_PROVIDER:
        sender.conf.beat_schedule["payments-receipts-poll"] = {
            "task": "sportello.payments.tasks.receipts_poll",
            "schedule": float(settings.SPORTELLO_PAGOPA_POLL_SECONDS),
        }
    # The canteen's day runs once its cut-off has passed (a setting of each school year).
    sender.conf.beat_schedule["canteen-day"] = {
        "task": "sportello.canteen.tasks.canteen_day_due",
        "schedule": crontab(minute="*/5", hour="8-13", day_of_week="mon-sat"),
    }
    sender.conf.beat_schedule["canteen-month-debts"] = {
        "task": "sportello.canteen.tasks.canteen_month_debts",
        "schedule": crontab(hour=2, minute=15, day_of_month=1),
    }
    sender.conf.beat_schedule["permits-daily"] = {
        "task": "sportello.permits.tasks.permits_daily",
        "schedule": crontab(hour=0, minute=5),
    }
    sender.conf.beat_schedule["read-pec-mailbox"] = {
        "task": "sportello.accounts.tasks.pec_mailbox_poll",
        "schedule": float(settings.SPORTELLO_PEC_POLL_SECONDS),
    }
    sender.conf.beat_schedule["spid-metadata-refresh"] = {
        "task": "sportello.accounts.tasks.spid_metadata_refresh",
        "schedule": float(settings.SPORTELLO_SPID["metadata_refresh_hours"] * 3600),
    }
    sender.conf.beat_schedule["spid-records-purge"] = {
        "task": "sportello.accounts.tasks.spid_records_purge",
        "schedule": 3600.0,
    }
