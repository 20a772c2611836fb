"""The pysaml2 service-provider configuration for SPID and for CIE ID, one per protocol.

djangosaml2 asks `config_loader(request)` for it (SAML_CONFIG_LOADER); our views ask
`sp_config(protocol=..., request=...)`. The identity providers come from metadata files under
SPORTELLO_SPID["metadata_dir"]/<protocol>/ (kept fresh by `accounts.tasks.spid_metadata_refresh`)
and, in the demo, from the local «SPID demo» identity provider. A configuration is built once per
protocol, address and set of metadata files, then reused: parsing the IdPs' metadata is slow.

Signing and signature checks run the xmlsec1 program (pysaml2's backend). Without it, or without
the SP's key and certificate, SPID and CIE are unavailable and say why (`unavailable_reason`);
every other way to log in keeps working.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import saml2
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from saml2.config import SPConfig
from saml2.saml import NAMEID_FORMAT_TRANSIENT
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

from sportello.accounts.models import LoginMethod
from sportello.accounts.spid.saml import ATTRIBUTE_MAPS, xmlsec_binary

PROTOCOLS = (LoginMethod.SPID, LoginMethod.CIE)
# What a comune needs to know about a citizen (issue 16); CIE ID releases only the first four.
SPID_ATTRIBUTES = ("fiscalNumber", "name", "familyName", "dateOfBirth", "email", "mobilePhone")
CIE_ATTRIBUTES = ("fiscalNumber", "name", "familyName", "dateOfBirth")
REQUIRED_ATTRIBUTES = ("fiscalNumber", "name", "familyName", "dateOfBirth")

_lock = threading.Lock()
_configs: dict[tuple[Any, ...], SPConfig] = {}


def unavailable_reason() -> str | None:
    """Why SPID and CIE cannot be used on this installation, in words for the login page."""
    if not settings.SPORTELLO_SPID["enabled"]:
        return _("L'accesso con SPID e CIE non è attivo in questo sportello.")
    if xmlsec_binary() is None:
        return _(
            "Su questo computer manca il programma xmlsec1, che serve a firmare e verificare i "
            "messaggi di SPID e CIE (su Debian o Ubuntu: apt-get install xmlsec1). Gli altri "
            "modi di accesso funzionano."
        )
    for name in ("key_file", "cert_file"):
        if not Path(settings.SPORTELLO_SPID[name]).exists():
            return _(
                "Manca la chiave o il certificato del Comune per SPID e CIE (si creano con "
                "«sportello spid_setup»)."
            )
    return None


def base_url(request: HttpRequest | None = None) -> str:
    """The address the SP's endpoints live under: fixed in production (entityID must not
    change); locally the address the browser used, so that any host name or port works."""
    configured = settings.SPORTELLO_SPID["base_url"]
    if configured:
        return configured.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return settings.SPORTELLO_PUBLIC_URL.rstrip("/")


def entity_id(*, protocol: str, base: str) -> str:
    return f"{base}/{protocol}/metadata/"


def acs_url(*, protocol: str, base: str) -> str:
    return f"{base}/{protocol}/acs/"


def slo_url(*, protocol: str, base: str) -> str:
    return f"{base}/{protocol}/slo/"


def metadata_files(*, protocol: str) -> list[Path]:
    folder = Path(settings.SPORTELLO_SPID["metadata_dir"]) / protocol
    return sorted(folder.glob("*.xml")) if folder.is_dir() else []


def sp_settings(*, protocol: str, base: str) -> dict[str, Any]:
    """The pysaml2 configuration dictionary (without the IdPs' metadata)."""
    from sportello.core.selectors import municipality_get

    municipality = municipality_get()
    name = municipality.name if municipality else "Sportello"
    website = (municipality.website if municipality else "") or base
    attributes = SPID_ATTRIBUTES if protocol == LoginMethod.SPID else CIE_ATTRIBUTES
    spid = settings.SPORTELLO_SPID
    return {
        "entityid": entity_id(protocol=protocol, base=base),
        "xmlsec_binary": xmlsec_binary(),
        "key_file": str(spid["key_file"]),
        "cert_file": str(spid["cert_file"]),
        "name": name,
        "accepted_time_diff": spid["clock_skew_seconds"],
        "allow_unknown_attributes": True,
        "delete_tmpfiles": True,
        "attribute_map_dir": str(ATTRIBUTE_MAPS),
        "service": {
            "sp": {
                "name": name,
                "name_id_format": [NAMEID_FORMAT_TRANSIENT],
                "endpoints": {
                    "assertion_consumer_service": [
                        (acs_url(protocol=protocol, base=base), saml2.BINDING_HTTP_POST)
                    ],
                    "single_logout_service": [
                        (slo_url(protocol=protocol, base=base), saml2.BINDING_HTTP_POST),
                        (slo_url(protocol=protocol, base=base), saml2.BINDING_HTTP_REDIRECT),
                    ],
                },
                "required_attributes": list(attributes),
                "authn_requests_signed": True,
                "logout_requests_signed": True,
                "logout_responses_signed": True,
                # SPID: the assertion is always signed, the response may be (and if it is, the
                # signature must be valid: pysaml2 checks every signature it finds).
                "want_assertions_signed": True,
                "want_response_signed": False,
                "only_use_keys_in_metadata": True,
                "allow_unsolicited": False,
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
                "name_id_format_allow_create": False,
            }
        },
        "organization": {
            "name": [(name, "it")],
            "display_name": [(name, "it")],
            "url": [(website, "it")],
        },
    }


def _inline_metadata(*, protocol: str, base: str) -> list[str]:
    if not settings.SPORTELLO_SPID["demo_idp"]:
        return []
    from sportello.accounts.spid.demo_idp import demo_idp_metadata

    return [demo_idp_metadata(protocol=protocol, base=base)]


def sp_config(*, protocol: str, request: HttpRequest | None = None) -> SPConfig:
    base = base_url(request)
    files = metadata_files(protocol=protocol)
    key = (
        protocol,
        base,
        tuple((str(path), path.stat().st_mtime_ns) for path in files),
        settings.SPORTELLO_SPID["demo_idp"],
        str(settings.SPORTELLO_SPID["cert_file"]),
    )
    with _lock:
        config = _configs.get(key)
        if config is not None:
            return config
    conf_dict = sp_settings(protocol=protocol, base=base)
    metadata: dict[str, list[Any]] = {}
    if files:
        metadata["local"] = [str(path) for path in files]
    inline = _inline_metadata(protocol=protocol, base=base)
    if inline:
        metadata["inline"] = inline
    conf_dict["metadata"] = metadata
    config = SPConfig()
    config.load(conf_dict)
    with _lock:
        # Configurations of superseded metadata files are dropped, not accumulated.
        for stale in [k for k in _configs if k[:2] == key[:2]]:
            del _configs[stale]
        _configs[key] = config
    return config


def config_reset() -> None:
    with _lock:
        _configs.clear()


def protocol_from_request(request: HttpRequest | None) -> str:
    match = getattr(request, "resolver_match", None)
    protocol = (match.kwargs.get("protocol") if match else None) or LoginMethod.SPID
    return protocol if protocol in PROTOCOLS else LoginMethod.SPID


def config_loader(request: HttpRequest | None = None) -> SPConfig:
    """djangosaml2's SAML_CONFIG_LOADER: the configuration of the protocol in the URL."""
    return sp_config(protocol=protocol_from_request(request), request=request)
