"""Public pages of the portal."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from sportello.core.catalogue import SERVICES


def home(request: HttpRequest) -> HttpResponse:
    sections: dict[str, list[dict]] = {}
    for service in SERVICES:
        url = None
        if service.url_name:
            try:
                url = reverse(service.url_name)
            except NoReverseMatch:
                url = None
        sections.setdefault(str(service.section), []).append({"service": service, "url": url})
    return render(request, "core/home.html", {"sections": sections})
