"""SPID and CIE ID endpoints of the service provider, on djangosaml2's views.

`/<protocol>/login/` sends the signed AuthnRequest; `/<protocol>/acs/` consumes the response
(djangosaml2 parses and verifies it with pysaml2, `accounts.spid.validation` applies SPID's own
rules, the request and the assertion are consumed once, the account is found by codice fiscale);
`/<protocol>/slo/` is single logout; `/<protocol>/metadata/` publishes the signed metadata.
A refused login shows a plain message, logs and audits the reason, and counts for django-axes.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from djangosaml2.cache import OutstandingQueriesCache
from djangosaml2.views import AssertionConsumerServiceView, LogoutInitView, LogoutView
from saml2.ident import code as subject_code
from saml2.response import StatusError
from saml2.validate import ResponseLifetimeExceed, ToEarly

from sportello.accounts.lockout import lockout_response
from sportello.accounts.models import SamlRequest
from sportello.accounts.sessions import SESSION_METHOD
from sportello.accounts.spid import config, services
from sportello.accounts.spid.authn import authn_request_prepare
from sportello.accounts.spid.metadata import sp_metadata
from sportello.accounts.spid.validation import (
    Expected,
    SamlRefusal,
    anomaly_message,
    assertion_attributes,
    identity_from_attributes,
    parse_instant,
    response_check,
)
from sportello.core.access import public
from sportello.core.levels import SESSION_LEVEL, requested_level
from sportello.core.services import audit_record

logger = logging.getLogger(__name__)
SESSION_IDP = "_sportello_idp"
BACKEND = "sportello.accounts.backends.SpidBackend"
# Where djangosaml2 keeps the NameID that single logout needs (its own key in its session).
SAML_SUBJECT_KEY = "_saml2_subject_id"


def _refuse(
    request: HttpRequest, refusal: SamlRefusal, *, protocol: str, idp: str = ""
) -> HttpResponse:
    """Log and audit why, count it for django-axes, and tell the person in plain words."""
    logger.warning("%s login refused (%s): %s", protocol.upper(), idp or "?", refusal.reason)
    audit_record(
        action=f"{protocol}_refused",
        request=request,
        channel=protocol,
        detail={"reason": refusal.reason[:300], "identity_provider": idp},
    )
    user_login_failed.send(
        sender=__name__, credentials={"username": protocol, "channel": protocol}, request=request
    )
    return render(
        request,
        "accounts/spid/refused.html",
        {"message": refusal.message, "protocol": protocol},
        status=refusal.status,
    )


def _locked(request: HttpRequest, protocol: str) -> bool:
    return AxesProxyHandler.is_locked(request, {"username": protocol})


def _next_url(request: HttpRequest) -> str:
    candidate = request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _landing(user: Any) -> str:
    """Where a login without a page to go back to ends: a resident's own registry data."""
    return reverse("registry:my_data") if user.is_citizen else reverse("accounts:account")


def _unavailable(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "accounts/spid/unavailable.html", {"reason": reason}, status=503)


@method_decorator(never_cache, name="dispatch")
class SpidLoginView(View):
    """Send the browser to the chosen identity provider with a signed AuthnRequest."""

    def get(self, request: HttpRequest, protocol: str) -> HttpResponse:
        reason = config.unavailable_reason()
        if reason:
            return _unavailable(request, reason)
        if _locked(request, protocol):
            return lockout_response(request)
        sp = config.sp_config(protocol=protocol, request=request)
        providers = sp.metadata.identity_providers()
        idp = request.GET.get("idp") or (providers[0] if len(providers) == 1 else "")
        if idp not in providers:
            return _refuse(
                request,
                SamlRefusal(
                    f"unknown identity provider {idp[:200]!r}",
                    _("Il gestore dell'identità scelto non è tra quelli riconosciuti."),
                    status=400,
                ),
                protocol=protocol,
                idp=idp[:250],
            )
        next_url = _next_url(request)
        level = requested_level(next_url=next_url)
        prepared = authn_request_prepare(config=sp, idp_entity_id=idp, level=level)
        services.saml_request_record(
            request_id=prepared.request_id,
            protocol=protocol,
            identity_provider=idp,
            level=level,
            issued_at=parse_instant(prepared.issue_instant, what="request"),
            relay_state=prepared.relay_state,
            next_url=next_url,
        )
        OutstandingQueriesCache(request.saml_session).set(prepared.request_id, next_url)
        return HttpResponseRedirect(prepared.location)


