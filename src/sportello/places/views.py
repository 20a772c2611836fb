"""Stradario endpoints: the JSON address autocomplete used by forms that ask for an address."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from sportello.core.access import public
from sportello.places.forms import AddressSearchForm
from sportello.places.selectors import address_search


@require_GET
@public
def address_autocomplete(request: HttpRequest) -> JsonResponse:
    """GET ?q=via garibaldi 12[&limit=10] -> [{id, label, street, number, latitude, ...}]."""
    form = AddressSearchForm(request.GET)
    if not form.is_valid():
        message = next(iter(form.errors.values()))[0]
        return JsonResponse({"error": message}, status=400)
    matches = address_search(query=form.cleaned_data["q"], limit=form.cleaned_data["limit"] or 10)
    return JsonResponse([match.as_dict() for match in matches], safe=False)
