"""The «SPID demo» identity provider: a real SAML2 IdP (pysaml2's Server) for this machine only.

It lets a newcomer click «Entra con SPID» (or «Entra con CIE») on `make run` and come back
logged in, and the browser test log in end to end. It answers with signed assertions for a few
demo identities — people of the demo registry and one person who does not live in the comune —
chosen with one click, no password. It is a demo: its pages say so, it is on only with
SPORTELLO_SPID["demo_idp"] (local settings), and production settings refuse it.
"""

from __future__ import annotations

import base64
import datetime
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import saml2
from codicefiscale import codicefiscale as cf_lib
from django.conf import settings
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server

from sportello.accounts.models import LoginMethod
from sportello.accounts.spid.saml import ATTRIBUTE_MAPS, xmlsec_binary
from sportello.core.levels import acr_for

# The demo citizen's login, built by `sportello demo` (accounts.demo); offered first here.
CITIZEN_USERNAME = "cittadino"

_lock = threading.Lock()
_metadata: dict[tuple[Any, ...], str] = {}


def demo_entity_id(*, protocol: str, base: str) -> str:
    return f"{base}/spid-demo/{protocol}/"


def demo_sso_url(*, protocol: str, base: str) -> str:
    return f"{base}/spid-demo/{protocol}/sso/"


def demo_slo_url(*, protocol: str, base: str) -> str:
    return f"{base}/spid-demo/{protocol}/slo/"


def demo_name(protocol: str) -> str:
    return "SPID demo (prova)" if protocol == LoginMethod.SPID else "CIE demo (prova)"


def idp_settings(*, protocol: str, base: str) -> dict[str, Any]:
    spid = settings.SPORTELLO_SPID
    sso = demo_sso_url(protocol=protocol, base=base)
    slo = demo_slo_url(protocol=protocol, base=base)
    return {
        "entityid": demo_entity_id(protocol=protocol, base=base),
        "xmlsec_binary": xmlsec_binary(),
        "key_file": str(spid["demo_key_file"]),
        "cert_file": str(spid["demo_cert_file"]),
        "accepted_time_diff": spid["clock_skew_seconds"],
        "delete_tmpfiles": True,
        "attribute_map_dir": str(ATTRIBUTE_MAPS),
        "service": {
            "idp": {
                "name": demo_name(protocol),
                "endpoints": {
                    "single_sign_on_service": [
                        (sso, saml2.BINDING_HTTP_REDIRECT),
                        (sso, saml2.BINDING_HTTP_POST),
                    ],
                    "single_logout_service": [
                        (slo, saml2.BINDING_HTTP_REDIRECT),
                        (slo, saml2.BINDING_HTTP_POST),
                    ],
                },
                "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                "want_authn_requests_signed": True,
                "sign_response": True,
                "sign_assertion": True,
                "policy": {
                    "default": {
                        "lifetime": {"minutes": 5},
                        "attribute_restrictions": None,
                        "name_form": NAME_FORMAT_BASIC,
                    }
                },
            }
        },
        "organization": {
            "name": [(demo_name(protocol), "it")],
            "display_name": [(demo_name(protocol), "it")],
            "url": [(base, "it")],
        },
    }


def cache_key(protocol: str, base: str) -> tuple[Any, ...]:
    cert = Path(settings.SPORTELLO_SPID["demo_cert_file"])
    return (protocol, base, cert.stat().st_mtime_ns if cert.exists() else 0)


def demo_idp_metadata(*, protocol: str, base: str) -> str:
    """The demo IdP's metadata, for the SP's list of identity providers."""
    key = cache_key(protocol, base)
    with _lock:
        if key in _metadata:
            return _metadata[key]
    idp_config = IdPConfig()
    idp_config.load(idp_settings(protocol=protocol, base=base))
    xml = str(entity_descriptor(idp_config))
    with _lock:
        _metadata[key] = xml
    return xml


