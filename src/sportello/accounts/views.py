"""Login, logout, first access, session expiry, account page and revocation, smart-card login."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import devices_for_user, match_token, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from sportello.accounts import services
from sportello.accounts import sessions as login_sessions
from sportello.accounts.backends import local_citizen_passwords_accepted
from sportello.accounts.forms import (
    ChangePasswordForm,
    ContactsForm,
    LoginForm,
    OnlineRequestForm,
    OtpTokenForm,
)
from sportello.accounts.methods import login_methods
from sportello.accounts.models import LoginMethod, RevocationChannel, UserSession
from sportello.accounts.smartcard import SmartcardError, SmartcardIdentity, smartcard_identity
from sportello.core.access import public
from sportello.core.catalogue import SERVICES
from sportello.core.decorators import certified_required, login_required
from sportello.core.exceptions import ApplicationError
from sportello.core.pending_forms import SESSION_PENDING_FORM, pending_form_pop
from sportello.core.personal_area import personal_items
from sportello.core.services import audit_record

SESSION_OTP_PENDING = "_sportello_otp_pending"


def _next_url(request: HttpRequest, default: str | None = None) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    # "" means "no next" (the form then carries none); None means the default landing page.
    return default if default is not None else reverse(settings.LOGIN_REDIRECT_URL)


def _home_for(user) -> str:
    if user.is_staff and not user.is_citizen:
        return reverse("accounts:operator_home")
    return reverse("accounts:account")


@public
@never_cache
@sensitive_post_parameters("password")
@csrf_protect
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET" and "next" not in request.GET:
        return redirect(_home_for(request.user))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        next_url = _next_url(request, _home_for(user))
        if user_has_device(user, confirmed=True):
            # Second step: the password was right, now the code from the app.
            request.session[SESSION_OTP_PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "next": next_url,
            }
            return redirect("accounts:otp_verify")
        login(request, user)
        return HttpResponseRedirect(next_url)
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": _next_url(request, ""),
            "methods": login_methods(request),
            "local_citizen_credentials": settings.SPORTELLO_LOCAL_CITIZEN_CREDENTIALS,
            "local_passwords_accepted": local_citizen_passwords_accepted(),
        },
    )


@public
@never_cache
@csrf_protect
def otp_verify(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(SESSION_OTP_PENDING)
    if not pending:
        return redirect("accounts:login")
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        del request.session[SESSION_OTP_PENDING]
        return redirect("accounts:login")
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            del request.session[SESSION_OTP_PENDING]
            login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return HttpResponseRedirect(pending["next"])
        audit_record(action="otp_failed", actor=user, target=user, request=request)
        form.add_error(
            "token",
            _(
                "Codice non valido. Controlla che l'ora del telefono sia giusta e usa il "
                "codice che vedi adesso nell'app."
            ),
        )
    return render(request, "accounts/otp_verify.html", {"form": form})


@never_cache
@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """An operator links an authenticator app (TOTP): scan the QR code, type one code."""
    user = request.user
    if user_has_device(user, confirmed=True) and user.is_verified():
        messages.info(request, _("L'autenticazione a due fattori è già attiva."))
        return redirect(_home_for(user))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=False)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save()
            # Older unconfirmed or confirmed devices are replaced by this one.
            for other in devices_for_user(user, confirmed=None):
                if other.pk != device.pk and isinstance(other, TOTPDevice):
                    other.delete()
            otp_login(request, device)
            audit_record(action="otp_enabled", actor=user, target=user, request=request)
            messages.success(request, _("Autenticazione a due fattori attivata."))
            return HttpResponseRedirect(_next_url(request, _home_for(user)))
        form.add_error("token", _("Codice non valido: riprova con il codice che vedi adesso."))
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=5, title="QR")
    secret_b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "secret": secret_b32,
            "next": _next_url(request, ""),
        },
    )


@public
@require_POST
@csrf_protect
def logout_view(request: HttpRequest) -> HttpResponse:
    from sportello.accounts.spid.views import spid_logout

    # Logged in with SPID or CIE: single logout tells the identity provider too.
    single_logout = spid_logout(request)
    if single_logout is not None:
        return single_logout
    logout(request)
    messages.info(request, _("Sei uscito dall'area riservata."))
    return redirect("core:home")


@public
@never_cache
def session_expired(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request, "")
    pending = SESSION_PENDING_FORM in request.session
    return render(
        request,
        "accounts/session_expired.html",
        {
            "next": next_url,
            "form_was_posted": request.GET.get("modulo") == "1",
            "form_kept": pending,
            "idle_minutes": settings.SPORTELLO_SESSION_IDLE_MINUTES,
            "max_hours": settings.SPORTELLO_SESSION_MAX_HOURS,
        },
    )


@never_cache
@require_POST
@login_required
def session_extend(request: HttpRequest) -> HttpResponse:
    """«Resta collegato»: the inactivity clock starts again (the warning's button)."""
    seconds_left = login_sessions.session_extend(request=request)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"seconds_left": seconds_left})
    return HttpResponseRedirect(_next_url(request, _home_for(request.user)))


@never_cache
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ChangePasswordForm(user, request.POST or None)
    first_access = user.password_is_temporary
    if request.method == "POST" and form.is_valid():
        services.password_change(
            request=request, user=user, new_password=form.cleaned_data["new_password1"]
        )
        messages.success(request, _("Password cambiata. Da ora usa la nuova password."))
        return HttpResponseRedirect(_next_url(request, _home_for(user)))
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "first_access": first_access, "next": _next_url(request, "")},
    )


