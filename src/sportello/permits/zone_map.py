"""The zone page's map: the alerts console's drawing (Leaflet + Leaflet.draw, alerts/area.js)
reused as it is, with its two endpoints answered here for the mobility office (the stradario's
dots in view and the live count of civic numbers in what is drawn), and its words in Italian
(places.maps, shared with the alerts console)."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sportello.core.decorators import operator_required
from sportello.places.areas.labels import area_summary
from sportello.places.areas.selection import area_civic_count
from sportello.places.areas.validation import area_clean
from sportello.places.maps import area_map_config, basemap_points

CHANGE = "permits.change_zone"


def zone_map_config() -> dict[str, Any]:
    config = area_map_config(
        civics_url=reverse("permits:operator_zone_civics"),
        count_url=reverse("permits:operator_zone_count"),
    )
    config["texts"]["mapLabel"] = _(
        "Mappa della zona: usa le frecce per spostarti, + e − per lo zoom. Senza mouse "
        "scrivi i confini come coordinate più sotto."
    )
    return config


@require_POST
@operator_required(CHANGE)
def zone_area_count(request: HttpRequest) -> JsonResponse:
    """POST {"features", "streets"} -> {"civic_numbers", "summary"} while drawing; a problem
    with the area comes back as {"errors": [...]} (status 400)."""
    try:
        data = json.loads(request.body or b"{}")
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("features") or {}, dict):
        return JsonResponse({"errors": [_("Richiesta non valida.")]}, status=400)
    spec: dict[str, Any] = {}
    if (data.get("features") or {}).get("features"):
        spec["features"] = data["features"]
    if data.get("streets"):
        spec["streets"] = data["streets"]
    if not spec:
        return JsonResponse({"civic_numbers": 0, "summary": area_summary({})})
    try:
        cleaned = area_clean(spec)
    except ValidationError as error:
        return JsonResponse({"errors": error.messages}, status=400)
    return JsonResponse(
        {"civic_numbers": area_civic_count(cleaned), "summary": area_summary(cleaned)}
    )


@require_GET
@operator_required(CHANGE)
def zone_civics(request: HttpRequest) -> JsonResponse:
    """GET ?bbox=west,south,east,north -> the stradario's civic numbers in view, as the alerts
    console's map draws them: {"points": [[lon, lat, label?], ...], "total", "shown"}."""
    try:
        west, south, east, north = (float(value) for value in request.GET["bbox"].split(","))
    except (KeyError, ValueError):
        return JsonResponse(
            {"error": _("Indica il riquadro: bbox=ovest,sud,est,nord.")}, status=400
        )
    return JsonResponse(basemap_points(west=west, south=south, east=east, north=north))
