"""The accounting office's screens (role Ragioneria): positions by service, state, debtor and
date; one position with its notices and receipts; annulment, payments made outside pagoPA,
anomalies, and the CSV export. Every look at a position is audited."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sportello.core.decorators import operator_required
from sportello.core.exceptions import ApplicationError
from sportello.core.money import euro_text
from sportello.core.services import audit_record
from sportello.payments import services
from sportello.payments.forms import (
    AnomalyResolveForm,
    InvalidateForm,
    OfflinePaymentForm,
    PositionFilterForm,
)
from sportello.payments.hooks import payment_service_get
from sportello.payments.models import PaymentOption, PaymentPosition, Receipt
from sportello.payments.selectors import (
    anomalies_open,
    option_payable,
    position_remaining,
    positions_search,
)

VIEW = "payments.view_paymentposition"
PAGE_SIZE = 50


def _filtered(request: HttpRequest) -> tuple[PositionFilterForm, object]:
    form = PositionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return form, positions_search(**{key: value for key, value in filters.items() if value})


@operator_required(VIEW)
def position_list(request: HttpRequest) -> HttpResponse:
    form, positions = _filtered(request)
    page = Paginator(positions.prefetch_related("options"), PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    kept = urlencode([(key, value) for key, value in request.GET.items() if key != "pagina"])
    return render(
        request,
        "payments/operator/list.html",
        {
            "form": form,
            "page": page,
            "kept": kept,
            "anomalies": anomalies_open().count(),
            "labels": {
                position.service: payment_service_get(position.service).label for position in page
            },
        },
    )


def _csv_rows(positions):
    yield [
        _("IUPD"),
        _("Servizio"),
        _("Oggetto"),
        _("Debitore"),
        _("Codice fiscale"),
        _("Stato"),
        _("Creata il"),
        _("Pagata il"),
        _("Importo"),
        _("Da pagare"),
        _("Codici avviso"),
    ]
    for position in positions.prefetch_related("options").iterator(chunk_size=2000):
        options = list(position.options.all())
        yield [
            position.iupd,
            position.service,
            position.title,
            position.debtor_name,
            position.debtor_fiscal_code,
            position.get_status_display(),
            timezone.localtime(position.created_at).strftime("%d/%m/%Y %H:%M"),
            timezone.localtime(position.paid_at).strftime("%d/%m/%Y %H:%M")
            if position.paid_at
            else "",
            euro_text(
                sum(o.amount for o in options if not o.is_partial_payment)
                or sum(o.amount for o in options),
                cents=True,
            ),
            euro_text(position_remaining(position), cents=True),
            " ".join(option.notice_number for option in options),
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


@operator_required(VIEW)
def position_export(request: HttpRequest) -> StreamingHttpResponse:
    """The positions of the current filter as CSV (semicolons, as Italian spreadsheets expect)."""
    form, positions = _filtered(request)
    audit_record(
        action="payment_positions_exported",
        actor=request.user,
        request=request,
        detail={key: str(value) for key, value in request.GET.items()},
    )
    writer = csv.writer(_Echo(), delimiter=";")
    response = StreamingHttpResponse(
        ("\ufeff" if index == 0 else "") + writer.writerow(row)
        for index, row in enumerate(_csv_rows(positions))
    )
    response["Content-Type"] = "text/csv; charset=utf-8"
    response["Content-Disposition"] = 'attachment; filename="posizioni-debitorie.csv"'
    return response


def _detail_context(position: PaymentPosition, **forms) -> dict:
    options = list(position.options.prefetch_related("transfers").order_by("instalment"))
    unpaid = [option for option in options if option_payable(option, options)]
    return {
        "position": position,
        "options": options,
        "receipts": Receipt.objects.filter(option__position=position).order_by("received_at"),
        "remaining": position_remaining(position),
        "service": payment_service_get(position.service),
        "invalidate_form": forms.get("invalidate_form") or InvalidateForm(),
        "offline_form": forms.get("offline_form")
        or OfflinePaymentForm(options=PaymentOption.objects.filter(pk__in=[o.pk for o in unpaid])),
        "can_pay_offline": bool(unpaid),
    }


@operator_required(VIEW)
def position_detail(request: HttpRequest, pk: int) -> HttpResponse:
    position = get_object_or_404(PaymentPosition, pk=pk)
    audit_record(
        action="payment_position_viewed", actor=request.user, target=position, request=request
    )
    return render(request, "payments/operator/detail.html", _detail_context(position))


@require_POST
@operator_required("payments.invalidate_paymentposition")
def position_invalidate(request: HttpRequest, pk: int) -> HttpResponse:
    position = get_object_or_404(PaymentPosition, pk=pk)
    form = InvalidateForm(request.POST)
    if form.is_valid():
        try:
            services.position_invalidate(
                position=position, operator=request.user, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Posizione annullata: non si può più pagare."))
            return redirect("payments:operator_detail", pk=pk)
    position.refresh_from_db()
    return render(
        request,
        "payments/operator/detail.html",
        _detail_context(position, invalidate_form=form),
        status=400,
    )


@require_POST
@operator_required("payments.record_offline_payment")
def position_pay_offline(request: HttpRequest, pk: int) -> HttpResponse:
    position = get_object_or_404(PaymentPosition, pk=pk)
    form = OfflinePaymentForm(request.POST, options=position.options.all())
    if form.is_valid():
        try:
            services.payment_record_offline(
                option=form.cleaned_data["option"],
                operator=request.user,
                paid_on=form.cleaned_data["paid_on"],
                reference=form.cleaned_data["reference"],
                request=request,
            )
        except ApplicationError as error:
            form.add_error(
                error.extra.get("field") if error.extra.get("field") in form.fields else None,
                error.message,
            )
        else:
            messages.success(request, _("Pagamento registrato."))
            return redirect("payments:operator_detail", pk=pk)
    position.refresh_from_db()
    return render(
        request,
        "payments/operator/detail.html",
        _detail_context(position, offline_form=form),
        status=400,
    )


@operator_required(VIEW)
def anomaly_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(anomalies_open(), PAGE_SIZE).get_page(request.GET.get("pagina"))
    return render(
        request, "payments/operator/anomalies.html", {"page": page, "form": AnomalyResolveForm()}
    )


@require_POST
@operator_required("payments.change_receipt")
def anomaly_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = get_object_or_404(Receipt, pk=pk)
    form = AnomalyResolveForm(request.POST)
    if form.is_valid():
        try:
            services.receipt_anomaly_resolve(
                receipt=receipt,
                operator=request.user,
                note=form.cleaned_data["note"],
                request=request,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Anomalia chiusa."))
    else:
        messages.error(request, _("Scrivi che cosa è stato fatto per chiudere l'anomalia."))
    return redirect("payments:operator_anomalies")
