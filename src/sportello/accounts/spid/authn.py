"""The AuthnRequest, shaped as SPID's technical rules and the CIE ID manual want it.

Sent with the HTTP-Redirect binding (signature in the query string), so no page with a script
is needed to post it: the browser simply follows a redirect. The request names our consuming
services by index (0), asks for a transient NameID and for the level with Comparison
«minimum»; from level 2 on it forces a new authentication (ForceAuthn), as SPID requires.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from djangosaml2.overrides import Saml2Client
from saml2 import BINDING_HTTP_REDIRECT, samlp
from saml2.config import SPConfig
from saml2.s_utils import sid
from saml2.saml import NAMEID_FORMAT_ENTITY, NAMEID_FORMAT_TRANSIENT, AuthnContextClassRef, Issuer
from saml2.time_util import instant
from saml2.xmldsig import SIG_RSA_SHA256

from sportello.core.levels import acr_for


@dataclass(frozen=True)
class PreparedRequest:
    request_id: str
    issue_instant: str  # as written in the request, UTC
    relay_state: str  # opaque: where to go afterwards is kept on our side
    location: str  # the URL to redirect the browser to


def authn_request_prepare(*, config: SPConfig, idp_entity_id: str, level: int) -> PreparedRequest:
    client = Saml2Client(config)
    location = client.sso_location(idp_entity_id, BINDING_HTTP_REDIRECT)
    request_id = sid()
    issue_instant = instant()
    request = samlp.AuthnRequest(
        id=request_id,
        version="2.0",
        issue_instant=issue_instant,
        destination=location,
        issuer=Issuer(
            text=config.entityid, format=NAMEID_FORMAT_ENTITY, name_qualifier=config.entityid
        ),
        name_id_policy=samlp.NameIDPolicy(format=NAMEID_FORMAT_TRANSIENT),
        requested_authn_context=samlp.RequestedAuthnContext(
            authn_context_class_ref=[AuthnContextClassRef(text=acr_for(level))],
            comparison="minimum",
        ),
        assertion_consumer_service_index="0",
        attribute_consuming_service_index="0",
        force_authn="true" if level >= 2 else None,
    )
    relay_state = secrets.token_urlsafe(24)
    http_info = client.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(request),
        location,
        relay_state=relay_state,
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )
    headers = dict(http_info["headers"])
    return PreparedRequest(
        request_id=request_id,
        issue_instant=issue_instant,
        relay_state=relay_state,
        location=headers["Location"],
    )
