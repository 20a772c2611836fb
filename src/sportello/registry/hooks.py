"""Who wants to know when the registry moves people. Apps above the registry (permits, for one)
subscribe a callback in their AppConfig.ready(); the registry calls them, inside its own
transaction, with the ids of the persons whose residence changed. A callback that has work to
do after the commit schedules it itself (transaction.on_commit): the registry never waits for
it, and never fails because of it."""

from __future__ import annotations

from collections.abc import Callable

ResidenceCallback = Callable[..., None]

_residence_callbacks: list[ResidenceCallback] = []


def residence_changed_subscribe(callback: ResidenceCallback) -> None:
    """`callback(person_ids=[...])` after every change of residence (once per callback)."""
    if callback not in _residence_callbacks:
        _residence_callbacks.append(callback)


def residence_changed_publish(*, person_ids: list[int]) -> None:
    if not person_ids:
        return
    for callback in list(_residence_callbacks):
        callback(person_ids=list(person_ids))
