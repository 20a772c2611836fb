"""The citizen's cart: up to five notices of their household paid in one pagoPA checkout."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.payments.models import Cart, CartStatus, PaymentOption, PositionStatus
from sportello.payments.providers import provider_get
from sportello.payments.providers.base import ProviderError, ReturnUrls
from sportello.payments.selectors import household_options, option_payable
from sportello.payments.services.common import creditor_get
from sportello.payments.services.positions import position_publish_now

logger = logging.getLogger(__name__)


def cart_options_check(*, user, option_ids: Sequence[int]) -> list[PaymentOption]:
    """The options a citizen chose, if they may pay them together; ApplicationError otherwise."""
    wanted = list(dict.fromkeys(int(pk) for pk in option_ids))
    if not wanted:
        raise ApplicationError(_("Scegli almeno un avviso da pagare."))
    if len(wanted) > Cart.MAX_NOTICES:
        raise ApplicationError(
            _("Puoi pagare al massimo %(max)d avvisi insieme: togline qualcuno.")
            % {"max": Cart.MAX_NOTICES}
        )
    options = household_options(user=user, option_ids=wanted)
    if len(options) != len(wanted):
        raise ApplicationError(_("Uno degli avvisi scelti non è tra i tuoi."))
    for option in options:
        if not option_payable(option, option.position.options.all()):
            raise ApplicationError(
                _("L'avviso «%(what)s» non si può più pagare: è già pagato, annullato o scaduto.")
                % {"what": option.description}
            )
    positions = {}
    for option in options:
        kinds = positions.setdefault(option.position_id, set())
        kinds.add(option.is_partial_payment)
        if len(kinds) > 1:
            raise ApplicationError(
                _(
                    "Per «%(what)s» hai scelto sia l'unica soluzione sia una rata: scegli l'una "
                    "o le altre."
                )
                % {"what": option.position.title}
            )
    return options


def cart_return_urls(*, request) -> Callable[[Cart], ReturnUrls]:
    """Where the checkout sends the citizen back, for `cart_checkout`: this site's return page
    of the cart, by outcome."""

    def build(cart: Cart) -> ReturnUrls:
        def url(outcome: str) -> str:
            return request.build_absolute_uri(
                reverse("payments:cart_return", args=[cart.uuid, outcome])
            )

        return ReturnUrls(ok=url("ok"), cancel=url("cancel"), error=url("error"))

    return build


def cart_checkout(
    *, user, option_ids: Sequence[int], email: str, return_urls: Callable[[Cart], ReturnUrls]
) -> Cart:
    """Open a pagoPA checkout for the chosen notices; the cart's checkout_url is where the
    citizen goes next. Nothing is paid here: the receipts say what was."""
    options = cart_options_check(user=user, option_ids=option_ids)
    creditor = creditor_get()
    for option in options:
        if option.position.status == PositionStatus.DRAFT:
            position_publish_now(position=option.position)
    with transaction.atomic():
        cart = Cart.objects.create(user=user, email=(email or "").strip())
        cart.options.set(options)
        urls = return_urls(cart)
        cart.return_urls = {"ok": urls.ok, "cancel": urls.cancel, "error": urls.error}
        cart.save(update_fields=["return_urls"])
    try:
        cart.checkout_url = provider_get().cart_create(cart, creditor=creditor, return_urls=urls)
    except ProviderError as error:
        logger.warning("Checkout not opened for cart %s: %s", cart.uuid, error.message)
        Cart.objects.filter(pk=cart.pk).update(status=CartStatus.FAILED)
        raise ApplicationError(
            _(
                "Il sistema pagoPA in questo momento non risponde. Non ti è stato addebitato "
                "nulla: riprova tra qualche minuto, oppure scarica l'avviso e pagalo in banca, "
                "alla posta o in tabaccheria."
            )
        ) from None
    cart.save(update_fields=["checkout_url"])
    return cart


def cart_returned(*, cart: Cart, outcome: str) -> Cart:
    """The citizen came back from the checkout: paid (the receipt follows), left, or failed."""
    status = {
        "ok": CartStatus.COMPLETED,
        "cancel": CartStatus.CANCELLED,
        "error": CartStatus.FAILED,
    }.get(outcome)
    if status is None:
        raise ApplicationError(_("Esito del pagamento sconosciuto."))
    # Only the first return counts: a reload of the page must not turn "paid" into "cancelled".
    Cart.objects.filter(pk=cart.pk, returned_at__isnull=True).update(
        status=status, returned_at=timezone.now()
    )
    cart.refresh_from_db()
    return cart
