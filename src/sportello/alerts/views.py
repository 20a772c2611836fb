"""Public pages of the alert system: subscribe, verify by phone call, done."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from sportello.alerts import services
from sportello.alerts.forms import CodeForm, ManageForm, ManageStartForm, SubscriptionForm
from sportello.alerts.models import (
    AlertLanguage,
    Subscription,
    SubscriptionStatus,
    VerificationCode,
    VerificationPurpose,
)
from sportello.channels.phones import phone_display
from sportello.core.access import public
from sportello.core.exceptions import ApplicationError
from sportello.core.services import client_ip
from sportello.core.summary import SummaryRow, summary_hidden_fields, summary_step
from sportello.places.selectors import civic_number_get

SESSION_VERIFICATION = "_sportello_alert_verification"
SESSION_BY_SMS = "_sportello_alert_verification_sms"


@public
def alerts_home(request: HttpRequest) -> HttpResponse:
    from sportello.alerts.paper import deregistration_menu_key

    return render(request, "alerts/home.html", {"menu_key": deregistration_menu_key()})


@public
def privacy(request: HttpRequest) -> HttpResponse:
    """The privacy notice (GDPR art. 13) of the alert subscription."""
    return render(request, "alerts/privacy.html")


@public
@never_cache
def subscribe(request: HttpRequest) -> HttpResponse:
    """The form, then the summary of what will be registered («Modifica» or «Conferma»); only
    «Conferma» records the subscription and places the verification call."""
    step = summary_step(request)
    if step == "edit":
        form = SubscriptionForm(initial=_edit_initial(request))
    else:
        form = SubscriptionForm(request.POST or None)
    if step == "summary" and form.is_valid():
        return _subscription_summary(request, form=form)
    if step == "confirm" and form.is_valid():
        data = form.subscription_data()
        try:
            _subscription, verification = services.subscription_start(
                data=data, ip_address=client_ip(request)
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            request.session[SESSION_VERIFICATION] = verification.pk
            # What the person asked decides what the page says (never what exists on file).
            request.session[SESSION_BY_SMS] = data.deaf and data.sms_instead_of_voice_requested
            return redirect("alerts:verify")
    return render(
        request,
        "alerts/subscribe.html",
        {"form": form, "candidates": form.address_candidates},
        status=400 if step in ("summary", "confirm") and form.errors else 200,
    )


def _edit_initial(request: HttpRequest) -> dict[str, str]:
    """«Modifica»: the form as it was sent, unchecked (no error before the person sends it
    again), with the address as chosen and no hidden choice left to override a new one."""
    initial = {
        key: value for key, value in request.POST.items() if key in SubscriptionForm.base_fields
    }
    civic_number_id = initial.pop("civic_number_id", "")
    if civic_number_id.isdigit():
        civic = civic_number_get(civic_number_id=int(civic_number_id))
        if civic is not None:
            initial["address"] = str(civic)
    return initial


def _subscription_summary(request: HttpRequest, *, form: SubscriptionForm) -> HttpResponse:
    """What will be registered and how the person will be warned, before anything is."""
    data = form.subscription_data()
    address = str(data.civic_number)
    if data.address_detail:
        address = f"{address}, {data.address_detail}"
    phones = [_("%(number)s (cellulare)") % {"number": phone_display(data.mobile)}]
    if data.landline:
        phones.append(_("%(number)s (fisso)") % {"number": phone_display(data.landline)})
    if data.fax:
        phones.append(_("%(number)s (fax)") % {"number": phone_display(data.fax)})
    mobile = phone_display(data.mobile)
    channels = [_("una chiamata vocale al cellulare %(number)s") % {"number": mobile}]
    if data.deaf and data.sms_instead_of_voice_requested:
        channels = [
            _(
                "una chiamata vocale al cellulare %(number)s, o un SMS invece della chiamata "
                "se l'ufficio di protezione civile accoglie la tua richiesta"
            )
            % {"number": mobile}
        ]
    if data.landline:
        channels.append(
            _("una chiamata vocale al fisso %(number)s") % {"number": phone_display(data.landline)}
        )
    if data.fax:
        channels.append(_("un fax al %(number)s") % {"number": phone_display(data.fax)})
    channels.append(_("un'e-mail a %(email)s") % {"email": data.email})
    rows = [
        SummaryRow(_("Nome e cognome"), f"{data.first_name} {data.last_name}"),
        SummaryRow(_("Indirizzo"), address),
        SummaryRow(_("Telefoni"), "\n".join(phones)),
        SummaryRow(_("E-mail"), data.email),
        SummaryRow(_("Come ti avvisiamo"), "\n".join(channels)),
        SummaryRow(_("Lingua degli avvisi"), AlertLanguage(data.language).label),
    ]
    if data.deaf:
        rows.append(SummaryRow(_("Persona sorda"), _("sì")))
    # The address as chosen now: «Conferma» must not look it up again and land elsewhere.
    hidden = [pair for pair in summary_hidden_fields(form) if pair[0] != "civic_number_id"]
    hidden.append(("civic_number_id", str(data.civic_number.pk)))
    return render(
        request,
        "alerts/subscribe_summary.html",
        {"rows": rows, "hidden": hidden, "mobile": mobile},
    )


def _pending_verification(request: HttpRequest) -> VerificationCode | None:
    """The code this browser started (its id is in the session, never in the address)."""
    verification_id = request.session.get(SESSION_VERIFICATION)
    if not verification_id:
        return None
    return (
        VerificationCode.objects.select_related("subscription")
        .filter(pk=verification_id, purpose=VerificationPurpose.SUBSCRIBE)
        .filter(Q(subscription__isnull=True) | Q(subscription__status=SubscriptionStatus.PENDING))
        .first()
    )


@public
@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    verification = _pending_verification(request)
    if verification is None:
        return redirect("alerts:subscribe")
    subscription = verification.subscription
    by_sms = bool(request.session.get(SESSION_BY_SMS))
    call_error = ""
    form = CodeForm(request.POST if "code" in request.POST else None, by_sms=by_sms)
    if request.method == "POST" and "call_again" in request.POST:
        owner_by_sms = by_sms
        if subscription is None:  # already subscribed: the owner is told their own way
            owner = services.subscription_find_by_number(number=verification.number)
            owner_by_sms = bool(owner and (owner.sms_instead_of_voice or owner.deaf))
        try:
            verification = services.verification_call_place(
                number=verification.number,
                purpose=verification.purpose,
                subscription=subscription,
                ip_address=client_ip(request),
                language=subscription.language if subscription else get_language() or "it",
                by_sms=owner_by_sms,
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
            "number": phone_display(verification.number),
            "by_sms": by_sms,
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


SESSION_MANAGE = "_sportello_alert_manage"
SESSION_MANAGE_CODE = "_sportello_alert_manage_code"


@public
@never_cache
def manage_start(request: HttpRequest) -> HttpResponse:
    """Manage a subscription: first prove the number is yours with a verification call."""
    form = ManageStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verification = services.manage_call_place(
                number=form.cleaned_data["mobile"], ip_address=client_ip(request)
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            request.session[SESSION_MANAGE_CODE] = verification.pk if verification else 0
            request.session["_sportello_alert_manage_number"] = form.cleaned_data["mobile"]
            return redirect("alerts:manage_verify")
    return render(request, "alerts/manage_start.html", {"form": form})


@public
@never_cache
def manage_verify(request: HttpRequest) -> HttpResponse:
    if SESSION_MANAGE_CODE not in request.session:
        return redirect("alerts:manage")
    number = request.session.get("_sportello_alert_manage_number", "")
    verification = (
        VerificationCode.objects.filter(pk=request.session[SESSION_MANAGE_CODE])
        .select_related("subscription")
        .first()
    )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if verification is None:
            form.add_error("code", _("Il codice non è giusto."))
        else:
            try:
                services.verification_check(
                    verification=verification, code=form.cleaned_data["code"]
                )
            except ApplicationError as error:
                form.add_error("code", error.message)
            else:
                request.session[SESSION_MANAGE] = verification.subscription_id
                del request.session[SESSION_MANAGE_CODE]
                return redirect("alerts:manage_data")
    return render(
        request, "alerts/manage_verify.html", {"form": form, "number": phone_display(number)}
    )


@public
@never_cache
def manage_data(request: HttpRequest) -> HttpResponse:
    subscription = (
        Subscription.objects.filter(
            pk=request.session.get(SESSION_MANAGE), status=SubscriptionStatus.ACTIVE
        )
        .select_related("civic_number__street")
        .first()
    )
    if subscription is None:
        return redirect("alerts:manage")
    if request.method == "POST" and "delete" in request.POST:
        services.subscription_delete(subscription=subscription, channel="web")
        del request.session[SESSION_MANAGE]
        return render(request, "alerts/deleted.html")
    civic = subscription.civic_number
    initial = {
        "email": subscription.email,
        "address": f"{civic.street.name} {civic.number}",
        "address_detail": subscription.address_detail,
        "landline": subscription.landline,
        "fax": subscription.fax,
        "language": subscription.language,
    }
    form = ManageForm(request.POST or None, initial=initial)
    saved = False
    if request.method == "POST" and form.is_valid():
        services.subscription_update(
            subscription=subscription,
            changes={
                "email": form.cleaned_data["email"],
                "civic_number": form.civic_number,
                "address_detail": form.cleaned_data["address_detail"],
                "landline": form.cleaned_data["landline"],
                "fax": form.cleaned_data["fax"],
                "language": form.cleaned_data["language"],
            },
        )
        saved = True
    return render(
        request,
        "alerts/manage_data.html",
        {
            "form": form,
            "subscription": subscription,
            "saved": saved,
            "number": phone_display(subscription.mobile),
        },
    )


@public
def recording(request: HttpRequest, identifier: str) -> HttpResponse:
    """The recorded voice message of an alert that has been sent, fetched by the voice provider
    while the call plays it. Drafts stay private."""
    from django.http import FileResponse, Http404

    from sportello.alerts.models import Alert, AlertStatus

    alert = Alert.objects.filter(identifier=identifier).exclude(status=AlertStatus.DRAFT).first()
    if alert is None or not alert.voice_recording:
        raise Http404
    name = alert.voice_recording.name.lower()
    content_type = "audio/mpeg" if name.endswith(".mp3") else "audio/wav"
    return FileResponse(alert.voice_recording.open("rb"), content_type=content_type)
