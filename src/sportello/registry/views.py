"""Citizens' own registry pages (certified services)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sportello.accounts.decorators import certified_required
from sportello.registry.selectors import person_family


@certified_required
def my_data(request: HttpRequest) -> HttpResponse:
    """The citizen's own registry data and family (the padlock service "I miei dati")."""
    person = request.user.person
    return render(
        request,
        "registry/my_data.html",
        {"person": person, "family": list(person_family(person=person))},
    )
