"""«I miei pagamenti»: the household ledger, the summary before paying, the return from the
checkout, and the notices and receipts as PDFs."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sportello.core.decorators import certified_required
from sportello.core.exceptions import ApplicationError
from sportello.core.pending_forms import pending_form_initial
from sportello.core.services import audit_record
from sportello.payments import services
from sportello.payments.forms import CartConfirmForm
from sportello.payments.hooks import payment_service_get
from sportello.payments.models import Cart, OptionStatus
from sportello.payments.rendering import notice_pdf, receipt_pdf
from sportello.payments.selectors import (
    cart_of,
    household_position_get,
    household_positions,
    household_receipt_get,
    option_payable,
    position_remaining,
)


def _rows(positions) -> list[dict]:
    rows = []
    for position in positions:
        options = list(position.options.all())
        rows.append(
            {
                "position": position,
                "options": [
                    {"option": option, "payable": option_payable(option, options)}
                    for option in options
                ],
                "remaining": position_remaining(position),
                "mine": True,
            }
        )
    return rows


@never_cache
@certified_required
def home(request: HttpRequest) -> HttpResponse:
    """Every open position of the citizen and of the minors in their family, with what can go in
    the cart; then the history of what was paid."""
    person_code = request.user.person.codice_fiscale
    open_rows = _rows(household_positions(user=request.user, open_only=True))
    paid_rows = _rows(household_positions(user=request.user, open_only=False))
    for row in open_rows + paid_rows:
        row["mine"] = row["position"].debtor_fiscal_code == person_code
    selected = {int(value) for value in request.GET.getlist("option") if value.isdigit()}
    return render(
        request,
        "payments/home.html",
        {
            "open_rows": open_rows,
            "paid_rows": paid_rows,
            "selected": selected,
            "max_notices": Cart.MAX_NOTICES,
        },
    )


@never_cache
@certified_required
@require_http_methods(["GET", "POST"])
def summary(request: HttpRequest) -> HttpResponse:
    """The summary before paying: what, for whom, how much; «Modifica» or «Paga con pagoPA»."""
    if request.method == "POST":
        form = CartConfirmForm(request.POST)
        option_ids = [int(v) for v in request.POST.getlist("option") if v.isdigit()]
    else:
        option_ids = [int(v) for v in request.GET.getlist("option") if v.isdigit()]
        email = request.user.email
        restored = pending_form_initial(request=request)
        if restored is not None:  # posted after the session had expired
            values = restored.get("option", [])
            values = values if isinstance(values, list) else [values]
            option_ids = [int(v) for v in values if str(v).isdigit()]
            email = restored.get("email", email)
        form = CartConfirmForm(
            option_ids=option_ids, initial={"email": email, "option": option_ids}
        )
    try:
        options = services.cart_options_check(user=request.user, option_ids=option_ids)
    except ApplicationError as error:
        messages.error(request, error.message)
        query = "&".join(f"option={pk}" for pk in option_ids)
        return redirect(reverse("payments:home") + (f"?{query}" if query else ""))
    if request.method == "POST" and form.is_valid():
        try:
            cart = services.cart_checkout(
                user=request.user,
                option_ids=option_ids,
                email=form.cleaned_data["email"],
                return_urls=services.cart_return_urls(request=request),
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            return redirect(cart.checkout_url)
    edit_query = "&".join(f"option={option.pk}" for option in options)
    return render(
        request,
        "payments/summary.html",
        {
            "form": form,
            "options": options,
            "total": sum(option.amount for option in options),
            "edit_url": reverse("payments:home") + f"?{edit_query}",
        },
        status=400 if request.method == "POST" else 200,
    )


def _cart_items(cart: Cart) -> list[dict]:
    items = []
    for option in cart.options.select_related("position").order_by("pk"):
        receipt = option.receipts.filter(pays_option=True).first()
        service = payment_service_get(option.position.service)
        follow_up = (
            service.follow_up_url(option.position.service_reference)
            if (receipt and service.follow_up_url)
            else None
        )
        items.append(
            {"option": option, "receipt": receipt, "follow_up": follow_up, "service": service}
        )
    return items


@never_cache
@certified_required
def cart_return(request: HttpRequest, cart_uuid: str, outcome: str) -> HttpResponse:
    """Back from pagoPA: the outcome on screen, each notice's receipt as it arrives."""
    cart = cart_of(user=request.user, cart_uuid=cart_uuid)
    if cart is None:
        raise Http404
    try:
        cart = services.cart_returned(cart=cart, outcome=outcome)
    except ApplicationError:
        raise Http404 from None
    items = _cart_items(cart)
    return render(
        request,
        "payments/cart_return.html",
        {
            "cart": cart,
            "items": items,
            "waiting": cart.status == "completed"
            and any(item["receipt"] is None for item in items),
            "total": sum(item["option"].amount for item in items),
        },
    )


@never_cache
@certified_required
def cart_status(request: HttpRequest, cart_uuid: str) -> JsonResponse:
    """For the return page: whether every receipt of the cart has arrived."""
    cart = cart_of(user=request.user, cart_uuid=cart_uuid)
    if cart is None:
        raise Http404
    waiting = cart.options.filter(status=OptionStatus.UNPAID).count()
    return JsonResponse({"waiting": waiting})


def _audit_household(request: HttpRequest, *, action: str, position) -> None:
    if position.debtor_fiscal_code != request.user.person.codice_fiscale:
        audit_record(
            action=action,
            actor=request.user,
            target=position,
            request=request,
            detail={"debtor": position.debtor_fiscal_code},
        )


@certified_required
def notice_download(request: HttpRequest, iupd: str) -> HttpResponse:
    position = household_position_get(user=request.user, iupd=iupd)
    if position is None:
        raise Http404
    try:
        creditor = services.creditor_get()
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("payments:home")
    _audit_household(request, action="payment_notice_downloaded", position=position)
    response = HttpResponse(
        notice_pdf(position=position, creditor_fiscal_code=creditor.fiscal_code),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'attachment; filename="avviso-pagopa-{position.pk}.pdf"'
    return response


@certified_required
def receipt_download(request: HttpRequest, pk: int) -> HttpResponse:
    receipt = household_receipt_get(user=request.user, pk=pk)
    if receipt is None:
        raise Http404
    _audit_household(request, action="payment_receipt_downloaded", position=receipt.option.position)
    response = HttpResponse(receipt_pdf(receipt=receipt), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="ricevuta-pagopa-{receipt.option.notice_number}.pdf"'
    )
    return response
