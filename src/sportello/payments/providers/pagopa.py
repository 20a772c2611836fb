"""The real pagoPA: GPD (debt positions), GPD's receipts API and Checkout's EC API.

Every call carries the API product's subscription key (Ocp-Apim-Subscription-Key), has a timeout,
and is repeated with exponential backoff when pagoPA answers 429 or 5xx or does not answer
(urllib3's Retry, honouring Retry-After); a 4xx is never repeated. Creating a position twice is
safe: the second answer is 409 and the position is then read back.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any
from urllib.parse import quote

import requests
from django.conf import settings
from django.utils import timezone
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from sportello.payments.models import Cart, PaymentPosition
from sportello.payments.providers.base import Creditor, ProviderError, ReturnUrls

logger = logging.getLogger(__name__)

RETRY_STATUSES = (429, 500, 502, 503, 504)
KNOWN_STATUSES = {
    "DRAFT",
    "PUBLISHED",
    "VALID",
    "INVALID",
    "EXPIRED",
    "PARTIALLY_PAID",
    "PAID",
    "REPORTED",
}


class NotConfigured(ProviderError):
    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


def _end_of_day(day: datetime.date) -> str:
    """A due date as GPD's date-time: the end of that day, Italian time, with its offset."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))
    return moment.isoformat(timespec="seconds")


def _drop_blank(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in ("", None)}


def position_payload(position: PaymentPosition, *, creditor: Creditor) -> dict[str, Any]:
    """The position as GPD's PaymentPositionModel."""
    options = []
    for option in position.options.all():
        transfers = []
        for transfer in option.transfers.all():
            item = {
                "idTransfer": str(transfer.id_transfer),
                "amount": transfer.amount,
                "organizationFiscalCode": transfer.organization_fiscal_code,
                "companyName": transfer.company_name[:140],
                "remittanceInformation": transfer.remittance_information,
                "category": transfer.category,
            }
            if transfer.stamp_hash:
                item["stamp"] = {
                    "hashDocument": transfer.stamp_hash,
                    "stampType": transfer.stamp_type,
                    "provincialResidence": transfer.stamp_province,
                }
            else:
                item["iban"] = transfer.iban
            transfers.append(item)
        options.append(
            {
                "iuv": option.iuv,
                "amount": option.amount,
                "description": option.description,
                "isPartialPayment": option.is_partial_payment,
                "dueDate": _end_of_day(option.due_date),
                "fee": 0,
                "transfer": transfers,
            }
        )
    return {
        **_drop_blank(
            {
                "iupd": position.iupd,
                "type": position.debtor_type,
                "fiscalCode": position.debtor_fiscal_code,
                "fullName": position.debtor_name,
                "streetName": position.debtor_street,
                "civicNumber": position.debtor_civic_number,
                "postalCode": position.debtor_postal_code,
                "city": position.debtor_city,
                "province": position.debtor_province,
                "country": position.debtor_country,
                "email": position.debtor_email,
                "companyName": position.company_name[:140],
                "officeName": position.office_name[:140],
            }
        ),
        "switchToExpired": position.switch_to_expired,
        "payStandIn": False,
        "paymentOption": options,
    }


def cart_payload(cart: Cart, *, creditor: Creditor, return_urls: ReturnUrls) -> dict[str, Any]:
    """The cart as Checkout's CartRequest (at most five notices)."""
    notices = [
        {
            "noticeNumber": option.notice_number,
            "fiscalCode": creditor.fiscal_code,
            "amount": option.amount,
            "companyName": creditor.name[:140],
            "description": option.description[:140],
        }
        for option in cart.options.order_by("pk")
    ]
    payload: dict[str, Any] = {
        "paymentNotices": notices,
        "returnUrls": {
            "returnOkUrl": return_urls.ok,
            "returnCancelUrl": return_urls.cancel,
            "returnErrorUrl": return_urls.error,
        },
        "idCart": str(cart.uuid),
        "allCCP": False,
    }
    if cart.email:
        payload["emailNotice"] = cart.email
    return payload


