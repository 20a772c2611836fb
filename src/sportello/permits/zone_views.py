"""The mobility office's zones (role Ufficio mobilità): each ZTL/ZSC with its area (pasted
coordinates or GeoJSON, and street ranges from the stradario), hours, and the fee tables of the
permit types valid in it."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sportello.accounts.decorators import operator_required
from sportello.core.exceptions import ApplicationError
from sportello.permits import services
from sportello.permits.forms import FeesForm, ZoneForm
from sportello.permits.models import PermitType, Zone

VIEW = "permits.view_zone"
CHANGE = "permits.change_zone"
FEES = "permits.change_permittype"


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


@operator_required(CHANGE)
@require_http_methods(["GET", "POST"])
def zone_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    zone = get_object_or_404(Zone, pk=pk) if pk else None
    initial = {"active": True}
    if zone is not None:
        features = zone.area.get("features")
        initial = {
            "code": zone.code,
            "name": zone.name,
            "kind": zone.kind,
            "hours_text": zone.hours_text,
            "windows": services.zone_windows_text(zone.windows),
            "active": zone.active,
            "shapes": json.dumps(features, indent=1) if features else "",
            "streets": services.zone_streets_text(zone.area),
        }
    form = ZoneForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            zone = services.zone_save(
                zone=zone,
                data=form.cleaned_data,
                shapes_text=form.cleaned_data["shapes"],
                streets_text=form.cleaned_data["streets"],
                by=request.user,
                request=request,
            )
        except ApplicationError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(
                request,
                _("Zona salvata: %(count)s numeri civici sono dentro.")
                % {"count": zone.civic_count},
            )
            return redirect("permits:operator_zones")
    return render(
        request,
        "permits/operator/zone_edit.html",
        {"form": form, "zone": zone},
        status=400 if request.method == "POST" else 200,
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
