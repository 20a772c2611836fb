"""What a page needs. Public pages need nothing (`core.access.public`); certified services use
`certified_required`. They read only the request: the user's attributes and the session."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sportello.core.access import AUTHENTICATED, CERTIFIED, OPERATOR
from sportello.core.levels import required_level, session_level


def certified_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A service for certified citizens (the padlock): anonymous visitors go to the login page
    and come back here afterwards; a logged-in user who is not a certified citizen is told so;
    a session below the level the service needs (core.levels) is offered a new login."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_citizen:
            return render(
                request,
                "accounts/not_certified.html",
                {"non_resident": user.person_id is None and user.digital_identities.exists()},
                status=403,
            )
        required, current = required_level(request), session_level(request)
        if current < required:
            return render(
                request,
                "accounts/level_required.html",
                {"required": required, "current": current, "next": request.get_full_path()},
                status=403,
            )
        return view(request, *args, **kwargs)

    wrapper.sportello_access = CERTIFIED  # type: ignore[attr-defined]
    return wrapper


def login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Any logged-in user (citizen or operator)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.sportello_access = AUTHENTICATED  # type: ignore[attr-defined]
    return wrapper


def operator_required(
    permission: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """An operator's screen: logged in, and holding `permission` (else 403)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.sportello_access = OPERATOR  # type: ignore[attr-defined]
        return wrapper

    return decorator
