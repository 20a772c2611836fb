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
