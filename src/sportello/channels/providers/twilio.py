"""Twilio for voice calls (`TwilioVoice`) and SMS (`TwilioSms`), through the official library.

A call only carries the address of our answer webhook (twilio_views.py): Twilio fetches what to
say from there, step by step, as TwiML rendered from the same IVR flows the simulator runs.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from sportello.channels.base import ChannelError, DeliveryStatus, NotConfigured, ProviderResult
from sportello.channels.models import Delivery
from sportello.channels.phones import phone_callable

# Twilio's answer to a request is the fastest part of a call; if it takes longer, the worker
# gives up and retries rather than holding the voice queue.
HTTP_TIMEOUT = 20

# Twilio's call and message statuses as ours: in the status callbacks (twilio_views.py) and
# when a lost send is looked up.
CALL_STATUSES = {
    "queued": DeliveryStatus.SENT,
    "initiated": DeliveryStatus.SENT,
    "ringing": DeliveryStatus.RINGING,
    "in-progress": DeliveryStatus.ANSWERED,
    "completed": DeliveryStatus.COMPLETED,
    "busy": DeliveryStatus.BUSY,
    "no-answer": DeliveryStatus.NO_ANSWER,
    "failed": DeliveryStatus.FAILED,
    "canceled": DeliveryStatus.CANCELED,
}
SMS_STATUSES = {
    "accepted": DeliveryStatus.SENT,
    "scheduled": DeliveryStatus.SENT,
    "queued": DeliveryStatus.SENT,
    "sending": DeliveryStatus.SENT,
    "sent": DeliveryStatus.ACCEPTED,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED,
    "undelivered": DeliveryStatus.FAILED,
    "failed": DeliveryStatus.FAILED,
    "canceled": DeliveryStatus.CANCELED,
}

# Error codes that say the number itself cannot be called or texted from this account: a wrong,
# unreachable or blocked number, a country not enabled, a recipient who opted out. Retrying
# cannot help. https://www.twilio.com/docs/api/errors
NUMBER_ERRORS = {
    13223,  # Dial: invalid phone number format
    13224,  # Twilio does not support calling this number or the number is invalid
    13227,  # geo permissions: no international permission for this number
    21210,  # 'From' number not verified for this account
    21211,  # invalid 'To' number
    21212,  # invalid 'From' number
    21214,  # 'To' number cannot be reached
    21215,  # geo permissions: account not authorised to call this number
    21216,  # account not allowed to call premium numbers
    21217,  # phone number does not appear to be valid
    21219,  # 'To' not verified (trial account)
    21408,  # SMS to this region not enabled
    21606,  # 'From' number cannot send SMS
    21608,  # 'To' not verified (trial account, SMS)
    21610,  # recipient unsubscribed (STOP)
    21612,  # 'To' and 'From' cannot be connected
    21614,  # 'To' is not a mobile number
    21635,  # 'To' is a landline
}
RATE_LIMITED = 20429


def twilio_http_client() -> HttpClient:
    """The HTTP transport of the Twilio library; tests replace it to catch the wire payload."""
    return TwilioHttpClient(timeout=HTTP_TIMEOUT)


def twilio_client() -> Client:
    account_sid = getattr(settings, "TWILIO_ACCOUNT_SID", "")
    auth_token = getattr(settings, "TWILIO_AUTH_TOKEN", "")
    if not account_sid or not auth_token:
        raise NotConfigured("Twilio non configurato (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN).")
    return Client(account_sid, auth_token, http_client=twilio_http_client())


def public_url(path: str) -> str:
    """The address Twilio uses to reach `path` here (and signs its requests with)."""
    return settings.SPORTELLO_PUBLIC_URL.rstrip("/") + path


def _check_recipient(delivery: Delivery) -> None:
    """Only ordinary numbers of the allowed countries, before any request leaves (no toll
    fraud, no premium rates)."""
    if not phone_callable(delivery.to):
        raise ChannelError(f"Numero non chiamabile: {delivery.to}", permanent=True)
    if not delivery.sender:
        raise ChannelError("Manca il numero mittente del Comune.", permanent=True)


def _channel_error(error: TwilioException) -> ChannelError:
    if isinstance(error, TwilioRestException | TwilioServiceException):
        status, code = error.status, error.code
        # 429 and 5xx pass; any other 4xx is a request Twilio will refuse again as it is.
        transient = status == 429 or status >= 500 or code == RATE_LIMITED
        if code in NUMBER_ERRORS:
            message = f"Twilio {code}: numero non valido, non raggiungibile o non abilitato"
        else:
            message = f"Twilio HTTP {status}, errore {code}"
        return ChannelError(message, permanent=not transient)
    return ChannelError(f"Twilio: {error}")


class TwilioVoice:
    name = "twilio"

    def send(self, delivery: Delivery) -> ProviderResult:
        client = twilio_client()
        _check_recipient(delivery)
        answer = reverse("twilio:voice", kwargs={"delivery_id": delivery.pk, "step": "start"})
        options = {}
        if getattr(settings, "TWILIO_MACHINE_DETECTION", True):
            # A message meant for voicemail (alerts) starts after the beep; otherwise the flow
            # only needs to know early whether a person answered.
            voicemail = delivery.payload.get("voicemail")
            options["machine_detection"] = "DetectMessageEnd" if voicemail else "Enable"
        try:
            call = client.calls.create(
                to=delivery.to,
                from_=delivery.sender,
                url=public_url(answer),
                status_callback=public_url(reverse("twilio:voice_status")),
                status_callback_event=["initiated", "ringing", "answered", "completed"],
                **options,
            )
        except TwilioException as error:
            raise _channel_error(error) from error
        except OSError as error:  # requests' connection errors and timeouts are OSErrors
            raise ChannelError(f"Twilio non raggiungibile ({type(error).__name__})") from error
        return ProviderResult(provider_id=call.sid, status=DeliveryStatus.SENT)

    def lookup(self, delivery: Delivery) -> ProviderResult | None:
        """After a worker died mid-send: the call Twilio created for this delivery, if any
        (same numbers, created after the row was claimed)."""
        found = _find(
            lambda client: client.calls.list(to=delivery.to, from_=delivery.sender, limit=20),
            delivery,
        )
        if found is None:
            return None
        return ProviderResult(
            provider_id=found.sid, status=CALL_STATUSES.get(found.status, DeliveryStatus.SENT)
        )


class TwilioSms:
    name = "twilio-sms"

    def send(self, delivery: Delivery) -> ProviderResult:
        client = twilio_client()
        _check_recipient(delivery)
        try:
            message = client.messages.create(
                to=delivery.to,
                from_=delivery.sender,
                body=delivery.payload["text"],
                status_callback=public_url(reverse("twilio:sms_status")),
            )
        except TwilioException as error:
            raise _channel_error(error) from error
        except OSError as error:
            raise ChannelError(f"Twilio non raggiungibile ({type(error).__name__})") from error
        return ProviderResult(provider_id=message.sid, status=DeliveryStatus.SENT)

    def lookup(self, delivery: Delivery) -> ProviderResult | None:
        found = _find(
            lambda client: client.messages.list(to=delivery.to, from_=delivery.sender, limit=20),
            delivery,
        )
        if found is None:
            return None
        return ProviderResult(
            provider_id=found.sid, status=SMS_STATUSES.get(found.status, DeliveryStatus.SENT)
        )


def _find(listing, delivery: Delivery):
    """The newest resource Twilio created for these numbers since the row was claimed (a minute
    of clock difference allowed); ChannelError when Twilio cannot be asked."""
    claimed = getattr(delivery, "claimed_at", None)
    try:
        resources = listing(twilio_client())
    except TwilioException as error:
        raise _channel_error(error) from error
    except OSError as error:
        raise ChannelError(f"Twilio non raggiungibile ({type(error).__name__})") from error
    since = claimed - datetime.timedelta(minutes=1) if claimed else None
    for resource in resources:
        if since is None or (resource.date_created and resource.date_created >= since):
            return resource
    return None
