"""Workers killed with SIGKILL in the middle of an alert, then new ones started; and slow
providers worked through while the watchdog runs with a lease far shorter than the work.

Real PostgreSQL, Redis and Celery workers (separate processes); runs in the PostgreSQL pass of
`make test`. Three providers: the simulator (it can be asked what it received), e-mail over SMTP
to a counting aiosmtpd peer that takes 0.1 s per message, and Kannel (bearerbox, smsbox and
fakesmsc) under a cap; the last two cannot be asked, so after a kill only the message in flight
may arrive twice, and it is counted as possibly doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from sportello.accounts.models import User
from sportello.alerts.models import Alert, Subscription, SubscriptionStatus
from sportello.alerts.reports.monitor import alert_progress, monitor_figures
from sportello.alerts.sending import alert_submit
from sportello.channels.base import DeliveryStatus
from sportello.channels.dispatch import dispatch_progress, dispatch_watchdog
from sportello.channels.models import Delivery, SimulatorHandoff
from sportello.places.models import CivicNumber
from tests.channels.kannel import PASSWORD, USERNAME, DlrRecorder, Kannel, kannel_prepared
from tests.channels.smtp_peer import SlowSmtpPeer, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/5"
PEOPLE = 300
SMS_PER_SECOND = 60  # 5 s for the texts: the kill lands mid-batch even on a loaded machine
EMAILS = 60  # 6 s of work for one worker at 0.1 s per message, 6 leases of the watchdog
TEXTS = 120
KANNEL_PER_SECOND = 30  # a capped SMSC: 5 s of work
KANNEL = "sportello.channels.providers.kannel.KannelSms"
EMAIL = "sportello.channels.providers.email.DjangoEmail"


def _wait(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def broker():
    import redis

    from sportello.channels import limits
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
    limits.limits_reset()


def _forget_connections(app) -> None:
    app._pool = None
    app.amqp._producer_pool = None


def _worker(env: dict[str, str], queues: str = "dispatch_sms,dispatch_voice,default"):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "sportello", "worker", "-P", "solo",
         "-Q", queues, "--loglevel", "WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.alerts.worker_settings",
        "TEST_DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(
            **connection.settings_dict
        ),
        "CELERY_BROKER_URL": BROKER,
        "SPORTELLO_RATE_LIMIT_URL": BROKER,
        **extra,
    }


def _people(count: int, *, email: bool = True, landlines: bool = True) -> None:
    civic = CivicNumber.objects.first()
    now = timezone.now()
    Subscription.objects.bulk_create(
        Subscription(
            status=SubscriptionStatus.ACTIVE,
            first_name="P",
            last_name=str(i),
            mobile=f"+39347{i:07d}",
            email=f"p{i}@example.it" if email else "",
            landline=f"+390586{i:06d}" if landlines and i % 10 == 0 else "",
            civic_number=civic,
            privacy_accepted_at=now,
            verified_at=now,
        )
        for i in range(count)
    )


def _alert(**uses: bool) -> tuple[Alert, User]:
    operator = User.objects.create_user(f"pc-fault-{uuid.uuid4().hex[:6]}")
    alert = Alert.objects.create(
        event="Prova",
        headline="Prova di guasto",
        description="Prova",
        voice_text="Prova",
        sms_text="Prova di guasto del sistema di allerta",
        email_text="Prova di guasto del sistema di allerta",
        exercise=True,
        area={"city": True},
        created_by=operator,
        **uses,
    )
    return alert, operator


def _sent(**uses: bool):
    alert, operator = _alert(**uses)
    alert_submit(alert=alert, by=operator)  # the rows, and the worker tasks in Redis
    alert.refresh_from_db()
    return alert, Delivery.objects.filter(dispatch=alert.dispatch)


def _all_handed_over(rows, figures: list[dict]) -> bool:
    """The periodic watchdog, run here as beat would; its figures are kept."""
    figures.append(dispatch_watchdog())
    return not rows.filter(status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]).exists()


@dataclass
class Outcome:
    sending_at_kill: int = 0
    figures: list | None = None


def _run(rows, env, queues: str, *, kill_when: int | None, handed: str) -> Outcome:
    """One worker; with `kill_when`, killed by SIGKILL once that many rows are `handed`, then a
    second one finishes. The watchdog runs all along with a 1-second lease: the first worker's
    rows, for the many seconds it takes, are never taken from it while it lives."""
    outcome = Outcome(figures=[])
    with override_settings(SPORTELLO_DISPATCH_LEASE_SECONDS=1):
        first = _worker(env, queues)
        try:
            if kill_when is None:
                _wait(lambda: _all_handed_over(rows, outcome.figures), timeout=120, what="all")
                return outcome
            _wait(
                lambda: (
                    _all_handed_over(rows, outcome.figures)
                    or rows.filter(status=handed).count() >= kill_when
                ),
                timeout=120,
                what="the first hand-offs",
            )
        finally:
            os.killpg(first.pid, signal.SIGKILL if kill_when else signal.SIGTERM)
            first.wait(timeout=30)
        outcome.sending_at_kill = rows.filter(status=DeliveryStatus.SENDING).count()
        assert rows.filter(status=DeliveryStatus.QUEUED).exists(), "killed too late to tell"
        second = _worker(env, queues)
        try:
            _wait(
                lambda: _all_handed_over(rows, outcome.figures),
                timeout=120,
                what="everything handed over after the crash",
            )
        finally:
            os.killpg(second.pid, signal.SIGTERM)
            second.wait(timeout=30)
    return outcome


# --- e-mail: a slow SMTP server, no way to ask it what it received ---------------------------


@pytest.fixture
def slow_smtp(settings) -> Iterator[SlowSmtpPeer]:
    settings.SPORTELLO_CHANNELS = {**settings.SPORTELLO_CHANNELS, "email": EMAIL}
    peer = SlowSmtpPeer(port=free_port())
    peer.start()
    yield peer
    peer.stop()


@pytest.mark.parametrize("kill", [False, True], ids=["no-crash", "sigkill"])
def test_emails_through_a_slow_server_once_each_and_after_a_crash_at_most_the_one_in_flight(
    transactional_db, town, broker, slow_smtp, kill
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs workers in other processes sharing the database: PostgreSQL pass")
    _people(EMAILS, landlines=False)
    alert, rows = _sent(use_voice=False, use_sms=False, use_email=True)
    assert rows.count() == EMAILS
    env = _env(SPORTELLO_TEST_SMTP_PORT=str(slow_smtp.port), SPORTELLO_DISPATCH_WORKERS_EMAIL="1")

    outcome = _run(
        rows, env, "dispatch_email,default", kill_when=27 if kill else None, handed="sent"
    )

    received = Counter(m.recipients[0] for m in slow_smtp.messages)
    assert set(received) == set(rows.values_list("to", flat=True))  # nobody missed
    doubled = sum(n - 1 for n in received.values())
    maybe = rows.filter(maybe_doubled=True).count()
    assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    # Each e-mail's Message-ID is its delivery's: a repeat carries the same one.
    ids: dict[str, set[str]] = {}
    for message in slow_smtp.messages:
        ids.setdefault(message.recipients[0], set()).add(message.message["Message-ID"])
    assert all(len(found) == 1 for found in ids.values())
    assert sum(figures["requeued"] for figures in outcome.figures) <= outcome.sending_at_kill
    if not kill:
        assert doubled == 0 and maybe == 0  # exactly once, with the watchdog running all along
        return
    assert outcome.sending_at_kill > 0  # the kill left rows of its batch "sending"
    # One worker process handing one message at a time: at most one in flight at the kill,
    # and the monitor says how many may have arrived twice.
    assert doubled <= maybe <= 1
    assert sum(dispatch_progress(alert.dispatch)["maybe_doubled"].values()) == maybe
    alert.refresh_from_db()
    figures = monitor_figures(alert=alert, progress=alert_progress(alert=alert))
    assert figures["maybe_doubled"] == maybe  # on the monitor and in the report


# --- SMS through Kannel under a cap: no way to ask either -----------------------------------


@pytest.fixture
def kannel(settings) -> Iterator[Kannel]:
    with kannel_prepared() as gateway:
        gateway.start()
        settings.SPORTELLO_CHANNELS = {**settings.SPORTELLO_CHANNELS, "sms": KANNEL}
        yield gateway


@pytest.mark.parametrize("kill", [False, True], ids=["no-crash", "sigkill"])
def test_texts_through_kannel_once_each_and_after_a_crash_at_most_the_one_in_flight(
    transactional_db, town, broker, kannel, kill
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs workers in other processes sharing the database: PostgreSQL pass")
    _people(TEXTS, email=False, landlines=False)
    alert, rows = _sent(use_voice=False, use_sms=True, use_email=False)
    assert rows.count() == TEXTS
    recorder = DlrRecorder()
    env = _env(
        SPORTELLO_SMS_PROVIDER=KANNEL,
        SPORTELLO_KANNEL_URL=kannel.sendsms_url,
        SPORTELLO_KANNEL_USERNAME=USERNAME,
        SPORTELLO_KANNEL_PASSWORD=PASSWORD,
        SPORTELLO_PUBLIC_URL=recorder.base,
        SPORTELLO_SMS_RATE=str(KANNEL_PER_SECOND),
        SPORTELLO_DISPATCH_WORKERS_SMS="1",
    )
    try:
        outcome = _run(
            rows, env, "dispatch_sms,default", kill_when=47 if kill else None, handed="accepted"
        )
        maybe = rows.filter(maybe_doubled=True).count()
        at_least = TEXTS + (maybe if kill else 0)
        received = Counter(m.receiver for m in kannel.wait_for_messages(TEXTS))
        time.sleep(1.0)  # anything still in Kannel's queue
        received = Counter(m.receiver for m in kannel.received())
    finally:
        recorder.close()
    assert len(received) == TEXTS  # nobody missed
    doubled = sum(n - 1 for n in received.values())
    assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.ACCEPTED}
    assert doubled <= at_least - TEXTS
    if not kill:
        assert doubled == 0 and maybe == 0
        return
    assert outcome.sending_at_kill > 0
    assert doubled <= maybe <= 1


# --- the simulator, which can be asked: nobody twice at all ---------------------------------


def test_a_worker_killed_mid_alert_leaves_nobody_twice_and_nobody_out(
    transactional_db, town, broker
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs workers in other processes sharing the database: PostgreSQL pass")
    _people(PEOPLE)
    alert, rows = _sent(use_email=False)
    env = _env(
        SPORTELLO_SMS_RATE=str(SMS_PER_SECOND),
        SPORTELLO_DISPATCH_WORKERS_SMS="1",
        SPORTELLO_DISPATCH_WORKERS_VOICE="1",
    )
    total = rows.count()
    assert total == PEOPLE + PEOPLE // 10 + PEOPLE  # SMS, landline calls, mobile calls

    first = _worker(env)
    try:
        _wait(lambda: SimulatorHandoff.objects.count() > 150, timeout=60, what="first hand-offs")
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

        with override_settings(SPORTELLO_DISPATCH_LEASE_SECONDS=1):
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
