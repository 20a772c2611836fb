"""SMS through a Kannel gateway's sendsms interface (smsbox), which passes them to its SMSCs.

settings.SPORTELLO_KANNEL = {
    "url": "http://kannel.lan:13013/cgi-bin/sendsms",  # required
    "username": "sportello",                            # required: a sendsms-user
    "password": "...",                                  # required (from a _FILE variable)
    "dlr_url_base": "http://sportello.lan:8000",        # optional: SPORTELLO_PUBLIC_URL
    "timeout": 10,                                      # optional: seconds
}

Kannel splits a long text itself: its sendsms-user needs `max-messages` above 1 (a 1 would cut
the text) and `concatenation = true`. A text in the GSM alphabet goes as UTF-8 and Kannel
converts it; any other goes as UCS-2 (coding=2, UTF-16BE). Kannel reports delivery by calling
the dlr-url we give it (kannel_views.py), with %d replaced by the report type; the address
carries a token signed with our SECRET_KEY, since Kannel signs nothing.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import reverse

from sportello.channels.base import ChannelError, DeliveryStatus, NotConfigured, ProviderResult
from sportello.channels.gsm import GSM7, sms_encoding
from sportello.channels.models import Delivery
from sportello.channels.phones import phone_callable, phone_e164

REQUIRED = ("url", "username", "password")
DLR_SALT = "kannel-dlr"
# Every report: delivered (1), failed (2), buffered (4), SMSC accepted (8), SMSC rejected (16).
DLR_MASK = 31


class KannelSms:
    name = "kannel"

    def send(self, delivery: Delivery) -> ProviderResult:
        config = kannel_config()
        text = delivery.payload.get("text")
        if not text:
            raise ChannelError("SMS senza testo.", permanent=True)
        to = phone_e164(delivery.to)
        if to is None or not phone_callable(to):
            raise ChannelError(f"Numero non raggiungibile via SMS: {delivery.to}", permanent=True)
        query: dict[str, Any] = {
            "username": config["username"],
            "password": config["password"],
            "to": to,
            "dlr-mask": DLR_MASK,
            "dlr-url": kannel_dlr_url(delivery.pk, base=config["dlr_url_base"]),
        }
        if delivery.sender:
            query["from"] = delivery.sender
        if sms_encoding(text) == GSM7:
            query.update(text=text.encode("utf-8"), charset="UTF-8")
        else:
            query.update(text=text.encode("utf-16-be"), charset="UTF-16BE", coding=2)
        url = config["url"] + ("&" if "?" in config["url"] else "?") + urllib.parse.urlencode(query)
        _get(url, timeout=config["timeout"])
        # Kannel gives no id of its own: its reports come to the delivery's own address.
        return ProviderResult(provider_id="", status=DeliveryStatus.ACCEPTED)


def kannel_dlr_token(delivery_id: int) -> str:
    return signing.Signer(salt=DLR_SALT).signature(str(delivery_id))


def kannel_dlr_url(delivery_id: int, *, base: str) -> str:
    """Our report address for Kannel: %d becomes the report type, %A the SMSC's words."""
    path = reverse("kannel:dlr", kwargs={"delivery_id": delivery_id})
    token = kannel_dlr_token(delivery_id)
    return f"{base.rstrip('/')}{path}?status=%d&token={token}&reply=%A"


def kannel_config() -> dict[str, Any]:
    config = getattr(settings, "SPORTELLO_KANNEL", None) or {}
    missing = [key for key in REQUIRED if not config.get(key)]
    if missing:
        raise NotConfigured(f"Kannel non configurato: manca {', '.join(missing)}.")
    return {
        "url": config["url"],
        "username": config["username"],
        "password": config["password"],
        "dlr_url_base": config.get("dlr_url_base") or settings.SPORTELLO_PUBLIC_URL,
        "timeout": float(config.get("timeout") or 10),
    }


def _get(url: str, *, timeout: float) -> str:
    """Kannel's answer: 202 '0: Accepted for delivery' or '3: Queued for later delivery'.
    A 4xx is a request it will refuse again as it is (a wrong password, a missing field);
    a 5xx or no answer may pass."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our URL
            return response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        answer = error.read().decode("utf-8", "replace").strip()[:200]
        raise ChannelError(
            f"Kannel HTTP {error.code}: {answer}", permanent=400 <= error.code < 500
        ) from error
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ChannelError(f"Kannel non raggiungibile ({reason})") from error
