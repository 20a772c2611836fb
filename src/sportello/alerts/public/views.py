"""Public pages of the alerts: the recent alerts, the permanent page of each alert with its map,
and the open-data archive of closed alerts (page, JSON per alert, CSV of all). Anyone may open
them; they show only what the alert told the public, never who received it."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from shapely.geometry import mapping

from sportello.alerts.models import Alert
from sportello.alerts.public import opendata
from sportello.alerts.public.areas import area_bounds, area_geometry, city_outline
from sportello.alerts.public.http import conditional_response
from sportello.alerts.public.selectors import (
    RECENT_DAYS,
    PublicAlert,
    PublicState,
    alert_public_get,
    alerts_closed,
    alerts_recent,
)
from sportello.core.access import public

LIST_PAGE_SIZE = 20
ARCHIVE_PAGE_SIZE = 50
ARCHIVE_MAX_AGE = 300
CSV_CACHE_KEY = "sportello.alerts.opendata.csv"


def _texts() -> dict[str, str]:
    return {
        "mapLabel": _(
            "Mappa della zona dell'allerta. La stessa zona è descritta a parole qui sopra."
        ),
        "area": _("Zona dell'allerta"),
        "outline": _("Territorio del Comune"),
    }


def _map_config(public_alert: PublicAlert) -> dict[str, Any]:
    geometry = area_geometry(public_alert.area)
    outline = None
    if public_alert.area.get("city") is not True:
        # The town's outline around the area: a map without tiles still says where it is.
        shape = city_outline()
        outline = mapping(shape) if shape is not None else None
        outline = json.loads(json.dumps(outline)) if outline else None
    return {
        "tiles": settings.SPORTELLO_MAP_TILES,
        "attribution": settings.SPORTELLO_MAP_ATTRIBUTION,
        "area": geometry,
        "outline": outline,
        "bounds": area_bounds(geometry),
        "severity": public_alert.severity.lower(),
        "texts": _texts(),
    }


@public
@require_safe
def public_list(request: HttpRequest) -> HttpResponse:
    """The alerts of the last 90 days, the newest first, with their state in words."""
    page = Paginator(alerts_recent(), LIST_PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "alerts/public/list.html",
        {
            "page": page,
            "alerts": [PublicAlert.from_alert(alert) for alert in page],
            "days": RECENT_DAYS,
        },
    )


@public
@require_safe
def public_alert(request: HttpRequest, identifier: uuid.UUID) -> HttpResponse:
    """The permanent page of an alert that went out; drafts and scheduled ones do not exist."""
    public_alert = alert_public_get(identifier)
    if public_alert is None:
        raise Http404
    closed = alerts_closed().filter(identifier=identifier).exists()
    return render(
        request,
        "alerts/public/alert.html",
        {
            "alert": public_alert,
            "state": public_alert.current_state,
            "states": PublicState,
            "map_config": _map_config(public_alert),
            "archive_url": (
                reverse("alerts:public_archive_alert", args=[identifier]) if closed else None
            ),
        },
    )


@public
@require_safe
def public_archive(request: HttpRequest) -> HttpResponse:
    """The open-data archive: the closed alerts, how to read the files, the licence."""
    page = Paginator(alerts_closed(), ARCHIVE_PAGE_SIZE).get_page(request.GET.get("pagina"))
    alerts = list(page)
    figures = opendata.delivery_figures_many(alerts)
    rows = [
        {"alert": PublicAlert.from_alert(alert), "figures": figures[alert.pk]["total"]}
        for alert in alerts
    ]
    return render(
        request,
        "alerts/public/archive.html",
        {
            "page": page,
            "rows": rows,
            "licence": opendata.LICENCE,
            "figures": opendata.FIGURES,
        },
    )


def _closed(identifier: uuid.UUID) -> Alert:
    alert = alerts_closed().select_related("dispatch").filter(identifier=identifier).first()
    if alert is None:
        raise Http404
    return alert


@public
@require_safe
def public_archive_alert(request: HttpRequest, identifier: uuid.UUID) -> HttpResponse:
    """One closed alert as JSON: CAP's fields, the outcome, the figures per channel, licence."""
    alert = _closed(identifier)
    record = opendata.alert_record(
        alert=alert,
        figures=opendata.delivery_figures(alert=alert),
        absolute=request.build_absolute_uri,
    )
    body = json.dumps(record, ensure_ascii=False, indent=2).encode()
    public_alert = PublicAlert.from_alert(alert)
    response = conditional_response(
        request,
        body,
        content_type="application/json",
        max_age=ARCHIVE_MAX_AGE,
        last_modified=public_alert.changed_at,
    )
    response["Access-Control-Allow-Origin"] = "*"  # open data: any web page may read it
    return response


@public
@require_safe
def public_archive_csv(request: HttpRequest) -> HttpResponse:
    """Every closed alert, one per line, with the figures per channel (CSV, UTF-8, commas)."""
    body = cache.get(CSV_CACHE_KEY)
    if body is None:
        alerts = list(alerts_closed())
        with translation.override("it"):
            body = "".join(opendata.archive_csv_lines(alerts)).encode()
        cache.set(CSV_CACHE_KEY, body, opendata.FIGURES_CACHE_SECONDS)
    response = conditional_response(
        request, body, content_type="text/csv; charset=utf-8", max_age=ARCHIVE_MAX_AGE
    )
    response["Content-Disposition"] = 'attachment; filename="archivio-allerte.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response
