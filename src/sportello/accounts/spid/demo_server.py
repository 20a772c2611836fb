"""The «SPID demo» identity provider's pysaml2 server, which knows our service provider from
its signed metadata (accounts.spid.demo_idp builds the IdP's own side)."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from saml2.config import IdPConfig
from saml2.server import Server

from sportello.accounts.spid import config
from sportello.accounts.spid.demo_idp import cache_key, idp_settings
from sportello.accounts.spid.metadata import sp_metadata

_lock = threading.Lock()
_servers: dict[tuple[Any, ...], Server] = {}


def demo_idp_server(*, protocol: str, request: HttpRequest) -> Server:
    """The demo IdP, knowing our SP from its (signed) metadata."""
    base = config.base_url(request)
    key = cache_key(protocol, base) + (str(settings.SPORTELLO_SPID["cert_file"]),)
    with _lock:
        if key in _servers:
            return _servers[key]
    sp = config.sp_config(protocol=protocol, request=request)
    conf = idp_settings(protocol=protocol, base=base)
    conf["metadata"] = {"inline": [sp_metadata(config=sp, protocol=protocol)]}
    idp_config = IdPConfig()
    idp_config.load(conf)
    server = Server(config=idp_config)
    with _lock:
        _servers[key] = server
    return server
