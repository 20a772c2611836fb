"""Queue Celery tasks only once the surrounding transaction has committed.

A task queued inside a transaction that later rolls back would act on rows that never existed;
queued before the commit it could run before its rows are visible. Pass ids, never objects.
"""

from __future__ import annotations

from typing import Any

from celery import Task
from django.db import transaction


def enqueue_after_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    transaction.on_commit(lambda: task.delay(*args, **kwargs))


def task_named(name: str) -> Task:
    """The registered task called `name`, for code that must not import the tasks module (a
    service queueing a task: tasks import services, never the reverse). Every app's `ready()`
    imports its tasks, so a name that is not registered is a mistake: it fails here, loudly,
    instead of sending a message no worker knows."""
    from celery import current_app

    try:
        return current_app.tasks[name]
    except KeyError:
        raise LookupError(f"No Celery task is registered as {name!r}") from None