@never_cache
@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The personal area: who you are, your contacts, where you are logged in, your credentials."""
    user = request.user
    restored = pending_form_pop(request=request)
    if request.method == "POST":
        form = ContactsForm(request.POST)
        if form.is_valid():
            services.user_contacts_update(
                request=request,
                user=user,
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
            )
            messages.success(request, _("Recapiti salvati."))
            return redirect("accounts:account")
    elif restored is not None:
        form = ContactsForm(initial={key: values[-1] for key, values in restored.items()})
        messages.warning(
            request,
            _(
                "La sessione era scaduta e i dati che avevi inviato non sono stati salvati. "
                "Li trovi qui sotto: controllali e premi di nuovo «Salva»."
            ),
        )
    else:
        form = ContactsForm(initial={"email": user.email, "phone": user.phone})
    sessions = UserSession.objects.filter(user=user)
    return render(
        request,
        "accounts/account.html",
        {
            "person": user.person,
            "contacts_form": form,
            "sessions": sessions,
            "current_session_key": request.session.session_key,
            "method": request.session.get(login_sessions.SESSION_METHOD, LoginMethod.PASSWORD),
            "has_password": user.has_usable_password(),
            "otp_enabled": user_has_device(user, confirmed=True),
            "my_items": personal_items(user=user) if user.is_citizen else [],
            "my_services": [
                (service.title, reverse(service.url_name))
                for service in SERVICES
                if service.url_name and user.is_citizen
            ],
        },
    )


@require_POST
@login_required
def sessions_end_all(request: HttpRequest) -> HttpResponse:
    user = request.user
    ended = login_sessions.user_sessions_end(user=user)
    audit_record(
        action="sessions_ended", actor=user, target=user, request=request, detail={"count": ended}
    )
    logout(request)
    messages.success(
        request, _("Sei uscito da tutti i dispositivi. Per continuare accedi di nuovo.")
    )
    return redirect("accounts:login")


@never_cache
@require_http_methods(["GET", "POST"])
@certified_required
def revoke_own(request: HttpRequest) -> HttpResponse:
    """«Revoca le mie credenziali»: a page that says what happens, then the confirmed POST."""
    user = request.user
    if request.method == "GET" or request.POST.get("confirm") != "1":
        return render(request, "accounts/revoke_confirm.html")
    try:
        services.credentials_revoke(user=user, channel=RevocationChannel.ONLINE, request=request)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("accounts:account")
    logout(request)
    return redirect("accounts:revoked")


@public
def revoked(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/revoked.html")


@public
def credentials_info(request: HttpRequest) -> HttpResponse:
    """How to get credentials: at a counter, by PEC, with the online form; or use a card."""
    return render(
        request,
        "accounts/credentials_info.html",
        {"local_citizen_credentials": settings.SPORTELLO_LOCAL_CITIZEN_CREDENTIALS},
    )


@public
@csrf_protect
def online_request(request: HttpRequest) -> HttpResponse:
    if not settings.SPORTELLO_LOCAL_CITIZEN_CREDENTIALS:
        return render(request, "accounts/credentials_info.html", status=404)
    form = OnlineRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.credential_request_create_online(
                codice_fiscale=form.cleaned_data["codice_fiscale"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
                request=request,
            )
        except services.TooManyRequests as error:
            form.add_error(None, error.message)
            return render(request, "accounts/online_request.html", {"form": form}, status=429)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return render(request, "accounts/request_received.html")
    return render(request, "accounts/online_request.html", {"form": form})


@public
@never_cache
def smartcard_login(request: HttpRequest) -> HttpResponse:
    """Reached through nginx, which has verified the card's certificate (deploy/nginx)."""
    try:
        identity = smartcard_identity(request=request)
    except SmartcardError as error:
        audit_record(
            action="smartcard_refused",
            request=request,
            channel=LoginMethod.SMARTCARD,
            detail={"reason": str(error.message)},
        )
        return render(
            request, "accounts/smartcard_error.html", {"message": error.message}, status=403
        )
    return smartcard_sign_in(request, identity=identity)


def smartcard_sign_in(request: HttpRequest, *, identity: SmartcardIdentity) -> HttpResponse:
    """Log in the registry's person the card belongs to (the real card, or the demo's)."""
    user = authenticate(request, smartcard_identity=identity)
    if user is None:
        audit_record(
            action="smartcard_refused",
            request=request,
            channel=LoginMethod.SMARTCARD,
            detail={"reason": "not in registry", "fingerprint": identity.fingerprint},
        )
        message = _(
            "Nessun cittadino con il codice fiscale %(cf)s risulta nell'anagrafe del Comune. "
            "Se sei residente da poco, rivolgiti all'ufficio anagrafe."
        ) % {"cf": identity.codice_fiscale}
        return render(request, "accounts/smartcard_error.html", {"message": message}, status=403)
    request.session[login_sessions.SESSION_METHOD] = LoginMethod.SMARTCARD
    login(request, user, backend="sportello.accounts.backends.SmartcardBackend")
    request.session[login_sessions.SESSION_METHOD] = LoginMethod.SMARTCARD
    audit_record(
        action="smartcard_login",
        actor=user,
        target=user,
        request=request,
        channel=LoginMethod.SMARTCARD,
        detail={
            "issuer": identity.issuer,
            "serial_number": identity.serial_number,
            "fingerprint": identity.fingerprint,
        },
    )
    return HttpResponseRedirect(_next_url(request, reverse("accounts:account")))