class PagoPA:
    name = "pagopa"
    polls_receipts = True

    def __init__(self) -> None:
        self.gpd_url = settings.SPORTELLO_PAGOPA_GPD_URL.rstrip("/")
        self.receipts_url = settings.SPORTELLO_PAGOPA_RECEIPTS_URL.rstrip("/")
        self.checkout_url = settings.SPORTELLO_PAGOPA_CHECKOUT_URL.rstrip("/")
        self.gpd_key = settings.SPORTELLO_PAGOPA_GPD_KEY
        self.checkout_key = settings.SPORTELLO_PAGOPA_CHECKOUT_KEY
        self.timeout = settings.SPORTELLO_PAGOPA_TIMEOUT
        self.session = self._session(settings.SPORTELLO_PAGOPA_RETRIES)
        # A citizen waits on the checkout: one retry at most, so that a pagoPA that hangs is
        # reported before the web server gives up on the request.
        self.interactive = self._session(min(1, settings.SPORTELLO_PAGOPA_RETRIES))

    def _session(self, retries: int) -> requests.Session:
        retry = Retry(
            total=retries,
            status_forcelist=RETRY_STATUSES,
            # Every method: creating twice answers 409, publishing or invalidating twice too.
            allowed_methods=None,
            backoff_factor=settings.SPORTELLO_PAGOPA_BACKOFF,
            respect_retry_after_header=True,
            # Never the hours a Retry-After may ask for: no longer than an answer is awaited.
            retry_after_max=self.timeout,
            raise_on_status=False,
            raise_on_redirect=False,
        )
        session = requests.Session()
        session.mount("https://", HTTPAdapter(max_retries=retry))
        session.mount("http://", HTTPAdapter(max_retries=retry))
        return session

    # --- HTTP --------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        url: str,
        *,
        key: str | None,
        interactive: bool = False,
        **kwargs: Any,
    ) -> requests.Response:
        if not key:
            raise NotConfigured(
                "The pagoPA subscription key is not set (SPORTELLO_PAGOPA_GPD_KEY, "
                "SPORTELLO_PAGOPA_CHECKOUT_KEY)."
            )
        headers = {"Ocp-Apim-Subscription-Key": key, "Accept": "application/json"}
        headers.update(kwargs.pop("headers", {}))
        try:
            session = self.interactive if interactive else self.session
            response = session.request(method, url, headers=headers, timeout=self.timeout, **kwargs)
        except requests.RequestException as exc:
            raise ProviderError(
                f"pagoPA did not answer {method} {url}: {type(exc).__name__}"
            ) from exc
        if response.status_code in (401, 403):
            raise ProviderError(
                f"pagoPA refused the subscription key ({response.status_code} on {method} {url})",
                permanent=True,
            )
        if response.status_code in RETRY_STATUSES:
            raise ProviderError(f"pagoPA answered {response.status_code} to {method} {url}")
        return response

    def _json(self, response: requests.Response, what: str) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError:
            raise ProviderError(f"pagoPA answered {what} with something that is not JSON") from None
        if not isinstance(data, dict):
            raise ProviderError(f"pagoPA answered {what} with JSON that is not an object")
        return data

    def _problem(self, response: requests.Response) -> str:
        try:
            detail = response.json().get("detail") or response.json().get("title")
        except (ValueError, AttributeError):
            detail = None
        return f"{response.status_code} {detail or response.reason}"[:250]

    def _position_url(self, creditor: Creditor, iupd: str = "") -> str:
        url = f"{self.gpd_url}/organizations/{quote(creditor.fiscal_code)}/debtpositions"
        return f"{url}/{quote(iupd, safe='')}" if iupd else url

    def _status_from(self, data: dict[str, Any], what: str) -> str:
        status = data.get("status")
        if status not in KNOWN_STATUSES:
            raise ProviderError(f"pagoPA answered {what} with an unknown status {status!r}")
        return status

    # --- Debt positions ------------------------------------------------------------------------

    def position_publish(self, position: PaymentPosition, *, creditor: Creditor) -> str:
        payload = position_payload(position, creditor=creditor)
        response = self._call(
            "POST",
            self._position_url(creditor),
            key=self.gpd_key,
            params={"toPublish": "true"},
            json=payload,
        )
        if response.status_code == 201:
            return self._status_from(self._json(response, "the new position"), "the new position")
        if response.status_code == 409:  # already created (an earlier attempt got through)
            status = self.position_status(position, creditor=creditor)
            if status == "DRAFT":
                return self._publish_existing(position, creditor=creditor)
            if status is None:
                raise ProviderError("pagoPA reports a duplicate it cannot find", permanent=True)
            return status
        if 400 <= response.status_code < 500:
            raise ProviderError(
                f"pagoPA refused the position: {self._problem(response)}", permanent=True
            )
        raise ProviderError(f"pagoPA answered {response.status_code} creating a position")

    def _publish_existing(self, position: PaymentPosition, *, creditor: Creditor) -> str:
        response = self._call(
            "POST", self._position_url(creditor, position.iupd) + "/publish", key=self.gpd_key
        )
        if response.status_code == 200:
            return self._status_from(self._json(response, "publish"), "publish")
        raise ProviderError(
            f"pagoPA did not publish the position: {self._problem(response)}",
            permanent=400 <= response.status_code < 500,
        )

    def position_invalidate(self, position: PaymentPosition, *, creditor: Creditor) -> None:
        response = self._call(
            "POST", self._position_url(creditor, position.iupd) + "/invalidate", key=self.gpd_key
        )
        if response.status_code in (200, 404):  # 404: never reached pagoPA
            return
        if response.status_code == 409:
            status = self.position_status(position, creditor=creditor)
            if status in ("INVALID", "EXPIRED", None):
                return
            raise ProviderError(f"pagoPA cannot annul a position that is {status}", permanent=True)
        raise ProviderError(
            f"pagoPA did not annul the position: {self._problem(response)}",
            permanent=400 <= response.status_code < 500,
        )

    def position_status(self, position: PaymentPosition, *, creditor: Creditor) -> str | None:
        response = self._call("GET", self._position_url(creditor, position.iupd), key=self.gpd_key)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ProviderError(f"pagoPA answered {self._problem(response)} reading a position")
        return self._status_from(self._json(response, "a position"), "a position")

    # --- Checkout ------------------------------------------------------------------------------

    def cart_create(self, cart: Cart, *, creditor: Creditor, return_urls: ReturnUrls) -> str:
        response = self._call(
            "POST",
            f"{self.checkout_url}/carts",
            key=self.checkout_key,
            interactive=True,
            json=cart_payload(cart, creditor=creditor, return_urls=return_urls),
            allow_redirects=False,
        )
        if response.status_code == 302:
            location = response.headers.get("Location", "")
            if location.startswith(("https://", "http://")):
                return location
            raise ProviderError("pagoPA Checkout answered 302 without a valid address")
        if 400 <= response.status_code < 500:
            raise ProviderError(
                f"pagoPA Checkout refused the cart: {self._problem(response)}", permanent=True
            )
        raise ProviderError(f"pagoPA Checkout answered {response.status_code}")

    # --- Receipts ------------------------------------------------------------------------------

    def receipts_list(self, *, creditor: Creditor, since: datetime.date) -> list[str]:
        url = f"{self.receipts_url}/payments/{quote(creditor.fiscal_code)}/receipts"
        found: list[str] = []
        page_size = 100
        for page in range(1000):
            response = self._call(
                "GET",
                url,
                key=self.gpd_key,
                params={"from": since.isoformat(), "pageNum": page, "pageSize": page_size},
            )
            if response.status_code == 404:  # "no receipts found"
                break
            if response.status_code != 200:
                raise ProviderError(f"pagoPA answered {self._problem(response)} listing receipts")
            items = self._json(response, "the receipts list").get("receipts_list")
            if not isinstance(items, list):
                raise ProviderError("pagoPA's receipts list has no receipts_list")
            found.extend(
                item["iuv"] for item in items if isinstance(item, dict) and item.get("iuv")
            )
            if len(items) < page_size:
                break
        return found

    def receipt_get(self, *, creditor: Creditor, iuv: str) -> bytes:
        url = f"{self.receipts_url}/payments/{quote(creditor.fiscal_code)}/receipts/{quote(iuv)}"
        response = self._call("GET", url, key=self.gpd_key, headers={"Accept": "application/xml"})
        if response.status_code != 200:
            raise ProviderError(
                f"pagoPA answered {self._problem(response)} for the receipt of {iuv}",
                permanent=response.status_code in (404, 422),
            )
        return response.content
