"""The school office's screens (role «Ufficio scuola»): enrolments to review and accept in bulk,
one enrolment (reject, exemption, the doctor's certificate), the kitchen's count of the day
(page and CSV), the day's run, absences entered by the school. School years, schools, classes,
tariffs, diets and closures are configured in the back-office (admin.py)."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from sportello.canteen import credit, days, services
from sportello.canteen.forms import (
    DayForm,
    MovementForm,
    OfficeAbsenceForm,
    OfficeFilterForm,
    RejectForm,
)
from sportello.canteen.models import CanteenDay, Enrolment, EnrolmentStatus
from sportello.canteen.selectors import (
    account_movements,
    day_closed,
    enrolments_for_office,
    kitchen_counts,
    school_year_current,
)
from sportello.core.decorators import operator_required
from sportello.core.exceptions import ApplicationError
from sportello.core.services import audit_record

VIEW = "canteen.view_enrolment"
REVIEW = "canteen.review_enrolment"
PAGE_SIZE = 200


@operator_required(VIEW)
@require_http_methods(["GET", "POST"])
def enrolments(request: HttpRequest) -> HttpResponse:
    """Enrolments of the current school year; the submitted ones can be accepted together."""
    if request.method == "POST":
        if not request.user.has_perm(REVIEW):
            raise PermissionDenied
        ids = [int(value) for value in request.POST.getlist("enrolment") if value.isdigit()]
        try:
            accepted = services.enrolments_accept(enrolment_ids=ids, operator=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Domande accolte: %(count)d.") % {"count": accepted})
        return redirect(request.get_full_path())
    form = OfficeFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    year = school_year_current()
    queryset = enrolments_for_office(
        school_year=year, status=data.get("status", ""), search=data.get("search", "")
    )
    return render(
        request,
        "canteen/operator/enrolments.html",
        {
            "form": form,
            "year": year,
            "enrolments": list(queryset[:PAGE_SIZE]),
            "total": queryset.count(),
            "page_size": PAGE_SIZE,
        },
    )


@operator_required(VIEW)
@require_http_methods(["GET", "POST"])
def enrolment(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("school_year", "school_class__school", "diet_option"),
        pk=pk,
        status__in=[s for s in EnrolmentStatus.values if s != EnrolmentStatus.DRAFT],
    )
    reject_form = RejectForm(request.POST if request.POST.get("action") == "reject" else None)
    movement_form = MovementForm(
        request.POST if request.POST.get("action") == "movement" else None,
        prefix="movement",
    )
    if request.method == "POST":
        if not request.user.has_perm(REVIEW):
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "reject" and reject_form.is_valid():
                services.enrolment_reject(
                    enrolment=enrolment,
                    operator=request.user,
                    reason=reject_form.cleaned_data["reason"],
                )
                messages.success(request, _("Domanda respinta: la famiglia riceve il motivo."))
                return redirect("canteen:office_enrolment", pk)
            if action in ("exempt", "not_exempt"):
                services.enrolment_exempt_set(
                    enrolment=enrolment, operator=request.user, exempt=action == "exempt"
                )
                messages.success(request, _("Tariffa aggiornata."))
                return redirect("canteen:office_enrolment", pk)
            if action == "movement" and enrolment.account_id and movement_form.is_valid():
                credit.movement_correct(
                    account=enrolment.account,
                    operator=request.user,
                    amount=movement_form.cleaned_data["amount"],
                    kind=movement_form.cleaned_data["kind"],
                    note=movement_form.cleaned_data["note"],
                )
                messages.success(request, _("Movimento registrato sul credito."))
                return redirect("canteen:office_enrolment", pk)
            if action == "accept":
                services.enrolments_accept(enrolment_ids=[pk], operator=request.user)
                messages.success(request, _("Domanda accolta."))
                return redirect("canteen:office_enrolment", pk)
        except ApplicationError as error:
            target = movement_form if action == "movement" else reject_form
            target.add_error(None, error.message)
    if request.GET.get("certificato") and enrolment.diet_certificate:
        audit_record(action="canteen_diet_certificate_read", actor=request.user, target=enrolment)
        return FileResponse(
            enrolment.diet_certificate.open("rb"),
            as_attachment=True,
            filename=f"certificato-dieta-{enrolment.protocol}",
        )
    return render(
        request,
        "canteen/operator/enrolment.html",
        {
            "enrolment": enrolment,
            "events": list(enrolment.events.all()),
            "reject_form": reject_form,
            "movement_form": movement_form,
            "movements": account_movements(account=enrolment.account, limit=20)
            if enrolment.account_id
            else [],
        },
        status=400 if reject_form.errors or movement_form.errors else 200,
    )


def _day(request: HttpRequest) -> tuple[DayForm, object]:
    form = DayForm(request.GET or {"day": timezone.localdate().isoformat()})
    return form, form.cleaned_data["day"] if form.is_valid() else timezone.localdate()


@operator_required(VIEW)
def kitchen(request: HttpRequest) -> HttpResponse:
    """The day's meals per school, class and diet, for the kitchen (CSV with ?formato=csv)."""
    form, day = _day(request)
    rows = kitchen_counts(day=day)
    if request.GET.get("formato") == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow([_("Scuola"), _("Classe"), _("Dieta"), _("Pasti")])
        for row in rows:
            writer.writerow([row.school, row.school_class, row.diet, row.meals])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="pasti-{day:%Y-%m-%d}.csv"'
        return response
    return render(
        request,
        "canteen/operator/kitchen.html",
        {
            "form": form,
            "day": day,
            "rows": rows,
            "total": sum(row.meals for row in rows),
            "run": CanteenDay.objects.filter(day=day).first(),
            "closed": day_closed(day),
        },
    )


@operator_required(REVIEW)
@require_POST
def day_run(request: HttpRequest) -> HttpResponse:
    """The operators' button: debit the day's meals now (once; again changes nothing)."""
    form = DayForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Indica il giorno."))
        return redirect("canteen:kitchen")
    day = form.cleaned_data["day"]
    if day > timezone.localdate():
        messages.error(request, _("Non si addebitano i pasti di un giorno futuro."))
    else:
        existed = CanteenDay.objects.filter(day=day).exists()
        record = days.canteen_day_run(day=day)
        audit_record(action="canteen_day_run", actor=request.user, detail={"day": day.isoformat()})
        if existed:
            messages.info(request, _("I pasti di quel giorno erano già stati addebitati."))
        else:
            messages.success(request, _("Pasti addebitati: %(meals)d.") % {"meals": record.meals})
    return redirect(reverse("canteen:kitchen") + f"?day={day.isoformat()}")


@operator_required(REVIEW)
@require_http_methods(["GET", "POST"])
def absence(request: HttpRequest) -> HttpResponse:
    """The school enters an absence (also after the families' cut-off, until the day runs)."""
    form = OfficeAbsenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        found = Enrolment.objects.filter(
            protocol__iexact=form.cleaned_data["protocol"].strip(),
            status=EnrolmentStatus.ACCEPTED,
        ).first()
        if found is None:
            form.add_error("protocol", _("Nessuna iscrizione accolta con questo protocollo."))
        else:
            try:
                days.absence_notify(
                    enrolment=found,
                    day=form.cleaned_data["day"],
                    user=request.user,
                    by_school=True,
                )
            except ApplicationError as error:
                form.add_error("day", error.message)
            else:
                messages.success(
                    request, _("Assenza registrata per %(child)s.") % {"child": found.child_name}
                )
                return redirect("canteen:office_absence")
    return render(
        request,
        "canteen/operator/absence.html",
        {"form": form},
        status=400 if form.errors else 200,
    )
