"""The citizen's pages (Modello Comuni): the service page with the login, the application with
its summary, the confirmation, the permit's page with its timeline, renewal in one step, plate
change, the PDF; and the public check for wardens and anyone holding a permit."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sportello.core.access import public
from sportello.core.decorators import certified_required
from sportello.core.exceptions import ApplicationError
from sportello.core.services import client_ip
from sportello.core.throttle import throttle_allow
from sportello.permits import services
from sportello.permits.forms import ApplicationForm, CheckForm, PlateChangeForm
from sportello.permits.models import PermitStatus
from sportello.permits.plates import plate_compact
from sportello.permits.rendering import permit_pdf
from sportello.permits.selectors import (
    amount_lines,
    permit_amount_lines,
    permit_check,
    permit_of,
    permit_state,
    permit_types_offered,
    permits_of,
    plate_change_pending,
    renewable,
    zones_of_civic_number,
)


def _form_error(form, error: ApplicationError) -> None:
    field = error.extra.get("field")
    form.add_error(field if field in form.fields else None, error.message)


def _payment_url(permit) -> str | None:
    """The payments' summary for the permit's notice, while it can be paid."""
    if permit.status != PermitStatus.AWAITING_PAYMENT or not permit.payment_position_id:
        return None
    from sportello.payments.models import (
        PAYABLE_STATUSES,
        OptionStatus,
        PaymentOption,
        PositionStatus,
    )

    option = PaymentOption.objects.filter(
        position_id=permit.payment_position_id,
        status=OptionStatus.UNPAID,
        position__status__in=PAYABLE_STATUSES + (PositionStatus.DRAFT, PositionStatus.PUBLISHED),
    ).first()
    return reverse("payments:summary") + f"?option={option.pk}" if option else None


@public
@never_cache
def home(request: HttpRequest) -> HttpResponse:
    """The service page: what the permits are and who may have one; the login for whoever is
    not in yet; the citizen's permits and what they can do next."""
    user = request.user
    context: dict = {"certified": bool(user.is_authenticated and user.is_citizen)}
    if context["certified"]:
        person = user.person
        permits = list(permits_of(user=user).exclude(status=PermitStatus.DRAFT))
        context.update(
            rows=[
                {
                    "permit": permit,
                    "state": permit_state(permit),
                    "renewable": renewable(permit),
                    "pay_url": _payment_url(permit),
                }
                for permit in permits
            ],
            zones=zones_of_civic_number(civic_number_id=person.residence_id),
            offered=permit_types_offered(person=person),
        )
    return render(request, "permits/home.html", context)


