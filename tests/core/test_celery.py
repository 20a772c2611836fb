"""Background work really runs in a separate worker process, on each broker we support.

Each test starts a real `celery worker` process, queues a housekeeping job from another process
after a commit, and waits (with a deadline) for its effect in the database.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

QUEUE_EXPIRED_SESSION = """
from datetime import timedelta
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from sportello.core.queueing import enqueue_after_commit
from sportello.core.tasks import clear_expired_sessions
with transaction.atomic():
    Session.objects.create(session_key="expired-session", session_data="e30=",
                           expire_date=timezone.now() - timedelta(days=1))
    Session.objects.create(session_key="live-session", session_data="e30=",
                           expire_date=timezone.now() + timedelta(days=1))
    enqueue_after_commit(clear_expired_sessions)
"""


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SPORTELLO_"))}
    env.pop("DATABASE_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    env.update(
        {"SPORTELLO_HOME": str(tmp_path), "SPORTELLO_VAR_DIR": str(tmp_path / "var"), **extra}
    )
    return env


def run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr


@pytest.fixture
def worker() -> Iterator[Callable[[dict[str, str]], subprocess.Popen]]:
    started: list[subprocess.Popen] = []

    def start(env: dict[str, str]) -> subprocess.Popen:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "sportello", "worker", "--pool", "solo",
             "--queues", "default", "--loglevel", "WARNING"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        started.append(process)
        return process

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=30)


def wait_until(condition: Callable[[], bool], *, seconds: float, worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
        time.sleep(0.2)  # polling the database for the worker's effect, with a deadline
    pytest.fail("the worker did not run the task in time")


def session_keys_sqlite(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT session_key FROM django_session")}


def test_worker_on_the_embedded_broker_runs_a_task_queued_by_another_process(
    tmp_path: Path, worker
) -> None:
    database = tmp_path / "db.sqlite3"
    env = base_env(tmp_path, DATABASE_URL=f"sqlite:///{database}")
    run([sys.executable, "-m", "sportello", "migrate", "--noinput"], env)
    process = worker(env)
    run([sys.executable, "-m", "sportello", "shell", "-c", QUEUE_EXPIRED_SESSION], env)
    wait_until(
        lambda: session_keys_sqlite(database) == {"live-session"}, seconds=60, worker=process
    )
    # The message lived on disk under var/broker, the embedded broker's only state.
    assert (tmp_path / "var" / "broker" / "queue").is_dir()


@pytest.fixture
def postgres_database() -> Iterator[str]:
    import psycopg

    name = f"sportello_celery_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
@pytest.mark.redis
def test_worker_on_redis_and_postgresql_runs_the_same_task(
    tmp_path: Path, worker, postgres_database: str
) -> None:
    import psycopg

    env = base_env(
        tmp_path, DATABASE_URL=postgres_database, CELERY_BROKER_URL="redis://127.0.0.1:6379/14"
    )
    run([sys.executable, "-m", "sportello", "migrate", "--noinput"], env)
    process = worker(env)
    run([sys.executable, "-m", "sportello", "shell", "-c", QUEUE_EXPIRED_SESSION], env)

    def only_live_session_left() -> bool:
        with psycopg.connect(postgres_database.replace("postgres://", "postgresql://")) as db:
            keys = {row[0] for row in db.execute("SELECT session_key FROM django_session")}
        return keys == {"live-session"}

    wait_until(only_live_session_left, seconds=60, worker=process)


def test_a_rolled_back_transaction_queues_nothing(django_capture_on_commit_callbacks) -> None:
    from django.db import transaction

    from sportello.core.queueing import enqueue_after_commit
    from sportello.core.tasks import clear_expired_sessions

    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                enqueue_after_commit(clear_expired_sessions)
                raise RuntimeError("the request failed")
        except RuntimeError:
            pass
    assert callbacks == []


def test_periodic_jobs_are_declared_in_code() -> None:
    from sportello.config.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "sportello.core.tasks.clear_expired_sessions" in tasks
    app.loader.import_default_modules()
    assert tasks <= set(app.tasks)
