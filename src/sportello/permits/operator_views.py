"""The mobility office's screens (role Ufficio mobilità): the queue of applications waiting
for a check with their documents side by side, accept or reject with a reason, revoke a valid
permit, statistics per zone, and the plate list as CSV."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from sportello.core.decorators import operator_required
from sportello.core.exceptions import ApplicationError
from sportello.core.services import audit_record
from sportello.permits import services
from sportello.permits.camera_views import plate_list_csv_bytes
from sportello.permits.forms import DecisionForm, RevokeForm
from sportello.permits.models import Permit, PermitStatus, PlateChange, Zone
from sportello.permits.selectors import (
    office_queue,
    permit_state,
    plate_changes_pending,
    plate_list_rows,
    zone_statistics,
)

VIEW = "permits.view_permit"
CHECK = "permits.check_permit"
DOCUMENTS = ("registration_document", "contract_document", "supporting_document")
CHANGE_DOCUMENTS = ("registration_document", "contract_document")


@operator_required(VIEW)
def queue(request: HttpRequest) -> HttpResponse:
    recent = (
        Permit.objects.exclude(status__in=[PermitStatus.DRAFT, PermitStatus.AWAITING_CHECK])
        .select_related("zone", "holder")
        .order_by("-updated_at")[:20]
    )
    return render(
        request,
        "permits/operator/queue.html",
        {"queue": office_queue(), "plate_changes": plate_changes_pending(), "recent": recent},
    )


@operator_required(VIEW)
@require_http_methods(["GET", "POST"])
def permit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    permit = get_object_or_404(
        Permit.objects.select_related("zone", "permit_type", "holder", "owner", "renewal_of"),
        pk=pk,
    )
    decision = DecisionForm(request.POST if "decision" in request.POST else None)
    revoke = RevokeForm(request.POST if "revoke" in request.POST else None, prefix="revoke")
    if request.method == "POST":
        if not request.user.has_perm(CHECK):
            raise Http404
        try:
            if "decision" in request.POST and decision.is_valid():
                if decision.cleaned_data["decision"] == "accept":
                    services.permit_accept(permit=permit, by=request.user, request=request)
                    messages.success(request, _("Domanda accettata: il cittadino è avvisato."))
                else:
                    services.permit_reject(
                        permit=permit,
                        by=request.user,
                        reason=decision.cleaned_data["reason"],
                        request=request,
                    )
                    messages.success(request, _("Domanda respinta: il cittadino è avvisato."))
                return redirect("permits:operator_queue")
            if "revoke" in request.POST and revoke.is_valid():
                services.permit_revoke(
                    permit=permit,
                    by=request.user,
                    reason=revoke.cleaned_data["reason"],
                    request=request,
                )
                messages.success(request, _("Permesso revocato: la targa esce subito dalla lista."))
                return redirect("permits:operator_detail", pk=permit.pk)
        except ApplicationError as error:
            form = decision if "decision" in request.POST else revoke
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
    audit_record(action="permit_viewed", actor=request.user, target=permit, request=request)
    documents = [
        (name, Permit._meta.get_field(name).verbose_name, getattr(permit, name).name)
        for name in DOCUMENTS
        if getattr(permit, name)
    ]
    return render(
        request,
        "permits/operator/detail.html",
        {
            "permit": permit,
            "state": permit_state(permit),
            "events": permit.events.select_related("actor"),
            "documents": documents,
            "decision": decision,
            "revoke": revoke,
            "allowances": permit.allowances.all(),
        },
        status=400 if request.method == "POST" else 200,
    )


@operator_required(VIEW)
def document(request: HttpRequest, pk: int, which: str) -> FileResponse:
    permit = get_object_or_404(Permit, pk=pk)
    if which not in DOCUMENTS or not getattr(permit, which):
        raise Http404
    audit_record(
        action="permit_document_viewed",
        actor=request.user,
        target=permit,
        request=request,
        detail={"document": which},
    )
    return _document_response(getattr(permit, which), permit.code)


@operator_required(VIEW)
@require_http_methods(["GET", "POST"])
def plate_change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A plate change waiting for the office: the permit as it is, the new car's documents side
    by side, accept (the plate changes now) or reject with a reason."""
    change = get_object_or_404(
        PlateChange.objects.select_related("permit__zone", "permit__holder", "permit__owner"),
        pk=pk,
    )
    decision = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm(CHECK):
            raise Http404
        if decision.is_valid():
            try:
                if decision.cleaned_data["decision"] == "accept":
                    services.plate_change_accept(change=change, by=request.user, request=request)
                    messages.success(
                        request, _("Cambio di targa accettato: il cittadino è avvisato.")
                    )
                else:
                    services.plate_change_reject(
                        change=change,
                        by=request.user,
                        reason=decision.cleaned_data["reason"],
                        request=request,
                    )
                    messages.success(
                        request, _("Cambio di targa respinto: il cittadino è avvisato.")
                    )
                return redirect("permits:operator_queue")
            except ApplicationError as error:
                field = error.extra.get("field")
                decision.add_error(field if field in decision.fields else None, error.message)
    audit_record(action="permit_viewed", actor=request.user, target=change.permit, request=request)
    documents = [
        (name, PlateChange._meta.get_field(name).verbose_name)
        for name in CHANGE_DOCUMENTS
        if getattr(change, name)
    ]
    return render(
        request,
        "permits/operator/plate_change.html",
        {"change": change, "permit": change.permit, "documents": documents, "decision": decision},
        status=400 if request.method == "POST" else 200,
    )


@operator_required(VIEW)
def plate_change_document(request: HttpRequest, pk: int, which: str) -> FileResponse:
    change = get_object_or_404(PlateChange.objects.select_related("permit"), pk=pk)
    if which not in CHANGE_DOCUMENTS or not getattr(change, which):
        raise Http404
    audit_record(
        action="permit_document_viewed",
        actor=request.user,
        target=change.permit,
        request=request,
        detail={"document": which, "plate_change": change.pk},
    )
    return _document_response(getattr(change, which), change.permit.code)


def _document_response(file, code: str) -> FileResponse:
    name = file.name.rsplit("/", 1)[-1]
    content_type = (
        "application/pdf"
        if name.endswith(".pdf")
        else ("image/png" if name.endswith(".png") else "image/jpeg")
    )
    response = FileResponse(file.open("rb"), content_type=content_type)
    # Shown inline, framed next to the application by our own page only. The type is the one
    # detected from the content at upload (the stored extension), never the browser's claim.
    response["Content-Disposition"] = f'inline; filename="{code}-{name}"'
    response["Content-Security-Policy"] = "frame-ancestors 'self'"
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@operator_required(VIEW)
def statistics(request: HttpRequest) -> HttpResponse:
    return render(request, "permits/operator/statistics.html", {"zones": zone_statistics()})


@operator_required(VIEW)
def plate_list_csv(request: HttpRequest) -> HttpResponse:
    zones = list(Zone.objects.filter(active=True))
    if request.GET.get("zona"):
        zones = [zone for zone in zones if zone.code == request.GET["zona"]]
    data = plate_list_csv_bytes(plate_list_rows(zones=zones))
    response = HttpResponse(b"\xef\xbb\xbf" + data, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="targhe-{stamp}.csv"'
    audit_record(action="permit_plate_list_exported", actor=request.user, request=request)
    return response
