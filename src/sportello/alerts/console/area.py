"""Where an alert goes, and who it would reach: the area page (map, pasted coordinates, GeoJSON
file, streets), its live count, the stradario's dots for a map without tiles, and the preview
(people and numbers per channel, time to complete, a map of the recipients' addresses)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from sportello.alerts.console.area_forms import EMPTY_COLLECTION, AreaForm
from sportello.alerts.models import Alert, AlertKind, AlertStatus
from sportello.alerts.recipients import recipients_preview
from sportello.alerts.targeting import (
    AREA_DESCRIPTION_LENGTH,
    alert_area_set,
    area_civic_count,
    area_civic_numbers,
    area_clean,
    area_summary,
    civic_points,
    feature_label,
    geojson_read,
    recipients_per_address,
    street_entry_label,
    territory_bounds,
)
from sportello.channels.base import Medium
from sportello.channels.dispatch import dispatch_eta_seconds
from sportello.core.decorators import operator_required
from sportello.core.exceptions import ApplicationError
from sportello.core.services import audit_record
from sportello.places.models import CivicNumber, Street

SEND = "alerts.send_alert"
VIEW = "alerts.view_alert"
# Recipients' addresses drawn on the preview map; beyond this, an even sample (and we say so).
MAX_RECIPIENT_POINTS = 5000
# Civic numbers drawn as dots on the area map (a map without tiles still shows the town).
MAX_BASEMAP_POINTS = 3000
LABELLED_BASEMAP_POINTS = 600
TOP_STREETS = 20


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


def draw_texts() -> dict[str, Any]:
    """Leaflet.draw's own words, in Italian (merged into L.drawLocal by area.js)."""
    cancel = {"title": _("Annulla il disegno"), "text": _("Annulla")}
    return {
        "draw": {
            "toolbar": {
                "actions": cancel,
                "finish": {"title": _("Chiudi il poligono"), "text": _("Fine")},
                "undo": {"title": _("Togli l'ultimo punto"), "text": _("Togli l'ultimo punto")},
                "buttons": {
                    "polygon": _("Disegna un poligono"),
                    "rectangle": _("Disegna un rettangolo"),
                    "circle": _("Disegna un cerchio"),
                },
            },
            "handlers": {
                "circle": {
                    "tooltip": {"start": _("Clicca sul centro e trascina per il raggio.")},
                    "radius": _("Raggio"),
                },
                "polygon": {
                    "tooltip": {
                        "start": _("Clicca per il primo vertice."),
                        "cont": _("Clicca per il vertice successivo."),
                        "end": _("Clicca sul primo vertice per chiudere il poligono."),
                    }
                },
                "polyline": {
                    "error": _("<strong>Errore:</strong> i lati non possono incrociarsi."),
                    "tooltip": {
                        "start": _("Clicca per il primo vertice."),
                        "cont": _("Clicca per il vertice successivo."),
                        "end": _("Clicca sull'ultimo vertice per finire."),
                    },
                },
                "rectangle": {"tooltip": {"start": _("Clicca e trascina per il rettangolo.")}},
                "simpleshape": {"tooltip": {"end": _("Rilascia il mouse per finire.")}},
            },
        },
        "edit": {
            "toolbar": {
                "actions": {
                    "save": {"title": _("Tieni le modifiche"), "text": _("Fatto")},
                    "cancel": {"title": _("Annulla le modifiche"), "text": _("Annulla")},
                    "clearAll": {"title": _("Togli tutte le aree"), "text": _("Togli tutto")},
                },
                "buttons": {
                    "edit": _("Modifica le aree"),
                    "editDisabled": _("Nessuna area da modificare"),
                    "remove": _("Togli un'area"),
                    "removeDisabled": _("Nessuna area da togliere"),
                },
            },
            "handlers": {
                "edit": {
                    "tooltip": {
                        "text": _("Trascina i vertici o il centro per modificare."),
                        "subtext": _("Annulla per tornare come prima."),
                    }
                },
                "remove": {"tooltip": {"text": _("Clicca un'area per toglierla.")}},
            },
        },
    }


def _map_config(alert: Alert, *, editable: bool) -> dict[str, Any]:
    return {
        "tiles": settings.SPORTELLO_MAP_TILES,
        "attribution": settings.SPORTELLO_MAP_ATTRIBUTION,
        "bounds": territory_bounds(),
        "editable": editable,
        "civicsUrl": reverse("alerts:console_civics"),
        "countUrl": reverse("alerts:console_area_count", args=[alert.pk]),
        "pointsUrl": reverse("alerts:console_points", args=[alert.pk]),
        "draw": draw_texts(),
        "texts": {
            "polygon": _("Poligono con %(count)s vertici"),
            "circle": _("Cerchio di %(radius)s m"),
            "remove": _("Togli"),
            "noShapes": _("Nessuna area disegnata."),
            "counting": _("Conto i numeri civici nell'area…"),
            "count": _("Nell'area: %(count)s numeri civici (%(summary)s)."),
            "countOne": _("Nell'area: 1 numero civico (%(summary)s)."),
            "countNone": _("Nessun numero civico nell'area (%(summary)s)."),
            "countFailed": _("Il conteggio non è riuscito: riprova fra poco."),
            "recipients": _("%(count)s destinatari a questo indirizzo"),
            "recipientsOne": _("1 destinatario a questo indirizzo"),
            "capped": _(
                "La mappa mostra %(shown)s indirizzi su %(total)s, scelti in modo uniforme."
            ),
            "mapLabel": _("Mappa dell'area: usa le frecce per spostarti, + e − per lo zoom."),
        },
    }


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
            "map_config": _map_config(alert, editable=editable),
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
    get_object_or_404(Alert.objects.only("pk"), pk=pk)
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
    return JsonResponse(
        {"civic_numbers": area_civic_count(cleaned), "summary": area_summary(cleaned)}
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
    points = civic_points()
    inside = points.in_box(west, south, east, north)
    total = int(inside.size)
    if total > MAX_BASEMAP_POINTS:
        inside = inside[np.linspace(0, total - 1, MAX_BASEMAP_POINTS).astype(np.int64)]
    rows: list[list[Any]] = [
        [round(float(lon), 6), round(float(lat), 6)]
        for lon, lat in zip(points.lon[inside], points.lat[inside], strict=True)
    ]
    if total <= LABELLED_BASEMAP_POINTS and total:
        ids = points.ids[inside].tolist()
        labels = {
            civic.pk: str(civic)
            for civic in CivicNumber.objects.filter(pk__in=ids).select_related("street")
        }
        for row, civic_id in zip(rows, ids, strict=True):
            row.append(labels.get(civic_id, ""))
    return JsonResponse({"points": rows, "total": total, "shown": len(rows)})


# ---------------------------------------------------------------------------------------------
# The preview


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


def _streets_reached(per_address: dict[int, int]) -> list[dict[str, Any]]:
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
            streets_reached=_streets_reached(per_address),
            map_config=_map_config(alert, editable=False),
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
