"""Session validity and the rules that come before any page.

`SessionValidityMiddleware` ends a session idle longer than SPORTELLO_SESSION_IDLE_MINUTES or
older than SPORTELLO_SESSION_MAX_HOURS and sends the next request to "Sessione scaduta", keeping
the fields of a form posted after the expiry (never passwords) so the citizen can resubmit.

`AccessRulesMiddleware` lets a user with a temporary password reach nothing but the password
change, and an operator nothing before the second factor when it is required.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from sportello.accounts.models import UserSession
from sportello.accounts.sessions import SESSION_AUTH_AT, SESSION_SEEN_AT
from sportello.core.pending_forms import SESSION_PENDING_FORM
from sportello.core.services import audit_record

# How often (seconds) the last activity is written, in the session and in the session list.
_SEEN_WRITE_INTERVAL = 30


def _kept_fields(request: HttpRequest) -> dict[str, list[str]]:
    return {
        key: request.POST.getlist(key)
        for key in request.POST
        if key != "csrfmiddlewaretoken" and "password" not in key.lower()
    }


class SessionValidityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            auth_at = request.session.get(SESSION_AUTH_AT)
            seen_at = request.session.get(SESSION_SEEN_AT)
            if auth_at is None or seen_at is None:
                request.session[SESSION_AUTH_AT] = auth_at = now
                request.session[SESSION_SEEN_AT] = seen_at = now
            idle = now - seen_at > settings.SPORTELLO_SESSION_IDLE_MINUTES * 60
            too_old = now - auth_at > settings.SPORTELLO_SESSION_MAX_HOURS * 3600
            if idle or too_old:
                return self._expired(request, reason="idle" if idle else "lifetime")
            # Refreshed at most every _SEEN_WRITE_INTERVAL seconds: stamping every request would
            # save the session (a database write) on each page. An idle session may thus end
            # up to that many seconds early, out of minutes.
            if now - seen_at >= _SEEN_WRITE_INTERVAL:
                request.session[SESSION_SEEN_AT] = now
                if request.session.session_key:
                    UserSession.objects.filter(session_key=request.session.session_key).update(
                        last_seen_at=timezone.now()
                    )
        return self.get_response(request)

    def _expired(self, request: HttpRequest, *, reason: str) -> HttpResponse:
        user = request.user
        posted = request.method == "POST"
        kept = _kept_fields(request) if posted else {}
        audit_record(
            action="session_expired",
            actor=user,
            target=user,
            request=request,
            detail={"reason": reason},
        )
        logout(request)
        if posted and kept:
            request.session[SESSION_PENDING_FORM] = {"path": request.path, "data": kept}
        target = request.path if posted else request.get_full_path()
        query = {"next": target}
        if posted:
            query["modulo"] = "1"
        response = HttpResponseRedirect(
            reverse("accounts:session_expired") + "?" + urlencode(query)
        )
        response.status_code = 303  # "see other": the browser follows with a GET
        return response


# Views a user with a temporary password, or an operator before the second factor, may reach.
_ALWAYS_ALLOWED = {
    "accounts:logout",
    "accounts:session_expired",
    "set_language",
}
_PASSWORD_CHANGE = "accounts:password_change"  # noqa: S105 (a view name)
_OTP_VIEWS = {"accounts:otp_setup", "accounts:otp_verify"}


def _view_name(request: HttpRequest) -> str | None:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return None


class AccessRulesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            name = _view_name(request)
            if name not in _ALWAYS_ALLOWED:
                if user.password_is_temporary and name != _PASSWORD_CHANGE:
                    return self._redirect(request, _PASSWORD_CHANGE)
                if (
                    user.is_staff
                    and settings.SPORTELLO_OPERATOR_2FA_REQUIRED
                    and not user.is_verified()
                    and name not in _OTP_VIEWS
                    and name != _PASSWORD_CHANGE
                ):
                    return self._redirect(request, "accounts:otp_setup")
        return self.get_response(request)

    @staticmethod
    def _redirect(request: HttpRequest, view_name: str) -> HttpResponse:
        query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        return HttpResponseRedirect(reverse(view_name) + (f"?{query}" if query else ""))
