"""Who an alert would reach: the preview (people and numbers per channel, time to complete, the
streets with the most recipients) and the map of the recipients' addresses (counts only)."""

from __future__ import annotations

from typing import Any

import numpy as np
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sportello.alerts.console.area import map_config
from sportello.alerts.models import Alert, AlertKind
from sportello.alerts.recipients import recipients_preview
from sportello.alerts.targeting import recipients_per_address
from sportello.channels.base import Medium
from sportello.channels.dispatch import dispatch_eta_seconds
from sportello.core.decorators import operator_required
from sportello.core.services import audit_record
from sportello.places.areas.civic_points import civic_points
from sportello.places.areas.selection import area_civic_numbers
from sportello.places.models import Street

VIEW = "alerts.view_alert"
# Recipients' addresses drawn on the preview map; beyond this, an even sample (and we say so).
MAX_RECIPIENT_POINTS = 5000
TOP_STREETS = 20


def _duration(seconds: float) -> str:
    if seconds <= 0:
        return _("subito (nessun limite di capacità)")
    if seconds < 60:
        return _("meno di un minuto")
    minutes = round(seconds / 60)
    if minutes < 60:
        return ngettext("circa %(count)s minuto", "circa %(count)s minuti", minutes) % {
            "count": minutes
        }
    hours, minutes = divmod(minutes, 60)
    hours_text = ngettext("%(count)s ora", "%(count)s ore", hours) % {"count": hours}
    if not minutes:
        return _("circa %(hours)s") % {"hours": hours_text}
    return _("circa %(hours)s e %(minutes)s") % {
        "hours": hours_text,
        "minutes": ngettext("%(count)s minuto", "%(count)s minuti", minutes) % {"count": minutes},
    }


def _channel_rows(alert: Alert, counts: dict[str, int], eta: dict[str, float]) -> list[dict]:
    used = {
        Medium.VOICE: alert.use_voice,
        Medium.SMS: alert.use_sms,
        Medium.FAX: alert.use_fax,
        Medium.EMAIL: alert.use_email,
    }
    units = {
        Medium.VOICE: _("numeri da chiamare"),
        Medium.SMS: _("cellulari"),
        Medium.FAX: _("numeri di fax"),
        Medium.EMAIL: _("indirizzi e-mail"),
    }
    return [
        {
            "label": medium.label,
            "unit": units[medium],
            "used": used[medium] or bool(counts.get(medium)),
            "count": counts.get(medium, 0),
            "eta": _duration(eta.get(medium, 0.0)) if counts.get(medium) else "—",
        }
        for medium in Medium
    ]


def streets_reached(per_address: dict[int, int]) -> list[dict[str, Any]]:
    """The streets with the most recipients: what the map shows, as a table."""
    if not per_address:
        return []
    points = civic_points()
    ids = np.fromiter(per_address.keys(), dtype=np.int64, count=len(per_address))
    counts = np.fromiter(per_address.values(), dtype=np.int64, count=len(per_address))
    positions = np.searchsorted(points.ids, ids)
    positions = np.clip(positions, 0, max(len(points) - 1, 0))
    known = points.ids[positions] == ids
    streets = points.street[positions[known]]
    counts = counts[known]
    totals: dict[int, list[int]] = {}
    for street, count in zip(streets.tolist(), counts.tolist(), strict=True):
        entry = totals.setdefault(street, [0, 0])
        entry[0] += 1
        entry[1] += count
    top = sorted(totals.items(), key=lambda item: (-item[1][1], item[0]))[:TOP_STREETS]
    names = {s.pk: s.full_name for s in Street.objects.filter(pk__in=[pk for pk, _t in top])}
    return [
        {"name": names.get(pk, "?"), "addresses": addresses, "recipients": recipients}
        for pk, (addresses, recipients) in top
    ]


@operator_required(VIEW)
@never_cache
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Who the alert would reach now: people and numbers per channel, the time to complete at
    the providers' configured capacity, and where they are."""
    alert = get_object_or_404(Alert, pk=pk)
    context: dict[str, Any] = {"alert": alert, "has_area": bool(alert.area)}
    if alert.area:
        counts, per_address = recipients_preview(alert=alert, ids=area_civic_numbers(alert.area))
        eta = dispatch_eta_seconds({medium: counts.get(medium, 0) for medium in Medium.values})
        context.update(
            counts=counts,
            rows=_channel_rows(alert, counts, eta),
            eta_total=_duration(eta.get("total", 0.0)) if counts.get("people") else "—",
            addresses=len(per_address),
            streets_reached=streets_reached(per_address),
            map_config=map_config(alert, editable=False),
        )
        audit_record(
            action="alert.preview",
            target=alert,
            request=request,
            detail={"people": counts.get("people", 0)},
        )
    return render(request, "alerts/console/preview.html", context)


@require_GET
@operator_required(VIEW)
def points(request: HttpRequest, pk: int) -> JsonResponse:
    """GeoJSON of the civic numbers in the area that have recipients, with how many each: no
    names or numbers. At most 5,000 points, an even sample beyond ("capped": true)."""
    alert = get_object_or_404(Alert, pk=pk)
    per_address = recipients_per_address(
        area_civic_numbers(alert.area or {}), directory_only=alert.kind == AlertKind.RECONFIRM
    )
    civics_points = civic_points()
    ids = np.array(sorted(per_address), dtype=np.int64)
    total = int(ids.size)
    if total > MAX_RECIPIENT_POINTS:
        ids = ids[np.linspace(0, total - 1, MAX_RECIPIENT_POINTS).astype(np.int64)]
    positions = np.searchsorted(civics_points.ids, ids)
    features = []
    for civic_id, position in zip(ids.tolist(), positions.tolist(), strict=True):
        if position >= len(civics_points) or civics_points.ids[position] != civic_id:
            continue  # added after this process read the stradario
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [
                        round(float(civics_points.lon[position]), 6),
                        round(float(civics_points.lat[position]), 6),
                    ],
                },
                "properties": {"recipients": per_address[civic_id]},
            }
        )
    audit_record(
        action="alert.recipients_map", target=alert, request=request, detail={"addresses": total}
    )
    return JsonResponse(
        {
            "type": "FeatureCollection",
            "features": features,
            "addresses": total,
            "shown": len(features),
            "capped": total > len(features),
        }
    )