@never_cache
@certified_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """Step 1: which permit, which vehicle, its documents. Nothing the registry knows."""
    from sportello.registry.selectors import person_family

    person = request.user.person
    offered = permit_types_offered(person=person)
    family = list(person_family(person=person))
    form = ApplicationForm(
        request.POST or None,
        request.FILES or None,
        permit_types=offered,
        family=family,
        initial={"owner": person.pk},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            permit = services.permit_draft_create(
                user=request.user,
                permit_type_id=data["permit_type"],
                plate=data["plate"],
                plate_foreign=data["plate_foreign"],
                ownership=data["ownership"],
                owner_id=data["owner"],
                registration_document=data["registration_document"],
                contract_document=data.get("contract_document"),
                supporting_document=data.get("supporting_document"),
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            return redirect("permits:summary", pk=permit.pk)
    zones = zones_of_civic_number(civic_number_id=person.residence_id)
    return render(
        request,
        "permits/apply.html",
        {"form": form, "offered": offered, "zones": zones},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@certified_required
@require_http_methods(["GET", "POST"])
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2: the summary (vehicle, zone, period, fee worked out from the household's other
    permits); «Modifica» or «Conferma»."""
    permit = permit_of(user=request.user, pk=pk)
    if permit is None or permit.status != PermitStatus.DRAFT:
        raise Http404
    if request.method == "POST":
        try:
            permit = services.permit_confirm(permit=permit, user=request.user, request=request)
        except ApplicationError as error:
            messages.error(request, error.message)
            return redirect("permits:home")
        request.session["permits_confirmed"] = permit.pk
        return redirect("permits:detail", pk=permit.pk)
    quote = services.permit_quote(permit)
    return render(
        request,
        "permits/summary.html",
        {
            "permit": permit,
            "quote": quote,
            "amounts": amount_lines(
                rank=quote.rank, fee=quote.fee, handling_fee=quote.handling_fee
            ),
        },
    )


@never_cache
@certified_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The permit's page: its state, the timeline, what to do next; after a confirmation, the
    confirmation itself and the rating."""
    permit = permit_of(user=request.user, pk=pk)
    if permit is None or permit.status == PermitStatus.DRAFT:
        raise Http404
    just_confirmed = request.session.pop("permits_confirmed", None) == permit.pk
    return render(
        request,
        "permits/detail.html",
        {
            "permit": permit,
            "state": permit_state(permit),
            "events": permit.events.all(),
            "amounts": permit_amount_lines(permit),
            "pending_change": plate_change_pending(permit),
            "renewable": renewable(permit),
            "pay_url": _payment_url(permit),
            "just_confirmed": just_confirmed,
            "email": request.user.email,
        },
    )


@never_cache
@certified_required
@require_POST
def renew(request: HttpRequest, pk: int) -> HttpResponse:
    """Renewal when nothing changed: straight to the summary, one confirmation."""
    permit = permit_of(user=request.user, pk=pk)
    if permit is None:
        raise Http404
    try:
        renewal = services.permit_renew(permit=permit, user=request.user, request=request)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("permits:detail", pk=permit.pk)
    return redirect("permits:summary", pk=renewal.pk)


@never_cache
@certified_required
@require_http_methods(["GET", "POST"])
def plate_change(request: HttpRequest, pk: int) -> HttpResponse:
    """A new vehicle on a valid permit: at once for a family car; a company or leasing car's
    contract goes to the office first."""
    from sportello.registry.selectors import person_family

    permit = permit_of(user=request.user, pk=pk)
    if permit is None or permit.status != PermitStatus.VALID:
        raise Http404
    form = PlateChangeForm(
        request.POST or None,
        request.FILES or None,
        family=list(person_family(person=request.user.person)),
        initial={"ownership": permit.ownership, "owner": permit.owner_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            change = services.permit_plate_change(
                permit=permit,
                user=request.user,
                plate=data["plate"],
                plate_foreign=data["plate_foreign"],
                ownership=data["ownership"],
                owner_id=data["owner"],
                registration_document=data["registration_document"],
                contract_document=data.get("contract_document"),
                request=request,
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            if change is None:
                messages.success(
                    request,
                    _("Targa cambiata: da adesso le telecamere riconoscono il nuovo veicolo."),
                )
            else:
                messages.success(
                    request,
                    _(
                        "Richiesta inviata: l'ufficio mobilità verifica il contratto e ti scrive "
                        "appena ha deciso. Fino ad allora vale la targa %(plate)s."
                    )
                    % {"plate": permit.plate},
                )
            return redirect("permits:detail", pk=permit.pk)
    return render(
        request,
        "permits/plate_change.html",
        {"form": form, "permit": permit},
        status=400 if request.method == "POST" else 200,
    )


@certified_required
def pdf(request: HttpRequest, pk: int) -> HttpResponse:
    permit = permit_of(user=request.user, pk=pk)
    if permit is None or permit.status != PermitStatus.VALID:
        raise Http404
    response = HttpResponse(permit_pdf(permit), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="permesso-{permit.code}.pdf"'
    return response


@public
@never_cache
def check(request: HttpRequest) -> HttpResponse:
    """Anyone (a warden scanning the QR code) checks a permit by plate and code together: the
    answer is the zone and whether it is valid, never who holds it. At most
    SPORTELLO_PERMIT_CHECK_LIMIT checks per client address in the window (429 beyond)."""
    form = CheckForm(request.GET or None)
    context: dict = {"form": form, "result": None}
    if form.is_bound and form.is_valid():
        window = settings.SPORTELLO_PERMIT_CHECK_WINDOW
        allowed = throttle_allow(
            scope="permit-check",
            key=client_ip(request) or "unknown",
            limit=settings.SPORTELLO_PERMIT_CHECK_LIMIT,
            window=window,
        )
        if not allowed:
            context["retry_minutes"] = max(1, -(-window // 60))
            response = render(request, "permits/check.html", context, status=429)
            response["Retry-After"] = str(window)
            return response
        context["result"] = permit_check(
            code=form.cleaned_data["codice"], plate=plate_compact(form.cleaned_data["targa"])
        )
    return render(request, "permits/check.html", context)