@dataclass(frozen=True)
class DemoIdentity:
    codice_fiscale: str
    first_name: str
    last_name: str
    birth_date: datetime.date
    email: str
    mobile_phone: str
    note: str  # who this is, in the demo

    def attributes(self, protocol: str) -> dict[str, list[str]]:
        values = {
            "fiscalNumber": [f"TINIT-{self.codice_fiscale}"],
            "name": [self.first_name],
            "familyName": [self.last_name],
            "dateOfBirth": [self.birth_date.isoformat()],
        }
        if protocol == LoginMethod.SPID:
            values["email"] = [self.email]
            values["mobilePhone"] = [self.mobile_phone]
        return values


NON_RESIDENT = ("Chiara", "Esposito", "F", datetime.date(1990, 5, 12), "Napoli")


def demo_identities() -> list[DemoIdentity]:
    """Three people of the demo registry (the first is the demo citizen with counter
    credentials) and one person the registry does not know."""
    from sportello.registry.models import Person, Relationship

    identities: list[DemoIdentity] = []
    adult_from = datetime.date.today().replace(year=datetime.date.today().year - 18, day=1)
    citizen = (
        Person.objects.filter(account__username=CITIZEN_USERNAME, date_of_death__isnull=True)
        .select_related("family")
        .first()
    )
    others = (
        Person.objects.filter(
            relationship=Relationship.HEAD,
            date_of_death__isnull=True,
            birth_date__lte=adult_from,
            family__isnull=False,
        )
        .exclude(pk=getattr(citizen, "pk", None))
        .order_by("family__code")[:2]
    )
    people = ([citizen] if citizen else []) + list(others)
    for index, person in enumerate(people):
        note = (
            "residente, ha già le credenziali dello sportello («cittadino»)"
            if person == citizen
            else "residente"
        )
        identities.append(
            DemoIdentity(
                codice_fiscale=person.codice_fiscale,
                first_name=person.first_name,
                last_name=person.last_name,
                birth_date=person.birth_date,
                email=f"{person.codice_fiscale.lower()}@demo.invalid",
                mobile_phone=f"+39333000000{index}",
                note=note,
            )
        )
    first, last, sex, born, place = NON_RESIDENT
    identities.append(
        DemoIdentity(
            codice_fiscale=cf_lib.encode(
                lastname=last,
                firstname=first,
                gender=sex,
                birthdate=born.strftime("%d/%m/%Y"),
                birthplace=place,
            ),
            first_name=first,
            last_name=last,
            birth_date=born,
            email="chiara.esposito@demo.invalid",
            mobile_phone="+393330000009",
            note="non residente nel Comune",
        )
    )
    return identities


def demo_response(
    *, server: Server, request_info: dict[str, Any], identity: DemoIdentity | None
) -> str:
    """A signed Response for the request: the identity, or the user's «annulla» (ErrorCode
    nr25). Returned base64-encoded, ready for the HTML form of the POST binding."""
    base_id = server.config.entityid
    if identity is None:
        response = server.create_error_response(
            request_info["id"],
            request_info["acs"],
            # Responder / AuthnFailed with SPID's message for «cancelled by the user».
            ("urn:oasis:names:tc:SAML:2.0:status:AuthnFailed", "ErrorCode nr25"),
        )
    else:
        response = server.create_authn_response(
            identity=identity.attributes(request_info["protocol"]),
            in_response_to=request_info["id"],
            destination=request_info["acs"],
            sp_entity_id=request_info["sp"],
            name_id=NameID(
                format=NAMEID_FORMAT_TRANSIENT,
                name_qualifier=base_id,
                text=saml2.s_utils.sid(),
            ),
            authn={"class_ref": acr_for(request_info["level"]), "authn_auth": base_id},
            sign_response=True,
            sign_assertion=True,
            sign_alg=saml2.xmldsig.SIG_RSA_SHA256,
            digest_alg=saml2.xmldsig.DIGEST_SHA256,
        )
    return base64.b64encode(str(response).encode("utf-8")).decode("ascii")
