"""Certificates online: the citizen's pages (request, history, download, self-declaration) and
the public verification (by code or QR code, or by uploading the PDF)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sportello.certificates import services
from sportello.certificates.forms import (
    CertificateRequestForm,
    SelfDeclarationForm,
    StampReceiptForm,
    VerifyCodeForm,
    VerifyDocumentForm,
)
from sportello.certificates.kinds import certificate_types_for
from sportello.certificates.models import CertificateStatus
from sportello.certificates.selectors import (
    certificate_document_check,
    certificate_downloadable,
    certificate_subjects,
    certificate_verify,
    certificates_of,
)
from sportello.certificates.stamp_duty import exemption_get, stamp_duty_amount
from sportello.certificates.stamp_payment import stamp_checkout, stamp_payment_url
from sportello.core.access import public
from sportello.core.decorators import certified_required
from sportello.core.exceptions import ApplicationError
from sportello.core.money import euro_text
from sportello.core.pending_forms import pending_form_initial
from sportello.core.services import client_ip
from sportello.core.summary import SummaryRow, summary_hidden_fields, summary_step
from sportello.payments.services import cart_return_urls


def _application_error(form, error: ApplicationError) -> None:
    field = error.extra.get("field")
    form.add_error(field if field in form.fields else None, error.message)


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "certificates/forbidden.html", status=403)


@certified_required
def home(request: HttpRequest) -> HttpResponse:
    """«I miei certificati»: those asked for, with the download while valid."""
    today = timezone.localdate()
    certificates = [
        (
            certificate,
            certificate_downloadable(certificate=certificate, today=today),
            stamp_payment_url(certificate),
        )
        for certificate in certificates_of(user=request.user)
    ]
    return render(request, "certificates/home.html", {"certificates": certificates, "today": today})


@certified_required
def request_subject(request: HttpRequest) -> HttpResponse:
    """Step 1: about whom (the citizen or a member of their registry family)."""
    subjects = certificate_subjects(person=request.user.person)
    return render(request, "certificates/request_subject.html", {"subjects": subjects})


@never_cache
@certified_required
@require_http_methods(["GET", "POST"])
def request_certificate(request: HttpRequest, person_id: int) -> HttpResponse:
    """Step 2: which certificate, for what use, and the stamp duty."""
    try:
        subject = services.certificate_subject_check(
            user=request.user, subject_id=person_id, request=request
        )
    except PermissionDenied:
        return _forbidden(request)
    restored = pending_form_initial(request=request)
    form = CertificateRequestForm(request.POST or None, initial=restored)
    step = summary_step(request)
    offered = certificate_types_for(subject)
    if step == "summary" and form.is_valid():
        receipt = StampReceiptForm(initial={"email": request.user.email})
        return _request_summary(
            request, form=form, subject=subject, offered=offered, receipt=receipt
        )
    if step == "confirm" and form.is_valid():
        receipt = StampReceiptForm(request.POST)
        if not receipt.is_valid():
            return _request_summary(
                request, form=form, subject=subject, offered=offered, receipt=receipt
            )
        try:
            certificate = services.certificate_request(
                user=request.user,
                subject=subject,
                kind=form.cleaned_data["kind"],
                use=form.cleaned_data["use"],
                exemption=form.cleaned_data["exemption"],
                request=request,
            )
        except PermissionDenied:
            return _forbidden(request)
        except ApplicationError as error:
            _application_error(form, error)
        else:
            if certificate.status == CertificateStatus.ISSUED:
                messages.success(
                    request,
                    _("Certificato rilasciato: lo trovi qui sotto, con il codice %(code)s.")
                    % {"code": certificate.display_code},
                )
                return redirect("certificates:home")
            # The summary said what is paid and how much: straight on to pagoPA's checkout.
            try:
                return redirect(
                    stamp_checkout(
                        certificate=certificate,
                        user=request.user,
                        email=receipt.cleaned_data["email"],
                        return_urls=cart_return_urls(request=request),
                    )
                )
            except ApplicationError as error:
                messages.error(request, error.message)
                messages.info(
                    request,
                    _(
                        "Richiesta registrata con il codice %(code)s. Per avere il certificato "
                        "paga il bollo di %(amount)s con pagoPA: appena il pagamento è "
                        "confermato lo scarichi da «I miei certificati»."
                    )
                    % {
                        "code": certificate.display_code,
                        "amount": euro_text(certificate.stamp_duty),
                    },
                )
                return redirect("certificates:home")
    return render(
        request,
        "certificates/request.html",
        {
            "form": form,
            "subject": subject,
            "offered": offered,
            "is_self": subject.pk == request.user.person_id,
            "amount": stamp_duty_amount(),
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


def _request_summary(
    request: HttpRequest, *, form, subject, offered, receipt: StampReceiptForm
) -> HttpResponse:
    """What will be asked for and what it costs, before anything is registered. With bollo,
    «Conferma e paga con pagoPA» leads straight to pagoPA's checkout: this is the one summary
    of the journey."""
    kind = form.cleaned_data["kind"]
    certificate_type = next((item for item in offered if item.kind.value == kind), None)
    exemption = exemption_get(form.cleaned_data["exemption"] or "")
    stamp_due = False
    if certificate_type is not None and certificate_type.civil_status_record:
        cost = _("Nessuno: il certificato è esente dal bollo")
    elif exemption is not None:
        cost = _("Nessuno: esente dal bollo (%(reason)s)") % {
            "reason": f"{exemption.label}, {exemption.reference}"
        }
    else:
        stamp_due = True
        cost = _("%(amount)s di imposta di bollo, da pagare online con pagoPA") % {
            "amount": euro_text(stamp_duty_amount())
        }
    rows = [
        SummaryRow(
            _("Certificato"),
            certificate_type.title if certificate_type else form["kind"].value(),
        ),
        SummaryRow(_("Intestato a"), f"{subject.first_name} {subject.last_name}"),
        SummaryRow(_("Uso"), form.cleaned_data["use"]),
    ]
    return render(
        request,
        "certificates/request_summary.html",
        {
            "rows": rows,
            "cost": cost,
            "hidden": summary_hidden_fields(form),
            "subject": subject,
            "stamp_due": stamp_due,
            "receipt": receipt if stamp_due else None,
        },
        status=400 if receipt.errors else 200,
    )


@certified_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = certificates_of(user=request.user).filter(pk=pk).first()
    if certificate is None:
        raise Http404
    if not certificate_downloadable(certificate=certificate):
        messages.warning(
            request,
            _(
                "Il certificato %(code)s non si può scaricare: è in attesa del pagamento del "
                "bollo, revocato o scaduto."
            )
            % {"code": certificate.display_code},
        )
        return redirect("certificates:home")
    data = services.certificate_pdf_read(
        certificate=certificate, user=request.user, request=request
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="certificato-{certificate.kind}-{certificate.display_code}.pdf"'
    )
    return response


@never_cache
@certified_required
@require_http_methods(["GET", "POST"])
def self_declaration(request: HttpRequest) -> HttpResponse:
    """A self-declaration about oneself, filled in from the registry, to sign and hand in."""
    form = SelfDeclarationForm(request.POST or None, initial=pending_form_initial(request=request))
    if request.method == "POST" and form.is_valid():
        try:
            certificate_type, pdf = services.self_declaration_pdf(
                user=request.user, kind=form.cleaned_data["kind"]
            )
        except ApplicationError as error:
            _application_error(form, error)
        else:
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = (
                f'attachment; filename="autocertificazione-{certificate_type.kind.value}.pdf"'
            )
            return response
    return render(
        request,
        "certificates/self_declaration.html",
        {"form": form, "offered": certificate_types_for(request.user.person)},
        status=400 if request.method == "POST" else 200,
    )


def _verification_allowed(request: HttpRequest) -> bool:
    """At most SPORTELLO_CERTIFICATE_VERIFY_LIMIT checks per address in the window (a counter in
    the shared cache), so that codes cannot be tried by the million."""
    key = f"certificates:verify:{client_ip(request) or 'unknown'}"
    window = settings.SPORTELLO_CERTIFICATE_VERIFY_WINDOW
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=window)
        return True
    return count <= settings.SPORTELLO_CERTIFICATE_VERIFY_LIMIT


def _too_many(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    context["too_many"] = True
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(settings.SPORTELLO_CERTIFICATE_VERIFY_WINDOW)
    return response


@public
@never_cache
def verify(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Anyone checks a certificate by its code (typed, or in the QR code's link). The answer
    says only whether it is authentic and valid: never who it is about."""
    code = code or request.GET.get("codice")
    form = VerifyCodeForm({"code": code} if code is not None else None)
    context = {"form": form, "upload_form": VerifyDocumentForm(), "checked": False}
    if code is None or not form.is_valid():
        return render(request, "certificates/verify.html", context)
    if not _verification_allowed(request):
        return _too_many(request, "certificates/verify.html", context)
    context.update(checked=True, result=certificate_verify(code=form.cleaned_data["code"]))
    return render(request, "certificates/verify.html", context)


@public
@never_cache
@require_http_methods(["GET", "POST"])
def verify_document(request: HttpRequest) -> HttpResponse:
    """Anyone uploads a certificate's PDF: its seal is checked against the municipality's roots
    and the file against the one issued with its code."""
    form = VerifyDocumentForm(request.POST or None, request.FILES or None)
    context = {"upload_form": form, "form": VerifyCodeForm(), "checked": False}
    if request.method != "POST":
        return render(request, "certificates/verify_document.html", context)
    if not _verification_allowed(request):
        return _too_many(request, "certificates/verify_document.html", context)
    if not form.is_valid():
        return render(request, "certificates/verify_document.html", context, status=400)
    document = form.cleaned_data["document"]
    check = certificate_document_check(data=document.read())
    context.update(checked=True, check=check, result=check.verification)
    return render(request, "certificates/verify_document.html", context)
