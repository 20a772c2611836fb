"""Where an alert goes: the area page (map, pasted coordinates, GeoJSON file, streets), its live
count, and the stradario's dots for a map without tiles. The preview (who it would reach) is in
console/preview.py."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from sportello.alerts.console.area_forms import AreaForm
from sportello.alerts.models import Alert, AlertKind, AlertStatus
from sportello.alerts.targeting import alert_area_set, recipients_in_area
from sportello.core.decorators import operator_required
from sportello.core.exceptions import ApplicationError
from sportello.places.areas.geojson import geojson_read
from sportello.places.areas.labels import area_summary, feature_label, street_entry_label
from sportello.places.areas.selection import area_civic_count, area_civic_numbers
from sportello.places.areas.spec import AREA_DESCRIPTION_LENGTH, EMPTY_COLLECTION
from sportello.places.areas.validation import area_clean
from sportello.places.maps import area_map_config, basemap_points
from sportello.places.models import Street

SEND = "alerts.send_alert"
VIEW = "alerts.view_alert"


# ---------------------------------------------------------------------------------------------
# The area page


def _state_from_area(area: dict[str, Any]) -> dict[str, Any]:
    return {
        "city": area.get("city") is True,
        "features": area.get("features") or dict(EMPTY_COLLECTION),
        "streets": list(area.get("streets") or []),
    }


def _spec(state: dict[str, Any]) -> dict[str, Any]:
    if state["city"]:
        return {"city": True}
    spec: dict[str, Any] = {}
    if state["features"].get("features"):
        spec["features"] = state["features"]
    if state["streets"]:
        spec["streets"] = state["streets"]
    return spec


def _initial(state: dict[str, Any]) -> dict[str, Any]:
    return {
        "city": state["city"],
        "features": json.dumps(state["features"], separators=(",", ":")),
        "streets": json.dumps(state["streets"], separators=(",", ":")),
        "parity": "all",
    }


def _normalised(collection: dict[str, Any]) -> dict[str, Any]:
    """The drawn features in our own shape when they can be read; as they are otherwise (the
    save then says what is wrong with them)."""
    if not collection.get("features"):
        return dict(EMPTY_COLLECTION)
    try:
        return geojson_read(collection)
    except ValidationError:
        return collection


def _shape_labels(collection: dict[str, Any]) -> list[str]:
    labels = []
    for index, feature in enumerate(collection.get("features") or [], start=1):
        try:
            labels.append(feature_label(feature))
        except (KeyError, TypeError, ValueError, IndexError):
            labels.append(_("Area %(number)s (da correggere)") % {"number": index})
    return labels


def _street_labels(entries: list[Any]) -> list[str]:
    ids = {entry.get("street") for entry in entries if isinstance(entry, dict)}
    names = {street.pk: street.full_name for street in Street.objects.filter(pk__in=ids)}
    return [
        street_entry_label(entry, names.get(entry.get("street"), _("strada sconosciuta")))
        if isinstance(entry, dict)
        else "?"
        for entry in entries
    ]


def _removed(items: list[Any], action: str, prefix: str) -> list[Any]:
    try:
        index = int(action.removeprefix(prefix))
    except ValueError:
        return items
    return [item for position, item in enumerate(items) if position != index]


def map_config(alert: Alert, *, editable: bool) -> dict[str, Any]:
    config = area_map_config(
        civics_url=reverse("alerts:console_civics"),
        count_url=reverse("alerts:console_area_count", args=[alert.pk]),
        editable=editable,
    )
    config["pointsUrl"] = reverse("alerts:console_points", args=[alert.pk])
    config["texts"].update(
        countRecipients=_("Destinatari nell'area: %(count)s."),
        recipients=_("%(count)s destinatari a questo indirizzo"),
        recipientsOne=_("1 destinatario a questo indirizzo"),
        capped=_("La mappa mostra %(shown)s indirizzi su %(total)s, scelti in modo uniforme."),
        mapLabel=_("Mappa dell'area: usa le frecce per spostarti, + e − per lo zoom."),
    )
    return config


def _area_page(
    request: HttpRequest,
    alert: Alert,
    form: AreaForm,
    state: dict[str, Any],
    *,
    area_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    editable = alert.status == AlertStatus.DRAFT
    return render(
        request,
        "alerts/console/area.html",
        {
            "alert": alert,
            "form": form,
            "editable": editable,
            "shapes": _shape_labels(state["features"]),
            "street_items": _street_labels(state["streets"]),
            "area_errors": area_errors or [],
            "map_config": map_config(alert, editable=editable),
            "description_limit": AREA_DESCRIPTION_LENGTH,
        },
        status=status,
    )


@operator_required(SEND)
@never_cache
def area(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the area of a draft alert; saving validates it and goes on to the preview."""
    alert = get_object_or_404(Alert, pk=pk)
    state = _state_from_area(alert.area or {})
    if alert.status != AlertStatus.DRAFT or request.method != "POST":
        status = 409 if request.method == "POST" else 200
        return _area_page(request, alert, AreaForm(initial=_initial(state)), state, status=status)

    form = AreaForm(request.POST, request.FILES)
    if not form.is_valid():
        return _area_page(request, alert, form, state)
    data = form.cleaned_data
    state = {
        "city": data["city"],
        "features": _normalised(data["features"]),
        "streets": data["streets"],
    }
    action = request.POST.get("action", "apply")
    if action.startswith("remove_feature:"):
        state["features"] = {
            **state["features"],
            "features": _removed(state["features"]["features"], action, "remove_feature:"),
        }
    elif action.startswith("remove_street:"):
        state["streets"] = _removed(state["streets"], action, "remove_street:")
    for added in (data["upload"], data["pasted"]):
        if added:
            state["features"] = {
                **state["features"],
                "features": [*state["features"]["features"], *added["features"]],
            }
    entry = form.street_entry()
    if form.errors:
        return _area_page(request, alert, form, state)
    if entry is not None and entry not in state["streets"]:
        state["streets"].append(entry)

    fresh = AreaForm(initial=_initial(state))
    if action != "save":
        return _area_page(request, alert, fresh, state)
    try:
        alert_area_set(alert=alert, area=_spec(state), by=request.user, request=request)
    except ValidationError as error:
        # Whatever was drawn, pasted or uploaded stays on the page, to be corrected.
        return _area_page(request, alert, fresh, state, area_errors=error.messages)
    except ApplicationError as error:
        return _area_page(request, alert, fresh, state, area_errors=[error.message], status=409)
    messages.success(request, _("Area salvata. Controlla chi riceverà l'allerta."))
    return redirect("alerts:console_preview", pk=alert.pk)


