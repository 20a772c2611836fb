"""Eager Celery re-raises a task's Retry when it propagates errors, as the test settings ask;
`retrying()` lets the retries run instead, counts them, and can change the world before the
first one (bring a server up, stop refusing), since an eager retry follows its failure at once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from celery.signals import task_retry

from sportello.config.celery import app as celery_app


@contextmanager
def retrying(before_first: Callable[[], None] | None = None) -> Iterator[list[str]]:
    """Yield the reasons of the retries, as they happen."""
    reasons: list[str] = []

    def retried(sender=None, reason=None, **kwargs) -> None:
        # The error behind the Retry: its `exc`, or the one being handled when it was raised.
        reasons.append(str(getattr(reason, "exc", None) or reason.__context__ or reason))
        if len(reasons) == 1 and before_first is not None:
            before_first()

    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    task_retry.connect(retried, weak=False)
    try:
        yield reasons
    finally:
        task_retry.disconnect(retried)
        celery_app.conf.task_eager_propagates = propagates
