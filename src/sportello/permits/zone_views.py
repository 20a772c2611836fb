"""The mobility office's zones (role Ufficio mobilità): each ZTL/ZSC with its area (pasted
coordinates or GeoJSON, and street ranges from the stradario), hours, and the fee tables of the
permit types valid in it."""

from __future__ import annotations

import contextlib
import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sportello.core.decorators import operator_required
from sportello.core.exceptions import ApplicationError
from sportello.permits import services
from sportello.permits.forms import CameraTokenForm, FeesForm, ZoneForm
from sportello.permits.models import CameraToken, PermitType, Zone
from sportello.permits.zone_map import zone_map_config
from sportello.places.areas.labels import feature_label
from sportello.places.areas.spec import EMPTY_COLLECTION

VIEW = "permits.view_zone"
CHANGE = "permits.change_zone"
FEES = "permits.change_permittype"
TOKENS = "permits.add_cameratoken"


@operator_required(VIEW)
def zone_list(request: HttpRequest) -> HttpResponse:
    zones = Zone.objects.prefetch_related("permit_types").order_by("kind", "name")
    rows = [
        {
            "zone": zone,
            "types": [
                (
                    permit_type,
                    FeesForm(
                        prefix=f"t{permit_type.pk}",
                        initial={
                            "fees": "; ".join(permit_type.fees),
                            "handling_fee": permit_type.handling_fee,
                            "active": permit_type.active,
                        },
                    ),
                )
                for permit_type in zone.permit_types.all()
            ],
        }
        for zone in zones
    ]
    return render(request, "permits/operator/zones.html", {"rows": rows})


def _drawn(text: str) -> dict:
    """The map's FeatureCollection from the hidden field (empty when unreadable: the save then
    keeps only what the other fields say, and the page says nothing was drawn)."""
    try:
        data = json.loads(text or "{}")
    except json.JSONDecodeError:
        return dict(EMPTY_COLLECTION)
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        return dict(EMPTY_COLLECTION)
    return data


def _shape_labels(collection: dict) -> list[str]:
    labels = []
    for index, feature in enumerate(collection.get("features") or [], start=1):
        try:
            labels.append(feature_label(feature))
        except (KeyError, TypeError, ValueError, IndexError):
            labels.append(_("Area %(number)s (da correggere)") % {"number": index})
    return labels


@operator_required(CHANGE)
@require_http_methods(["GET", "POST"])
def zone_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """A zone: its name, kind, hours and cameras' windows; its area drawn on the map (the
    alerts console's), or written as coordinates (the way without a mouse), and its streets."""
    zone = get_object_or_404(Zone, pk=pk) if pk else None
    initial = {"active": True}
    drawn = dict(EMPTY_COLLECTION)
    streets: list = []
    if zone is not None:
        drawn = zone.area.get("features") or drawn
        streets = zone.area.get("streets") or []
        initial = {
            "code": zone.code,
            "name": zone.name,
            "kind": zone.kind,
            "hours_text": zone.hours_text,
            "windows": services.zone_windows_text(zone.windows),
            "active": zone.active,
            "streets": services.zone_streets_text(zone.area),
        }
    form = ZoneForm(request.POST or None, initial=initial)
    action = request.POST.get("action", "save")
    status = 200
    if request.method == "POST":
        drawn = _drawn(request.POST.get("features", ""))
        with contextlib.suppress(ApplicationError):
            streets = services.zone_streets_parse(request.POST.get("streets", ""))
        if action.startswith("remove_feature:"):
            # Without a mouse: «Togli» next to a drawn area takes it away (saved with the zone).
            index = action.removeprefix("remove_feature:")
            drawn = {
                **drawn,
                "features": [
                    feature
                    for position, feature in enumerate(drawn["features"])
                    if str(position) != index
                ],
            }
            form = ZoneForm(initial={**request.POST.dict(), "active": "active" in request.POST})
        elif form.is_valid():
            try:
                zone = services.zone_save(
                    zone=zone,
                    data=form.cleaned_data,
                    drawn=drawn,
                    shapes_text=form.cleaned_data["shapes"],
                    streets_text=form.cleaned_data["streets"],
                    by=request.user,
                    request=request,
                )
            except ApplicationError as error:
                field = error.extra.get("field")
                form.add_error(field if field in form.fields else None, error.message)
                status = 400
            else:
                messages.success(
                    request,
                    _("Zona salvata: %(count)s numeri civici sono dentro.")
                    % {"count": zone.civic_count},
                )
                return redirect("permits:operator_zones")
        else:
            status = 400
    return render(
        request,
        "permits/operator/zone_edit.html",
        {
            "form": form,
            "zone": zone,
            "drawn_json": json.dumps(drawn, separators=(",", ":")),
            "streets_json": json.dumps(streets, separators=(",", ":")),
            "shapes": _shape_labels(drawn),
            "map_config": zone_map_config(),
        },
        status=status,
    )


@operator_required(FEES)
@require_POST
def permit_type_fees(request: HttpRequest, pk: int) -> HttpResponse:
    permit_type = get_object_or_404(PermitType, pk=pk)
    form = FeesForm(request.POST, prefix=f"t{permit_type.pk}")
    if not form.is_valid():
        messages.error(
            request, _("Controlla le tariffe: %(errors)s") % {"errors": form.errors.as_text()}
        )
        return redirect("permits:operator_zones")
    try:
        services.permit_type_update(
            permit_type=permit_type,
            fees_text=form.cleaned_data["fees"],
            handling_fee=form.cleaned_data["handling_fee"],
            active=form.cleaned_data["active"],
            by=request.user,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Tariffe di «%(title)s» salvate.") % {"title": permit_type.title}
        )
    return redirect("permits:operator_zones")


@operator_required(TOKENS)
@require_http_methods(["GET", "POST"])
def camera_tokens(request: HttpRequest) -> HttpResponse:
    """The gate systems' keys: make one (shown once, on this answer only), revoke one."""
    zones = list(Zone.objects.order_by("kind", "name"))
    form = CameraTokenForm(
        request.POST if request.POST.get("action") == "create" else None, zones=zones
    )
    created = None
    status = 200
    if request.method == "POST" and request.POST.get("action") == "revoke":
        token = get_object_or_404(CameraToken, pk=request.POST.get("token"))
        services.camera_token_revoke(token=token, by=request.user, request=request)
        messages.success(
            request, _("Chiave «%(name)s» revocata: non apre più la lista.") % {"name": token.name}
        )
        return redirect("permits:operator_tokens")
    if request.method == "POST" and form.is_bound:
        if form.is_valid():
            try:
                token, raw = services.camera_token_create(
                    name=form.cleaned_data["name"],
                    zone_codes=form.cleaned_data["zones"],
                    by=request.user,
                    request=request,
                )
            except ApplicationError as error:
                form.add_error(error.extra.get("field"), error.message)
                status = 400
            else:
                created = {"token": token, "key": raw}
                form = CameraTokenForm(zones=zones)
        else:
            status = 400
    response = render(
        request,
        "permits/operator/tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": CameraToken.objects.prefetch_related("zones").order_by("-created_at"),
            "plates_url": request.build_absolute_uri(reverse("api-permits-plates")),
        },
        status=status,
    )
    # The key is on this page only: never kept by a cache.
    response["Cache-Control"] = "no-store"
    return response
