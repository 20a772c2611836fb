"""A Celery worker killed with SIGKILL in the middle of an alert, then a new one started: every
recipient is handed over exactly once per channel. Real PostgreSQL, Redis and Celery workers
(separate processes); runs in the PostgreSQL pass of `make test`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from sportello.accounts.models import User
from sportello.alerts.models import Alert, Subscription, SubscriptionStatus
from sportello.alerts.sending import alert_submit
from sportello.channels.base import DeliveryStatus
from sportello.channels.dispatch import dispatch_watchdog
from sportello.channels.models import Delivery, SimulatorHandoff
from sportello.places.models import CivicNumber

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/13"
PEOPLE = 1500
SMS_PER_SECOND = 500


def _wait(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def broker():
    import redis

    from sportello.config.celery import app

    client = redis.Redis.from_url(BROKER)
    client.flushdb()
    saved = {
        key: app.conf[key]
        for key in ("task_always_eager", "broker_url", "broker_transport_options")
    }
    app.conf.update(task_always_eager=False, broker_url=BROKER, broker_transport_options={})
    _forget_connections(app)  # connect to the test broker, not a pool made earlier
    yield client
    app.conf.update(saved)
    _forget_connections(app)
    client.flushdb()


def _forget_connections(app) -> None:
    app._pool = None
    app.amqp._producer_pool = None


def _worker(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "sportello", "worker", "-P", "solo",
         "-Q", "dispatch_sms,dispatch_voice,default", "--loglevel", "WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def test_a_worker_killed_mid_alert_leaves_nobody_twice_and_nobody_out(
    transactional_db, town, broker
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs workers in other processes sharing the database: PostgreSQL pass")
    civic = CivicNumber.objects.first()
    now = timezone.now()
    Subscription.objects.bulk_create(
        Subscription(
            status=SubscriptionStatus.ACTIVE,
            first_name="P",
            last_name=str(i),
            mobile=f"+39347{i:07d}",
            email=f"p{i}@example.it",
            landline=f"+390586{i:06d}" if i % 10 == 0 else "",
            civic_number=civic,
            privacy_accepted_at=now,
            verified_at=now,
        )
        for i in range(PEOPLE)
    )
    operator = User.objects.create_user("pc-fault")
    alert = Alert.objects.create(
        event="Prova",
        headline="Prova di guasto",
        description="Prova",
        voice_text="Prova",
        sms_text="Prova di guasto del sistema di allerta",
        use_email=False,
        exercise=True,
        area={"city": True},
        created_by=operator,
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sportello.config.settings.test",
        "TEST_DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
            **connection.settings_dict
        ),
        "CELERY_BROKER_URL": BROKER,
        "SPORTELLO_RATE_LIMIT_URL": BROKER,
        "SPORTELLO_SMS_RATE": str(SMS_PER_SECOND),
        "SPORTELLO_DISPATCH_WORKERS_SMS": "1",
        "SPORTELLO_DISPATCH_WORKERS_VOICE": "1",
    }

    alert_submit(alert=alert, by=operator)  # the rows, and the worker tasks in Redis
    alert.refresh_from_db()
    rows = Delivery.objects.filter(dispatch=alert.dispatch)
    total = rows.count()
    assert total == PEOPLE + PEOPLE // 10 + PEOPLE  # SMS, landline calls, mobile calls

    first = _worker(env)
    try:
        _wait(lambda: SimulatorHandoff.objects.count() > 400, timeout=60, what="first hand-offs")
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    assert rows.filter(status=DeliveryStatus.QUEUED).exists(), "killed too late to tell"

    second = _worker(env)
    try:
        # The periodic watchdog, run here as beat would: after the lease it asks the simulator
        # about rows the dead worker left "sending", and restarts the stalled dispatch.
        def all_handed_over() -> bool:
            dispatch_watchdog()
            return not rows.filter(
                status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]
            ).exists()

        with_lease = {"SPORTELLO_DISPATCH_LEASE_SECONDS": 1}
        from django.test import override_settings

        with override_settings(**with_lease):
            _wait(all_handed_over, timeout=120, what="everything handed over after the crash")
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)

    handoffs = SimulatorHandoff.objects.values("delivery_id").annotate(n=Count("id"))
    assert handoffs.count() == total  # nobody missed
    assert not handoffs.filter(n__gt=1).exists()  # nobody twice
    assert set(rows.values_list("status", flat=True)) <= {
        DeliveryStatus.DELIVERED,
        DeliveryStatus.RINGING,
    }
