"""Writes for the core app: the audit log."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sportello.core.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
