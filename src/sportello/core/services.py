"""Writes for the core app: the audit log; the client address every limit counts by."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip

from sportello.core.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of the person at the other end, for limits, lockouts and the audit log.

    Behind the reverse proxies named in SPORTELLO_TRUSTED_PROXIES (outermost first), the address
    comes from X-Forwarded-For: django-ipware checks that the hops at the end of the chain, the
    connecting peer included, are those proxies, and takes the hop just before them. Anything a
    client wrote further left is ignored; a request that did not come through the proxies (or no
    proxies configured) is counted by its own connecting address.
    """
    if request is None:
        return None
    peer = request.META.get("REMOTE_ADDR") or None
    proxies = settings.SPORTELLO_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").strip()
    if not proxies or not peer or not forwarded:
        return peer
    # The peer is the last proxy: it is not in the header it sends, so the chain gets it here.
    chain = SimpleNamespace(META={"HTTP_X_FORWARDED_FOR": f"{forwarded}, {peer}"})
    address, _routable = get_client_ip(
        chain,
        proxy_trusted_ips=proxies,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    return address or peer


def audit_record(
    *,
    action: str,
    actor: Any = None,
    target: Any = None,
    request: HttpRequest | None = None,
    channel: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record an access or change. `detail` must never carry passwords or other secrets."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(getattr(actor, "username", "") or actor or "")[:150],
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        ip_address=client_ip(request),
        channel=channel,
        detail=detail or {},
    )
