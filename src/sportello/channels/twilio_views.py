"""Twilio's webhooks: what to say on a call (TwiML from the IVR flows) and the status callbacks.

Every request must carry Twilio's signature (X-Twilio-Signature, HMAC of our public URL and the
POST parameters with the account's auth token); anything else gets 403 and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import VoiceResponse

from sportello.channels import ivr
from sportello.channels.base import DeliveryStatus, Medium
from sportello.channels.models import Delivery
from sportello.channels.phones import phone_e164
from sportello.channels.providers.twilio import (
    CALL_STATUSES,
    SMS_STATUSES,
    TwilioSms,
    TwilioVoice,
    public_url,
)
from sportello.channels.services import delivery_status_update, voice_call_step
from sportello.core.access import public

_LANGUAGES = {"it": "it-IT", "en": "en-GB"}
# What Twilio puts in From when the caller hides the number (anonymous, restricted, ...).
_HIDDEN_CALLERS = {
    "anonymous",
    "restricted",
    "blocked",
    "unknown",
    "unavailable",
    "private",
    "+266696687",
    "+7378742833",
    "+2562533",
    "+8656696",
    "+86282452253",
}


def twilio_webhook(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """POST only, no CSRF token (Twilio has none), a valid Twilio signature or 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = getattr(settings, "TWILIO_AUTH_TOKEN", "")
        signature = request.headers.get("X-Twilio-Signature", "")
        url = public_url(request.get_full_path())
        if not token or not signature:
            return HttpResponseForbidden()
        if not RequestValidator(token).validate(url, request.POST, signature):
            return HttpResponseForbidden()
        return view(request, *args, **kwargs)

    return public(csrf_exempt(require_POST(wrapper)))


def _answered_by(value: str) -> str:
    """Twilio's AnsweredBy (human, machine_start, machine_end_beep, fax, unknown) in ours."""
    if value == "human":
        return "human"
    if value.startswith("machine_"):
        return "machine"
    return "unknown"


def _twiml(prompt: ivr.Prompt, *, action: Callable[[str], str]) -> HttpResponse:
    """The Prompt as TwiML; `action(step)` is the address that hears the keys for `step`."""
    response = VoiceResponse()
    if prompt.gather is None:
        _add_parts(response, prompt.parts)
        if prompt.hangup:
            response.hangup()
    elif prompt.gather.empty_to_step:
        # No key is news for the flow too (it counts the repetitions itself).
        gather = response.gather(
            action=action(prompt.gather.step),
            method="POST",
            num_digits=prompt.gather.num_digits,
            timeout=prompt.gather.timeout,
            action_on_empty_result=True,
        )
        _add_parts(gather, prompt.parts)
        response.hangup()
    else:
        # Without a key Twilio goes on to the next verb: the prompt once more, then goodbye.
        # Repeating here, rather than redirecting, can never loop on an answering machine.
        for _round in range(2):
            gather = response.gather(
                action=action(prompt.gather.step),
                method="POST",
                num_digits=prompt.gather.num_digits,
                timeout=prompt.gather.timeout,
            )
            _add_parts(gather, prompt.parts)
        response.hangup()
    return HttpResponse(str(response), content_type="text/xml")


def _add_parts(verb: Any, parts: list[ivr.Say | ivr.Play | ivr.Pause]) -> None:
    for part in parts:
        if isinstance(part, ivr.Say):
            verb.say(part.text, language=_LANGUAGES.get(part.language, "it-IT"))
        elif isinstance(part, ivr.Play):
            verb.play(public_url(part.url) if part.url.startswith("/") else part.url)
        elif isinstance(part, ivr.Pause):
            verb.pause(length=part.seconds)


