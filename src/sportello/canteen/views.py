"""The families' canteen pages (Modello Comuni): the public service page with the login, the
children's credit and enrolments, the enrolment in three steps (child, data, summary) with a
draft kept between them, top-ups through pagoPA, absences, and the yearly statement."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sportello.canteen import credit, days, services
from sportello.canteen.forms import OTHER, AbsenceForm, ChildForm, EnrolmentForm, TopUpForm
from sportello.canteen.models import Absence, EnrolmentStatus
from sportello.canteen.selectors import (
    account_enrolment_current,
    account_movements,
    account_of,
    accounts_of,
    enrolment_of,
    enrolments_of,
    school_year_current,
    school_year_enrolling,
    statement_years,
)
from sportello.canteen.statement import statement_pdf
from sportello.core.access import public
from sportello.core.decorators import certified_required
from sportello.core.exceptions import ApplicationError
from sportello.registry.selectors import family_minors_in_care

FEEDBACK_SERVICE = "canteen"


def _form_error(form, error: ApplicationError) -> None:
    field = error.extra.get("field")
    form.add_error(field if field in form.fields else None, error.message)


@public
def service(request: HttpRequest) -> HttpResponse:
    """What the service is, who may use it, and the login (Modello Comuni's service page)."""
    return render(
        request,
        "canteen/service.html",
        {"year": school_year_enrolling(), "current": school_year_current()},
    )


@certified_required
def home(request: HttpRequest) -> HttpResponse:
    """«Mensa scolastica»: each child's credit, the enrolments and their status."""
    enrolments = list(enrolments_of(user=request.user))
    return render(
        request,
        "canteen/home.html",
        {
            "accounts": list(accounts_of(user=request.user)),
            "enrolments": enrolments,
            "year": school_year_enrolling(),
        },
    )


@never_cache
@certified_required
@require_http_methods(["GET", "POST"])
def enrolment_start(request: HttpRequest) -> HttpResponse:
    """Step 1 of 3: which child."""
    year = school_year_enrolling()
    if year is None:
        messages.warning(request, _("In questo periodo le iscrizioni alla mensa sono chiuse."))
        return redirect("canteen:home")
    minors = list(family_minors_in_care(person=request.user.person))
    form = ChildForm(request.POST or None, minors=minors)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enrolment = services.enrolment_start(
                user=request.user,
                school_year=year,
                child_id=None if data["child"] == OTHER else int(data["child"]),
                fiscal_code=data["fiscal_code"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                birth_date=data["birth_date"],
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            return redirect("canteen:enrolment_edit", enrolment.pk)
    return render(
        request,
        "canteen/enrolment_start.html",
        {"form": form, "year": year, "step": 1},
        status=400 if request.method == "POST" else 200,
    )


def _draft_of(request: HttpRequest, pk: int):
    enrolment = enrolment_of(user=request.user, pk=pk)
    if enrolment is None or enrolment.parent_id != request.user.pk:
        raise Http404
    return enrolment


@never_cache
@certified_required
@require_http_methods(["GET", "POST"])
def enrolment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2 of 3: school and class, diet, ISEE, rules. «Salva la bozza» keeps it for later."""
    enrolment = _draft_of(request, pk)
    if enrolment.status != EnrolmentStatus.DRAFT:
        return redirect("canteen:enrolment", enrolment.pk)
    initial = {
        "school_class": enrolment.school_class_id,
        "diet_kind": enrolment.diet_kind,
        "diet_option": enrolment.diet_option_id,
        "diet_notes": enrolment.diet_notes,
        "no_isee": enrolment.no_isee,
        "isee_value": ""
        if enrolment.isee_value is None
        else str(enrolment.isee_value).replace(".", ","),
        "dsu_protocol": enrolment.dsu_protocol,
        "rules_accepted": enrolment.rules_accepted,
    }
    form = EnrolmentForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.enrolment_update(
                enrolment=enrolment,
                school_class=data["school_class"],
                diet_kind=data["diet_kind"],
                diet_option=data["diet_option"],
                diet_notes=data["diet_notes"],
                diet_certificate=data["diet_certificate"] or None,
                no_isee=data["no_isee"],
                isee_value=data["isee_value"],
                dsu_protocol=data["dsu_protocol"],
                rules_accepted=data["rules_accepted"],
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            if request.POST.get("action") == "save":
                messages.success(
                    request,
                    _("Bozza salvata: la ritrovi in «Mensa scolastica» quando vuoi continuare."),
                )
                return redirect("canteen:home")
            return redirect("canteen:enrolment_summary", enrolment.pk)
    return render(
        request,
        "canteen/enrolment_edit.html",
        {"form": form, "enrolment": enrolment, "step": 2},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@certified_required
@require_http_methods(["GET", "POST"])
def enrolment_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 3 of 3: everything as it will be sent, the tariff, «Modifica» or «Conferma»."""
    enrolment = _draft_of(request, pk)
    if enrolment.status != EnrolmentStatus.DRAFT:
        return redirect("canteen:enrolment", enrolment.pk)
    error = None
    if request.method == "POST":
        try:
            enrolment = services.enrolment_submit(enrolment=enrolment, user=request.user)
        except ApplicationError as failure:
            error = failure.message
        else:
            return render(
                request,
                "canteen/enrolment_done.html",
                {"enrolment": enrolment, "feedback_service": FEEDBACK_SERVICE},
            )
    missing = services.enrolment_missing(enrolment)
    tariff = None
    if not missing:
        try:
            tariff = services.tariff_compute(enrolment=enrolment)
        except ApplicationError as failure:
            error = failure.message
    return render(
        request,
        "canteen/enrolment_summary.html",
        {"enrolment": enrolment, "missing": missing, "tariff": tariff, "error": error, "step": 3},
        status=400 if error else 200,
    )


@certified_required
def enrolment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An enrolment and its timeline."""
    enrolment = enrolment_of(user=request.user, pk=pk)
    if enrolment is None:
        raise Http404
    return render(
        request,
        "canteen/enrolment_detail.html",
        {"enrolment": enrolment, "events": list(enrolment.events.all())},
    )


@certified_required
@require_POST
def enrolment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _draft_of(request, pk)
    try:
        services.enrolment_withdraw(enrolment=enrolment, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Domanda ritirata."))
    return redirect("canteen:home")


def _account_page(
    request: HttpRequest, account, *, top_up_form=None, absence_form=None, status=200
):
    enrolment = account_enrolment_current(account=account)
    today = timezone.localdate()
    absences = (
        list(Absence.objects.filter(enrolment=enrolment, day__gte=today).order_by("day"))
        if enrolment
        else []
    )
    return render(
        request,
        "canteen/account.html",
        {
            "account": account,
            "enrolment": enrolment,
            "movements": account_movements(account=account),
            "absences": absences,
            "top_up_form": top_up_form or TopUpForm(),
            "absence_form": absence_form or AbsenceForm(),
            "years": statement_years(account=account),
            "minimum": credit.top_up_minimum(),
            "feedback_service": FEEDBACK_SERVICE,
        },
        status=status,
    )


def _account(request: HttpRequest, pk: int):
    account = account_of(user=request.user, pk=pk)
    if account is None:
        raise Http404
    return account


@certified_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A child's credit: balance, movements, top-up, absences, statements."""
    return _account_page(request, _account(request, pk))


@never_cache
@certified_required
@require_POST
def top_up(request: HttpRequest, pk: int) -> HttpResponse:
    """A top-up: a pagoPA notice, then the payments app's summary before paying."""
    account = _account(request, pk)
    form = TopUpForm(request.POST)
    if form.is_valid():
        try:
            option_id = credit.top_up_request(
                account=account, user=request.user, amount=form.cleaned_data["amount"]
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            return redirect(reverse("payments:summary") + f"?option={option_id}")
    return _account_page(request, account, top_up_form=form, status=400)


@never_cache
@certified_required
@require_POST
def absence(request: HttpRequest, pk: int) -> HttpResponse:
    """Notify an absence (or take one back) before the day's cut-off."""
    account = _account(request, pk)
    enrolment = account_enrolment_current(account=account)
    if enrolment is None:
        raise Http404
    if request.POST.get("cancel"):
        found = Absence.objects.filter(enrolment=enrolment, pk=request.POST["cancel"]).first()
        if found is None:
            raise Http404
        try:
            days.absence_cancel(absence=found, user=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Assenza del %(day)s annullata.") % {"day": f"{found.day:%d/%m/%Y}"}
            )
        return redirect("canteen:account", account.pk)
    form = AbsenceForm(request.POST)
    if form.is_valid():
        try:
            notified = days.absence_notify(
                enrolment=enrolment, day=form.cleaned_data["day"], user=request.user
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                _("Assenza del %(day)s registrata: quel giorno il pasto non sarà addebitato.")
                % {"day": f"{notified.day:%d/%m/%Y}"},
            )
            return redirect("canteen:account", account.pk)
    return _account_page(request, account, absence_form=form, status=400)


@certified_required
def statement(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    account = _account(request, pk)
    try:
        pdf = statement_pdf(account=account, year=year, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("canteen:account", account.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="attestazione-mensa-{year}-{account.child_fiscal_code}.pdf"'
    )
    return response
