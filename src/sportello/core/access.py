"""What each page needs, declared on its view: every page says who may open it.

`public` is here; `core.decorators` provides the others (`login_required`,
`certified_required`, `operator_required`). A test checks that no page forgets to declare.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

PUBLIC = "public"
AUTHENTICATED = "authenticated"
CERTIFIED = "certified"
OPERATOR = "operator"
LEVELS = (PUBLIC, AUTHENTICATED, CERTIFIED, OPERATOR)

View = TypeVar("View", bound=Callable[..., Any])


def public(view: View) -> View:
    """Anyone may open this page, logged in or not."""
    view.sportello_access = PUBLIC  # type: ignore[attr-defined]
    return view


def access_of(view: Callable[..., Any]) -> str | None:
    return getattr(view, "sportello_access", None)