@require_POST
@operator_required(SEND)
def area_count(request: HttpRequest, pk: int) -> JsonResponse:
    """POST {"city", "features", "streets"} -> {"civic_numbers", "summary"} while drawing; a
    problem with the area comes back as {"errors": [...]} (status 400)."""
    alert = get_object_or_404(Alert.objects.only("pk", "kind"), pk=pk)
    try:
        data = json.loads(request.body or b"{}")
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("features") or {}, dict):
        return JsonResponse({"errors": [_("Richiesta non valida.")]}, status=400)
    state = {
        "city": data.get("city") is True,
        "features": data.get("features") or dict(EMPTY_COLLECTION),
        "streets": data.get("streets") or [],
    }
    spec = _spec(state)
    if not spec:
        return JsonResponse({"civic_numbers": 0, "summary": area_summary({})})
    try:
        cleaned = area_clean(spec)
    except ValidationError as error:
        return JsonResponse({"errors": error.messages}, status=400)
    recipients = recipients_in_area(
        area_civic_numbers(cleaned), directory_only=alert.kind == AlertKind.RECONFIRM
    )
    return JsonResponse(
        {
            "civic_numbers": area_civic_count(cleaned),
            "recipients": recipients,
            "summary": area_summary(cleaned),
        }
    )


@require_GET
@operator_required(VIEW)
def civics(request: HttpRequest) -> JsonResponse:
    """GET ?bbox=west,south,east,north -> the stradario's civic numbers in view, as
    {"points": [[lon, lat, label?], ...], "total", "shown"}: an even sample beyond 3,000,
    labelled («Via Roma 12/A») when few."""
    try:
        west, south, east, north = (float(value) for value in request.GET["bbox"].split(","))
    except (KeyError, ValueError):
        return JsonResponse(
            {"error": _("Indica il riquadro: bbox=ovest,sud,est,nord.")}, status=400
        )
    return JsonResponse(basemap_points(west=west, south=south, east=east, north=north))
