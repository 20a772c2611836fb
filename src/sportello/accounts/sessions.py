"""Login sessions: stamped at login, listed for "log out everywhere", ended for inactivity."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from sportello.accounts.models import User, UserSession
from sportello.core.services import client_ip

SESSION_AUTH_AT = "_sportello_auth_at"
SESSION_SEEN_AT = "_sportello_seen_at"
SESSION_METHOD = "_sportello_method"


def _session_store_class() -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore


def user_session_open(*, request: HttpRequest, user: User, method: str) -> UserSession:
    """Called on every login: stamp the session and remember it for 'log out everywhere'."""
    now = timezone.now()
    request.session[SESSION_AUTH_AT] = now.timestamp()
    request.session[SESSION_SEEN_AT] = now.timestamp()
    request.session[SESSION_METHOD] = method
    if request.session.session_key is None:
        request.session.save()
    session, _created = UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "method": method,
            "created_at": now,
            "last_seen_at": now,
            "ip_address": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:250],
        },
    )
    return session


def user_session_close(*, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def user_sessions_end(*, user: User, keep_session_key: str | None = None) -> int:
    """End every session of `user` (except one, if given); returns how many were ended."""
    store = _session_store_class()
    ended = 0
    for session in UserSession.objects.filter(user=user).exclude(
        session_key=keep_session_key or ""
    ):
        store(session_key=session.session_key).delete()
        session.delete()
        ended += 1
    return ended


def session_seconds_left(*, request: HttpRequest) -> int | None:
    """Seconds before this session ends for inactivity (None when nobody is logged in)."""
    seen_at = request.session.get(SESSION_SEEN_AT)
    if seen_at is None or not request.user.is_authenticated:
        return None
    left = seen_at + settings.SPORTELLO_SESSION_IDLE_MINUTES * 60 - timezone.now().timestamp()
    return max(0, int(left))


def session_extend(*, request: HttpRequest) -> int:
    """The citizen asked to stay: the inactivity clock starts again now."""
    request.session[SESSION_SEEN_AT] = timezone.now().timestamp()
    UserSession.objects.filter(session_key=request.session.session_key).update(
        last_seen_at=timezone.now()
    )
    return settings.SPORTELLO_SESSION_IDLE_MINUTES * 60
