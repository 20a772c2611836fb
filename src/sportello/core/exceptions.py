"""The one error type for expected failures; views turn it into a message in plain Italian."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """An expected failure the user can act on: `message` is shown to them, `extra` is for code."""

    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
