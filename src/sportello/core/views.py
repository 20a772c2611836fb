"""Public pages of the portal: the home page, contacts and the legal pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from sportello.core.access import public
from sportello.core.catalogue import SECTIONS, SERVICES, PortalSection, PortalService


@dataclass(frozen=True)
class ServiceCard:
    service: PortalService
    url: str | None  # None until the service is built: the card then says it is coming


@dataclass(frozen=True)
class SectionCards:
    section: PortalSection
    cards: list[ServiceCard]


def _card(service: PortalService) -> ServiceCard:
    url = None
    if service.url_name:
        try:
            url = reverse(service.url_name)
        except NoReverseMatch:
            # A service announced in the catalogue but not installed here: say it is coming.
            url = None
    return ServiceCard(service=service, url=url)


@public
def home(request: HttpRequest) -> HttpResponse:
    sections = [
        SectionCards(
            section=section,
            cards=[_card(service) for service in SERVICES if service.section is section],
        )
        for section in SECTIONS
    ]
    return render(request, "core/home.html", {"sections": sections})


@public
def contacts(request: HttpRequest) -> HttpResponse:
    return render(request, "core/contacts.html")


@public
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")


@public
def legal_notes(request: HttpRequest) -> HttpResponse:
    return render(request, "core/legal_notes.html")


@public
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")
