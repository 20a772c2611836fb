"""Paper forms: printable PDFs built from the web form's own fields, and the operators'
screens to enter a paper form received at the URP or the Protocol office."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from sportello.alerts import services
from sportello.alerts.forms import PaperDeregistrationForm, PaperSubscriptionForm, SubscriptionForm
from sportello.core.access import public
from sportello.core.decorators import operator_required
from sportello.core.exceptions import ApplicationError
from sportello.core.services import audit_record


def _pdf(template: str, context: dict, filename: str) -> HttpResponse:
    from weasyprint import HTML

    with translation.override(translation.get_language() or "it"):
        html = render_to_string(template, context)
    response = HttpResponse(HTML(string=html, base_url="/").write_pdf(), "application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@public
def subscription_form_pdf(request: HttpRequest) -> HttpResponse:
    """The subscription form on paper: the same fields, labels and help as on the web."""
    form = SubscriptionForm()
    fields = [field for field in form.visible_fields() if field.name != "privacy"]
    from sportello.core.selectors import municipality_get

    return _pdf(
        "alerts/paper_subscription.html",
        {"fields": fields, "privacy": form["privacy"], "municipality": municipality_get()},
        "modulo-iscrizione-allerta.pdf",
    )


def deregistration_menu_key() -> str:
    """The key that picks deregistration at the menu of its line, when the line is shared with
    other services (Livorno's also takes requests to subscribe); "" when it has no menu."""
    from sportello.channels.ivr import inbound_flows_for
    from sportello.core.selectors import municipality_get

    municipality = municipality_get()
    line = municipality.deregistration_line if municipality else ""
    flows = inbound_flows_for(called=line) if line else []
    if len(flows) < 2 or "deregistration" not in flows:
        return ""
    return str(flows.index("deregistration") + 1)


@public
def deregistration_form_pdf(request: HttpRequest) -> HttpResponse:
    from sportello.core.selectors import municipality_get

    return _pdf(
        "alerts/paper_deregistration.html",
        {"municipality": municipality_get(), "menu_key": deregistration_menu_key()},
        "modulo-cancellazione-allerta.pdf",
    )


@operator_required("alerts.add_subscription")
def paper_subscription(request: HttpRequest) -> HttpResponse:
    form = PaperSubscriptionForm(request.POST or None)
    done = None
    if request.method == "POST" and form.is_valid():
        data = form.subscription_data()
        try:
            done = services.subscription_enter_paper(
                data=data,
                protocol_number=form.cleaned_data["protocol_number"],
                operator=request.user,
                verification=form.cleaned_data["verification"],
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            form = PaperSubscriptionForm()
    return render(
        request,
        "alerts/paper_entry.html",
        {"form": form, "done": done, "candidates": form.address_candidates},
    )


@operator_required("alerts.delete_subscription")
def paper_deregistration(request: HttpRequest) -> HttpResponse:
    form = PaperDeregistrationForm(request.POST or None)
    deleted = False
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["number"]
        subscription = services.subscription_find_by_number(number=number)
        contact = services.contact_find_by_number(number=number)
        if subscription is None and contact is None:
            form.add_error("number", _("Nessuna iscrizione o contatto con questo numero."))
        else:
            if subscription is not None:
                services.subscription_delete(subscription=subscription, channel="paper")
            if contact is not None:
                services.contact_delete(contact=contact, channel="paper")
            audit_record(
                action="alert_paper_deregistration",
                request=request,
                channel="paper",
                detail={"protocol": form.cleaned_data["protocol_number"]},
            )
            deleted = True
            form = PaperDeregistrationForm()
    return render(
        request, "alerts/paper_deregistration_entry.html", {"form": form, "deleted": deleted}
    )


@operator_required("alerts.view_callbackrequest")
def callbacks(request: HttpRequest) -> HttpResponse:
    """The call-back queue: requests left on the phone line or taken by an operator. Reading
    needs the view permission; closing or adding a request, the change and add ones."""
    from django.core.exceptions import PermissionDenied

    from sportello.alerts.models import CallbackRequest, CallbackStatus
    from sportello.channels.phones import phone_e164, phone_refusal

    if request.method == "POST":
        needed = "change" if request.POST.get("done") else "add"
        if not request.user.has_perm(f"alerts.{needed}_callbackrequest"):
            raise PermissionDenied
        if request.POST.get("done"):
            item = CallbackRequest.objects.filter(pk=request.POST["done"]).first()
            if item is not None:
                services.callback_request_done(
                    request_obj=item, operator=request.user, note=request.POST.get("note", "")
                )
        elif request.POST.get("number"):
            number = phone_e164(request.POST["number"])
            if number and phone_refusal(number) is None:
                services.callback_request_create(
                    number=number, source="operator", name=request.POST.get("name", "")[:200]
                )
    pending = CallbackRequest.objects.filter(status=CallbackStatus.PENDING)
    return render(request, "alerts/callbacks.html", {"pending": pending})
