"""Pages of the «SPID demo» identity provider (accounts.spid.demo_idp): choose who you are."""

from __future__ import annotations

import logging

import saml2
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from sportello.accounts.spid import config
from sportello.accounts.spid.demo_idp import (
    demo_identities,
    demo_idp_metadata,
    demo_name,
    demo_response,
)
from sportello.accounts.spid.demo_server import demo_idp_server
from sportello.core.access import public
from sportello.core.levels import level_from_acr

logger = logging.getLogger(__name__)


def _demo_on() -> None:
    if not settings.SPORTELLO_SPID["demo_idp"] or settings.SPORTELLO_ENV == "production":
        raise Http404
    if config.unavailable_reason():
        raise Http404


def _redirect_args(request: HttpRequest) -> dict[str, str | None]:
    return {
        "relay_state": request.GET.get("RelayState"),
        "sigalg": request.GET.get("SigAlg"),
        "signature": request.GET.get("Signature"),
    }


@public
@never_cache
def demo_sso(request: HttpRequest, protocol: str) -> HttpResponse:
    _demo_on()
    server = demo_idp_server(protocol=protocol, request=request)
    try:
        parsed = server.parse_authn_request(
            request.GET.get("SAMLRequest", ""),
            saml2.BINDING_HTTP_REDIRECT,
            **_redirect_args(request),
        )
        message = parsed.message
        args = server.response_args(message, [saml2.BINDING_HTTP_POST])
    except Exception as error:  # any malformed or unsigned request: the demo says so, plainly
        logger.warning("demo IdP: request refused: %s", error)
        return render(request, "accounts/spid/demo_bad_request.html", status=400)
    context = message.requested_authn_context
    refs = context.authn_context_class_ref if context is not None else []
    level = (level_from_acr(refs[0].text.strip()) if refs else None) or 2
    info = {
        "id": message.id,
        "acs": args["destination"],
        "sp": args["sp_entity_id"],
        "level": level,
        "protocol": protocol,
    }
    people = [
        {
            "identity": identity,
            "response": demo_response(server=server, request_info=info, identity=identity),
        }
        for identity in demo_identities()
    ]
    return render(
        request,
        "accounts/spid/demo_idp.html",
        {
            "idp_name": demo_name(protocol),
            "protocol": protocol,
            "people": people,
            "acs": info["acs"],
            "relay_state": request.GET.get("RelayState", ""),
            "cancel_response": demo_response(server=server, request_info=info, identity=None),
            "level": level,
        },
    )


@public
@never_cache
def demo_slo(request: HttpRequest, protocol: str) -> HttpResponse:
    _demo_on()
    server = demo_idp_server(protocol=protocol, request=request)
    try:
        parsed = server.parse_logout_request(
            request.GET.get("SAMLRequest", ""),
            saml2.BINDING_HTTP_REDIRECT,
            **_redirect_args(request),
        )
        response = server.create_logout_response(parsed.message, [saml2.BINDING_HTTP_REDIRECT])
        destination = server.config.metadata.single_logout_service(
            parsed.message.issuer.text, saml2.BINDING_HTTP_REDIRECT, "spsso"
        )[0]["location"]
        http_info = server.apply_binding(
            saml2.BINDING_HTTP_REDIRECT,
            str(response),
            destination,
            request.GET.get("RelayState", ""),
            response=True,
            sign=True,
            sigalg=saml2.xmldsig.SIG_RSA_SHA256,
        )
    except Exception as error:
        logger.warning("demo IdP: logout request refused: %s", error)
        return render(request, "accounts/spid/demo_bad_request.html", status=400)
    return HttpResponseRedirect(dict(http_info["headers"])["Location"])


@public
def demo_metadata(request: HttpRequest, protocol: str) -> HttpResponse:
    _demo_on()
    return HttpResponse(
        demo_idp_metadata(protocol=protocol, base=config.base_url(request)),
        content_type="application/samlmetadata+xml",
    )
