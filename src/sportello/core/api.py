"""What every public API view of Sportello shares: refusing requests a browser sends from
another site's page (the API has no cookies to protect, but a page elsewhere must not make a
visitor's browser start subscriptions, and verification calls, on its behalf)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request


class NoCrossSiteRequests(BasePermission):
    """Writes from a browser must come from our own pages (Origin = this site, or one of
    CSRF_TRUSTED_ORIGINS). Apps and servers send no Origin and are not concerned."""

    message = _("Richiesta rifiutata: arriva dalla pagina di un altro sito.")

    def has_permission(self, request: Request, view: object) -> bool:
        if request.method in SAFE_METHODS:
            return True
        if request.META.get("HTTP_SEC_FETCH_SITE", "") == "cross-site":
            return False
        origin = request.META.get("HTTP_ORIGIN")
        if origin is None:
            return True
        own = f"{request.scheme}://{request.get_host()}"
        return origin == own or origin in settings.CSRF_TRUSTED_ORIGINS


@csrf_exempt  # nothing to protect: it only ever answers 404
def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Any other address under /api/: a JSON answer, as from every API view, not a web page."""
    return JsonResponse({"detail": gettext("Indirizzo non trovato.")}, status=404)
