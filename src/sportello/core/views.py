"""Public pages of the portal: the home page, contacts and the legal pages."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from sportello.core.access import public
from sportello.core.catalogue import SECTIONS, SERVICES, PortalSection, PortalService
from sportello.core.feedback import (
    DetailForm,
    RatingForm,
    feedback_complete,
    feedback_from_token,
    feedback_record,
    feedback_token,
)


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
    tiles = urlsplit(settings.SPORTELLO_MAP_TILES.replace("{s}", "a")).hostname or ""
    own_host = request.get_host().split(":")[0]
    return render(
        request,
        "core/privacy.html",
        {
            "tile_host": tiles if tiles and tiles != own_host else "",
            "full_notice_url": settings.SPORTELLO_PRIVACY_NOTICE_URL,
        },
    )


@public
def faq(request: HttpRequest) -> HttpResponse:
    """«Domande frequenti» about the desk, in our own words."""
    return render(
        request,
        "core/faq.html",
        {"idle_minutes": settings.SPORTELLO_SESSION_IDLE_MINUTES},
    )


@public
def report_inefficiency(request: HttpRequest) -> HttpResponse:
    """«Segnala un disservizio»: the comune's own service if configured, else how to tell us."""
    if settings.SPORTELLO_REPORT_INEFFICIENCY_URL:
        return redirect(settings.SPORTELLO_REPORT_INEFFICIENCY_URL)
    return render(request, "core/report_inefficiency.html")


@public
def legal_notes(request: HttpRequest) -> HttpResponse:
    return render(request, "core/legal_notes.html")


@public
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/accessibility.html",
        {"agid_form_url": settings.SPORTELLO_ACCESSIBILITY_STATEMENT_URL},
    )


@require_POST
@public
def feedback(request: HttpRequest) -> HttpResponse:
    """The rating's two steps: the stars, then what went well or badly."""
    if "token" in request.POST:
        record = feedback_from_token(request.POST["token"])
        if record is None:
            return render(request, "core/feedback_thanks.html", status=400)
        form = DetailForm(request.POST, positive=record.rating >= 4)
        if form.is_valid():
            feedback_complete(
                feedback=record,
                aspect=form.cleaned_data["aspect"],
                comment=form.cleaned_data["comment"],
            )
            return render(request, "core/feedback_thanks.html")
        return render(
            request,
            "core/feedback_detail.html",
            {"form": form, "positive": record.rating >= 4},
            status=400,
        )
    form = RatingForm(request.POST)
    if not form.is_valid():
        return render(request, "core/feedback_thanks.html", {"invalid": True}, status=400)
    record = feedback_record(
        service=form.cleaned_data["service"], rating=form.cleaned_data["rating"]
    )
    positive = record.rating >= 4
    detail = DetailForm(initial={"token": feedback_token(record)}, positive=positive)
    return render(request, "core/feedback_detail.html", {"form": detail, "positive": positive})
