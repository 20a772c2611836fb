"""Public pages of the alert system: subscribe, verify by phone call, done."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from sportello.alerts import services
from sportello.alerts.forms import CodeForm, SubscriptionForm
from sportello.alerts.models import Subscription, SubscriptionStatus, VerificationCode
from sportello.channels.phones import phone_display
from sportello.core.access import public
from sportello.core.exceptions import ApplicationError
from sportello.core.services import client_ip

SESSION_VERIFICATION = "_sportello_alert_verification"


@public
def alerts_home(request: HttpRequest) -> HttpResponse:
    return render(request, "alerts/home.html")


@public
@never_cache
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST or None)
    bound_number = None
    if request.method == "POST" and form.is_valid():
        data = services.SubscriptionData(
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            mobile=form.cleaned_data["mobile"],
            email=form.cleaned_data["email"],
            civic_number=form.civic_number,
            address_detail=form.cleaned_data["address_detail"],
            landline=form.cleaned_data["landline"],
            fax=form.cleaned_data["fax"],
            language=form.cleaned_data["language"],
            deaf=form.cleaned_data["deaf"],
            sms_instead_of_voice_requested=form.cleaned_data["sms_instead_of_voice_requested"],
        )
        try:
            _subscription, verification = services.subscription_start(
                data=data, ip_address=client_ip(request)
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            bound_number = error.extra.get("bound")
        else:
            request.session[SESSION_VERIFICATION] = verification.pk
            return redirect("alerts:verify")
    return render(
        request,
        "alerts/subscribe.html",
        {"form": form, "candidates": form.address_candidates, "bound_number": bound_number},
    )


def _pending_verification(request: HttpRequest) -> VerificationCode | None:
    verification_id = request.session.get(SESSION_VERIFICATION)
    if not verification_id:
        return None
    return (
        VerificationCode.objects.select_related("subscription")
        .filter(pk=verification_id, subscription__status=SubscriptionStatus.PENDING)
        .first()
    )


@public
@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    verification = _pending_verification(request)
    if verification is None:
        return redirect("alerts:subscribe")
    subscription = verification.subscription
    call_error = ""
    form = CodeForm(request.POST if "code" in request.POST else None)
    if request.method == "POST" and "call_again" in request.POST:
        try:
            verification = services.verification_call_place(
                number=subscription.mobile,
                purpose=verification.purpose,
                subscription=subscription,
                ip_address=client_ip(request),
                language=subscription.language,
            )
        except ApplicationError as error:
            call_error = error.message
        else:
            request.session[SESSION_VERIFICATION] = verification.pk
            return redirect("alerts:verify")
    elif request.method == "POST" and form.is_valid():
        try:
            services.subscription_verify(verification=verification, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_error("code", error.message)
        else:
            del request.session[SESSION_VERIFICATION]
            request.session["_sportello_alert_done"] = subscription.pk
            return redirect("alerts:done")
    return render(
        request,
        "alerts/verify.html",
        {
            "form": form,
            "call_error": call_error,
            "subscription": subscription,
            "number": phone_display(subscription.mobile),
        },
    )


@public
@never_cache
def done(request: HttpRequest) -> HttpResponse:
    subscription = Subscription.objects.filter(
        pk=request.session.get("_sportello_alert_done"), status=SubscriptionStatus.ACTIVE
    ).first()
    if subscription is None:
        return redirect("alerts:home")
    return render(
        request,
        "alerts/done.html",
        {"subscription": subscription, "number": phone_display(subscription.mobile)},
    )
