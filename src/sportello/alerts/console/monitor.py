"""The live monitor of an alert and its reports: the page (complete without JavaScript), the JSON
its script polls, the GeoJSON of the people reached per address, the CSV and the PDF summary."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from sportello.alerts import reports
from sportello.alerts.models import Alert, AlertKind
from sportello.core.decorators import operator_required
from sportello.core.services import audit_record

PERMISSION = "alerts.view_alert"
POLL_SECONDS = 2  # figures, while sending
MAP_POLL_SECONDS = 20  # the map's aggregation is heavier: less often
ANNOUNCE_SECONDS = 30  # screen readers hear a summary at most this often


def _alert(pk: int) -> Alert:
    return get_object_or_404(
        Alert.objects.select_related("dispatch", "created_by", "approved_by", "stopped_by"), pk=pk
    )


def _tiles() -> dict[str, str]:
    """The same tiles as the area page (SPORTELLO_MAP_TILES, SPORTELLO_MAP_ATTRIBUTION); none
    = a blank map with the points, which is enough to see them (offline demo)."""
    return {"url": settings.SPORTELLO_MAP_TILES, "attribution": settings.SPORTELLO_MAP_ATTRIBUTION}


def _config(alert: Alert, *, live: bool) -> dict[str, Any]:
    """What monitor.js needs: where to poll, how often, the map's tiles, and its words."""
    return {
        "progressUrl": reverse("alerts:console_progress", args=[alert.pk]),
        "mapUrl": reverse("alerts:console_map", args=[alert.pk]),
        "live": live,
        "interval": POLL_SECONDS * 1000,
        "mapInterval": MAP_POLL_SECONDS * 1000,
        "announceInterval": ANNOUNCE_SECONDS * 1000,
        **_tiles(),
        "texts": {
            "mapLabel": _(
                "Mappa degli indirizzi avvisati, colorati per stato; gli stessi dati sono"
                " nella legenda e nella tabella."
            ),
            "states": {
                state: reports.address_state_label(state)
                for state in ("reached", "progress", "handed", "unreached")
            },
            "people": _("persone"),
            "problem": _("Problema: %(text)s"),
        },
    }


@operator_required(PERMISSION)
@require_safe
def console_monitor(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert(pk)
    figures = reports.monitor_figures(alert=alert, progress=reports.alert_progress(alert=alert))
    addresses = reports.alert_addresses(alert=alert)
    return render(
        request,
        "alerts/console/monitor.html",
        {
            "alert": alert,
            "reconfirm": alert.kind == AlertKind.RECONFIRM,
            "figures": figures,
            "addresses": addresses,
            "unreached": reports.unreached_addresses(addresses),
            "unreached_limit": reports.UNREACHED_LISTED,
            "states": [
                (state, reports.address_state_label(state), addresses["addresses"][state])
                for state in ("reached", "progress", "handed", "unreached")
            ],
            "config": _config(alert, live=figures["live"]),
        },
    )


@operator_required(PERMISSION)
@require_safe
@never_cache
def console_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """What the monitor page shows, for its script: the dispatch's own figures ("progress", as
    channels.dispatch.dispatch_progress gives them) and the page's texts."""
    alert = _alert(pk)
    progress = reports.alert_progress(alert=alert)
    figures = reports.monitor_figures(alert=alert, progress=progress)
    return JsonResponse(
        {
            "alert": {
                "id": alert.pk,
                "status": alert.status,
                "status_label": alert.get_status_display(),
                "exercise": alert.exercise,
            },
            "progress": progress,
            "live": figures["live"],
            "finished": figures["finished"],
            "summary": figures["summary"],
            "problems": figures["problems"],
            **reports.monitor_texts(figures),
        }
    )


@operator_required(PERMISSION)
@require_safe
@never_cache
def console_map(request: HttpRequest, pk: int) -> JsonResponse:
    """People reached per address, as GeoJSON: an address and counts, no names or numbers."""
    alert = _alert(pk)
    return JsonResponse(reports.alert_addresses(alert=alert), content_type="application/geo+json")


@operator_required(PERMISSION)
@require_safe
def console_report_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """Every delivery, one per line, streamed: 300,000 rows never sit in memory at once."""
    alert = _alert(pk)
    audit_record(action="alert.report_csv", request=request, target=alert)
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in reports.report_csv_lines(alert=alert)),
        content_type="text/csv; charset=utf-8",
    )
    name = reports.report_filename(alert, "csv")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@operator_required(PERMISSION)
@require_safe
def console_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from weasyprint import HTML  # imported here: it loads Pango, needed only for PDFs

    alert = _alert(pk)
    audit_record(action="alert.report_pdf", request=request, target=alert)
    with translation.override("it"):
        html = render_to_string(
            "alerts/console/report_pdf.html", reports.report_context(alert=alert)
        )
    response = HttpResponse(HTML(string=html, base_url="/").write_pdf(), "application/pdf")
    name = reports.report_filename(alert, "pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response
