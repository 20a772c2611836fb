"""A form posted after the session had expired: the middleware keeps its fields in the session
(SESSION_PENDING_FORM), the page offers them again after the new login."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

SESSION_PENDING_FORM = "_sportello_pending_form"


def pending_form_pop(*, request: HttpRequest) -> dict[str, list[str]] | None:
    """The fields of a form posted to this page after the session had expired, if any."""
    pending = request.session.get(SESSION_PENDING_FORM)
    if not pending or pending.get("path") != request.path:
        return None
    del request.session[SESSION_PENDING_FORM]
    return pending.get("data") or {}


def pending_form_initial(*, request: HttpRequest) -> dict[str, Any] | None:
    """`initial` for the form posted to this page after the session had expired, if any (one
    value per field, a list where the field had several), and a message that says so."""
    if request.method != "GET":
        return None
    pending = pending_form_pop(request=request)
    if pending is None:
        return None
    messages.warning(
        request,
        _(
            "La sessione era scaduta e i dati che avevi inviato non sono stati registrati. "
            "Li trovi qui sotto: controllali e inviali di nuovo."
        ),
    )
    return {key: values[0] if len(values) == 1 else values for key, values in pending.items()}