def _refusal_from_exception(exception: Exception | None) -> SamlRefusal:
    if isinstance(exception, SamlRefusal):
        return exception
    if isinstance(exception, StatusError):
        return SamlRefusal(
            f"identity provider status: {exception}", anomaly_message(str(exception))
        )
    if isinstance(exception, ResponseLifetimeExceed | ToEarly):
        return SamlRefusal(
            f"response outside its validity: {exception}",
            _(
                "La risposta del gestore dell'identità è scaduta o non ancora valida: controlla "
                "che l'ora del computer sia giusta e riprova."
            ),
        )
    name = type(exception).__name__ if exception else "unknown error"
    return SamlRefusal(f"{name}: {str(exception)[:250]}")


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(never_cache, name="dispatch")
class SpidAcsView(AssertionConsumerServiceView):
    """The identity provider's response arrives here (HTTP-POST binding)."""

    protocol = ""
    refusal: SamlRefusal | None = None
    outcome: tuple[SamlRequest, Any, int] | None = None

    def post(self, request: HttpRequest, protocol: str) -> HttpResponse:  # type: ignore[override]
        self.protocol = protocol
        reason = config.unavailable_reason()
        if reason:
            return _unavailable(request, reason)
        if _locked(request, protocol):
            return lockout_response(request)
        return super().post(request)

    def get_sp_config(self, request: HttpRequest):
        return config.sp_config(protocol=self.protocol, request=request)

    def custom_validation(self, response: Any) -> None:
        try:
            self.outcome = self._validated(response)
        except SamlRefusal as refusal:
            self.refusal = refusal
            raise

    def _validated(self, response: Any) -> tuple[SamlRequest, Any, int]:
        message = response.response
        saml_request = SamlRequest.objects.filter(
            request_id=message.in_response_to or "", protocol=self.protocol
        ).first()
        if saml_request is None:
            raise SamlRefusal("no request of ours with this InResponseTo")
        now = timezone.now()
        minutes = settings.SPORTELLO_SPID["request_minutes"]
        if saml_request.issued_at < now - datetime.timedelta(minutes=minutes):
            raise SamlRefusal(
                "request too old",
                _("Sono passati troppi minuti dall'inizio dell'accesso: ricomincia."),
            )
        base = config.base_url(self.request)
        expected = Expected(
            request_id=saml_request.request_id,
            request_instant=saml_request.issued_at,
            idp_entity_id=saml_request.identity_provider,
            sp_entity_id=config.entity_id(protocol=self.protocol, base=base),
            acs_url=config.acs_url(protocol=self.protocol, base=base),
            level=saml_request.level,
            now=now,
            skew=datetime.timedelta(seconds=settings.SPORTELLO_SPID["clock_skew_seconds"]),
        )
        level = response_check(
            response=response,
            expected=expected,
            assertion_issuer_format=self.protocol == "spid",
        )
        assertion = message.assertion[0]
        claim = identity_from_attributes(assertion_attributes(assertion))
        services.saml_request_consume(saml_request=saml_request)
        services.saml_assertion_consume(
            assertion_id=assertion.id,
            identity_provider=saml_request.identity_provider,
            not_on_or_after=parse_instant(
                assertion.conditions.not_on_or_after, what="Conditions NotOnOrAfter"
            ),
        )
        return saml_request, claim, level

    def authenticate_user(
        self, request, session_info, attribute_mapping, create_unknown_user, assertion_info
    ):  # type: ignore[override]  # noqa: E501
        assert self.outcome is not None
        saml_request, claim, level = self.outcome
        idp = saml_request.identity_provider
        try:
            user = auth.authenticate(
                request,
                digital_identity=claim,
                method=self.protocol,
                identity_provider=idp,
            )
        except SamlRefusal as refusal:
            self.refusal = refusal
            raise PermissionDenied(refusal.reason) from None
        if user is None:
            self.refusal = SamlRefusal("no account for this identity")
            raise PermissionDenied(self.refusal.reason)
        request.session[SESSION_METHOD] = self.protocol
        auth.login(request, user, backend=BACKEND)
        request.session[SESSION_METHOD] = self.protocol
        request.session[SESSION_LEVEL] = level
        request.session[SESSION_IDP] = idp
        request.saml_session[SAML_SUBJECT_KEY] = subject_code(session_info["name_id"])
        audit_record(
            action=f"{self.protocol}_login",
            actor=user,
            target=user,
            request=request,
            channel=self.protocol,
            detail={"identity_provider": idp, "level": level},
        )
        return user

    def custom_redirect(self, user: Any, relay_state: str, session_info: Any) -> str:
        assert self.outcome is not None
        return self.outcome[0].next_url or _landing(user)

    def handle_acs_failure(self, request, exception=None, status=403, **kwargs):  # type: ignore[override]
        refusal = self.refusal or _refusal_from_exception(exception)
        idp = self.outcome[0].identity_provider if self.outcome else ""
        return _refuse(request, refusal, protocol=self.protocol, idp=idp)


@method_decorator(never_cache, name="dispatch")
class SpidMetadataView(View):
    def get(self, request: HttpRequest, protocol: str) -> HttpResponse:
        reason = config.unavailable_reason()
        if reason:
            return _unavailable(request, reason)
        sp = config.sp_config(protocol=protocol, request=request)
        return HttpResponse(
            sp_metadata(config=sp, protocol=protocol), content_type="application/samlmetadata+xml"
        )


class SpidLogoutStartView(LogoutInitView):
    """Single logout started here: our session ends, the identity provider is told."""

    def get_sp_config(self, request: HttpRequest):
        return config.sp_config(protocol=self.kwargs["protocol"], request=request)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.get(request, *args, **kwargs)

    def handle_unsupported_slo_exception(self, request, exception, *args, **kwargs):  # type: ignore[override]
        return HttpResponseRedirect(reverse("core:home"))


class SpidSingleLogoutView(LogoutView):
    """The identity provider's LogoutResponse, or its LogoutRequest (logout started there)."""

    logout_error_template = "accounts/spid/logout_error.html"

    def get_sp_config(self, request: HttpRequest):
        return config.sp_config(protocol=self.kwargs["protocol"], request=request)


def spid_logout(request: HttpRequest) -> HttpResponse | None:
    """For the logout page: start single logout if this session came from SPID or CIE."""
    protocol = request.session.get(SESSION_METHOD)
    if protocol not in config.PROTOCOLS or SAML_SUBJECT_KEY not in request.saml_session:
        return None
    if config.unavailable_reason():
        return None
    return SpidLogoutStartView.as_view()(request, protocol=protocol)


spid_login = public(SpidLoginView.as_view())
spid_acs = public(SpidAcsView.as_view())
spid_metadata = public(SpidMetadataView.as_view())
spid_slo = public(SpidSingleLogoutView.as_view())