@twilio_webhook
def voice(request: HttpRequest, delivery_id: int, step: str) -> HttpResponse:
    """An outbound call we placed has been answered, or its callee pressed keys."""
    delivery = Delivery.objects.filter(pk=delivery_id, medium=Medium.VOICE).first()
    if delivery is None:
        return _twiml(ivr.Prompt([]), action=str)
    digits = request.POST.get("Digits", "")
    raw_answered_by = request.POST.get("AnsweredBy", "")
    answered_by = _answered_by(raw_answered_by)
    prompt = voice_call_step(
        delivery=delivery,
        step=step,
        digits=digits,
        answered_by=answered_by,
        detail={"AnsweredBy": raw_answered_by} if raw_answered_by else None,
    )

    def action(next_step: str) -> str:
        return public_url(
            reverse("twilio:voice", kwargs={"delivery_id": delivery.pk, "step": next_step})
        )

    return _twiml(prompt, action=action)


@twilio_webhook
def voice_inbound(request: HttpRequest, step: str) -> HttpResponse:
    """Someone called one of the municipality's lines (configure it on the number in Twilio)."""
    called = request.POST.get("To", "")
    raw_caller = request.POST.get("From", "")
    hidden = raw_caller.strip().lower() in _HIDDEN_CALLERS
    caller = "" if hidden else (phone_e164(raw_caller) or "")
    flow = ivr.inbound_flow_for(called=called)
    if flow is None:
        return _twiml(ivr.unknown_line(), action=str)
    call = ivr.Call(flow=flow, caller=caller, line=called, language="it")
    prompt = ivr.ivr_run(call, step, request.POST.get("Digits", ""))

    def action(next_step: str) -> str:
        return public_url(reverse("twilio:voice_inbound", kwargs={"step": next_step}))

    return _twiml(prompt, action=action)


@twilio_webhook
def voice_status(request: HttpRequest) -> HttpResponse:
    """Call progress. Unknown calls (not ours, or already deleted) are acknowledged all the same,
    or Twilio would keep retrying them."""
    call_status = request.POST.get("CallStatus", "")
    status = CALL_STATUSES.get(call_status)
    delivery = Delivery.objects.filter(
        provider=TwilioVoice.name, provider_id=request.POST.get("CallSid", "")
    ).first()
    if delivery is None or status is None:
        return HttpResponse(status=200)
    raw_answered_by = request.POST.get("AnsweredBy", "")
    answered_by = _answered_by(raw_answered_by) if raw_answered_by else None
    if answered_by == "machine" and status in (DeliveryStatus.ANSWERED, DeliveryStatus.COMPLETED):
        status = DeliveryStatus.VOICEMAIL
    error = request.POST.get("ErrorCode", "") or request.POST.get("SipResponseCode", "")
    reason = ""
    if status == DeliveryStatus.FAILED:
        reason = f"Twilio {call_status}" + (f" (errore {error})" if error else "")
    detail = {
        key: request.POST[key]
        for key in ("CallStatus", "AnsweredBy", "CallDuration", "ErrorCode", "SipResponseCode")
        if request.POST.get(key)
    }
    delivery_status_update(
        delivery=delivery, status=status, reason=reason, answered_by=answered_by, detail=detail
    )
    return HttpResponse(status=200)


@twilio_webhook
def sms_status(request: HttpRequest) -> HttpResponse:
    """SMS progress: handed to the carrier, delivered to the handset, or failed with a code."""
    message_status = request.POST.get("MessageStatus", "")
    status = SMS_STATUSES.get(message_status)
    delivery = Delivery.objects.filter(
        provider=TwilioSms.name, provider_id=request.POST.get("MessageSid", "")
    ).first()
    if delivery is None or status is None:
        return HttpResponse(status=200)
    error = request.POST.get("ErrorCode", "")
    reason = f"Twilio {message_status} (errore {error})" if error else ""
    detail = {"MessageStatus": message_status, **({"ErrorCode": error} if error else {})}
    delivery_status_update(delivery=delivery, status=status, reason=reason, detail=detail)
    return HttpResponse(status=200)
