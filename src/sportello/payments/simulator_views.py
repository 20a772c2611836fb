"""The simulator's checkout page: what pagoPA's Checkout shows a citizen, on this machine. Only
there when the simulator is the provider; production refuses the simulator altogether."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from sportello.core.access import public
from sportello.payments.models import Cart, OptionStatus
from sportello.payments.simulator import simulator_pay

METHODS = {"CP": "Carta di pagamento", "BBT": "Conto corrente (bonifico)", "PPAL": "PayPal"}


@never_cache
@public
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, cart_uuid: str) -> HttpResponse:
    if ".payments.providers.simulator." not in settings.SPORTELLO_PAYMENTS_PROVIDER:
        raise Http404
    cart = get_object_or_404(Cart, uuid=cart_uuid)
    options = list(cart.options.select_related("position").order_by("pk"))
    already = any(option.status == OptionStatus.PAID for option in options)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "leave":
            return redirect(cart.return_urls.get("cancel") or "payments:home")
        if action == "refuse":
            return redirect(cart.return_urls.get("error") or "payments:home")
        if action == "pay" and not already:
            method = request.POST.get("method", "CP")
            # One payment per cart, whatever the double clicks.
            if cache.add(f"payments-simulator-paid:{cart.uuid}", True, 24 * 3600):
                simulator_pay(cart=cart, method=method if method in METHODS else "CP")
            return redirect(cart.return_urls.get("ok") or "payments:home")
    return render(
        request,
        "payments/simulator/checkout.html",
        {
            "cart": cart,
            "options": options,
            "total": sum(option.amount for option in options),
            "already": already,
            "methods": METHODS,
        },
    )
