"""Audit of logins, failures, lockouts and logouts, and the list of each user's sessions."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from sportello.accounts.models import LoginMethod
from sportello.accounts.sessions import SESSION_METHOD, user_session_close, user_session_open
from sportello.core.levels import METHOD_LEVELS, SESSION_LEVEL
from sportello.core.services import audit_record

_BACKEND_METHODS = {
    "sportello.accounts.backends.SmartcardBackend": LoginMethod.SMARTCARD,
}
# SPID or CIE ID: the view says which, in the session, and stores the level the IdP stated.
_SAML_BACKEND = "sportello.accounts.backends.SpidBackend"


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    backend = getattr(user, "backend", "") or ""
    if backend == _SAML_BACKEND:
        method = request.session.get(SESSION_METHOD) or LoginMethod.SPID
    else:
        method = _BACKEND_METHODS.get(backend, LoginMethod.PASSWORD)
        request.session[SESSION_LEVEL] = int(METHOD_LEVELS.get(method, 1))
    user_session_open(request=request, user=user, method=method)
    audit_record(action="login", actor=user, target=user, request=request, channel=method)


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is None or user is None:
        return
    user_session_close(session_key=request.session.session_key)
    audit_record(action="logout", actor=user, target=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any):
    # Django has already masked secrets in `credentials`; only the username is kept.
    username = str(credentials.get("username", ""))[:150]
    if not username or credentials.get("channel") in (LoginMethod.SPID, LoginMethod.CIE):
        return  # SPID and CIE refusals are audited by their view, with the reason
    audit_record(
        action="login_failed",
        actor=username,
        request=request,
        channel=LoginMethod.PASSWORD,
        detail={"username": username},
    )


@receiver(user_locked_out)
def _locked_out(sender: Any, request: Any, username: str | None, ip_address: str, **kwargs: Any):
    audit_record(
        action="lockout",
        actor=username or "",
        request=request,
        channel=LoginMethod.PASSWORD,
        detail={"username": username or "", "ip_address": ip_address},
    )
