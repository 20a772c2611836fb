"""The phone simulator: for any number, its SMS, calls, faxes and e-mails as the simulator
provider stored them; answer a ringing call, or place a call to one of the municipality's lines,
and the very IVR flows a real provider would run speak here, with a keypad.

Open to the alert roles; in the demo (SPORTELLO_PHONE_SIMULATOR_PUBLIC) to anyone on the machine.
Production has no simulator unless SPORTELLO_PHONE_SIMULATOR_ENABLED turns it on for a drill.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sportello.channels.base import DeliveryStatus, Medium
from sportello.channels.ivr import (
    Call,
    Play,
    Prompt,
    Say,
    inbound_flow_for,
    inbound_lines,
    inbound_numbers,
    ivr_run,
)
from sportello.channels.models import Delivery, SimulatorHandoff
from sportello.channels.phones import phone_display, phone_e164
from sportello.channels.services import delivery_status_update, voice_call_step
from sportello.channels.speech import speech_available, speech_wav
from sportello.core.access import OPERATOR

_AUDIO_SALT = "sportello.channels.simulator.audio"


# The page shows every message sent to any number, and calls the lines as anyone would (the
# deregistration line deletes): only the alert roles, which see and delete subscriptions anyway.
SIMULATOR_PERMISSIONS = ("channels.view_delivery", "alerts.delete_subscription")


def simulator_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.SPORTELLO_PHONE_SIMULATOR_ENABLED:
            # Production: not there at all, unless switched on for a drill.
            raise Http404
        if not settings.SPORTELLO_PHONE_SIMULATOR_PUBLIC:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perms(SIMULATOR_PERMISSIONS):
                raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.sportello_access = OPERATOR  # type: ignore[attr-defined]
    return wrapper


def _audio_url(say: Say) -> str | None:
    if not speech_available():
        return None
    token = signing.dumps({"t": say.text, "l": say.language}, salt=_AUDIO_SALT, compress=True)
    return reverse("simulator:audio") + "?" + urlencode({"t": token})


def _render_prompt(
    request: HttpRequest, prompt: Prompt, *, context: dict[str, Any]
) -> HttpResponse:
    parts = []
    for part in prompt.parts:
        if isinstance(part, Say):
            parts.append({"text": part.text, "language": part.language, "audio": _audio_url(part)})
        elif isinstance(part, Play):
            parts.append({"text": _("(messaggio registrato)"), "language": "", "audio": part.url})
    return render(
        request,
        "channels/simulator_call.html",
        {"prompt": prompt, "parts": parts, "keys": "123456789*0#", **context},
    )


def _received(number: str, limit: int = 50) -> list[Delivery]:
    """What the simulator provider was handed for `number`, the latest first, each with the
    moment it arrived (`received_at`): a retry still queued or cancelled never rang."""
    handoffs = (
        SimulatorHandoff.objects.filter(
            delivery_id__in=Delivery.objects.filter(to=number).values("pk")
        )
        .order_by("-at", "-delivery_id")
        .values_list("delivery_id", "at")[: limit * 2]
    )
    received: dict[int, Any] = {}
    for delivery_id, at in handoffs:
        received[delivery_id] = at  # the earliest hand-off of each wins (listed last)
    deliveries = list(Delivery.objects.filter(pk__in=list(received)).select_related("dispatch"))
    for delivery in deliveries:
        delivery.received_at = received[delivery.pk]
    deliveries.sort(key=lambda delivery: (delivery.received_at, delivery.pk), reverse=True)
    return deliveries[:limit]


@simulator_access
def simulator(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("numero", "").strip()
    number = phone_e164(raw) if raw else None
    email = request.GET.get("email", "").strip()
    deliveries = []
    if number:
        deliveries = _received(number)
    emails = list(Delivery.objects.filter(to=email, medium=Medium.EMAIL)[:50]) if email else []
    return render(
        request,
        "channels/simulator.html",
        {
            "raw": raw,
            "number": number,
            "number_display": phone_display(number) if number else "",
            "invalid": bool(raw) and number is None,
            "calls": [d for d in deliveries if d.medium == Medium.VOICE],
            "messages": [d for d in deliveries if d.medium == Medium.SMS],
            "faxes": [d for d in deliveries if d.medium == Medium.FAX],
            "email": email,
            "emails": emails,
            "lines": [
                (number, ", ".join(map(str, labels))) for number, labels in inbound_numbers()
            ],
            "ringing": DeliveryStatus.RINGING,
            "simulated": settings.SPORTELLO_CHANNELS.get("voice", "").endswith("Simulator"),
        },
    )


@require_POST
@simulator_access
def answer(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """Answer (or keep answering) a call the simulator is ringing."""
    delivery = get_object_or_404(Delivery, pk=delivery_id, medium=Medium.VOICE)
    step = request.POST.get("step", "start")
    digits = request.POST.get("digits", "")
    answered_by = "machine" if request.POST.get("answered_by") == "machine" else "human"
    prompt = voice_call_step(delivery=delivery, step=step, digits=digits, answered_by=answered_by)
    if prompt.gather is None:
        delivery_status_update(delivery=delivery, status=DeliveryStatus.COMPLETED)
    return _render_prompt(
        request,
        prompt,
        context={
            "action": reverse("simulator:answer", args=[delivery.pk]),
            "number": delivery.to,
            "number_display": phone_display(delivery.to),
            "other": delivery.sender,
            "incoming": True,
            "answered_by": answered_by,
        },
    )


@require_POST
@simulator_access
def place(request: HttpRequest) -> HttpResponse:
    """Call one of the municipality's lines from a number, as its owner would.

    `linea` is the number dialled: it answers as it would on Twilio (a menu when several flows
    share it). `flow` instead goes straight to the flow of one line (kept for direct links).
    """
    caller = phone_e164(request.POST.get("numero", "")) or ""
    hidden = request.POST.get("hidden") == "1"
    dialled = request.POST.get("linea", "").strip()
    direct = request.POST.get("flow", "")
    if dialled:
        flow, line = inbound_flow_for(called=dialled), dialled
    else:
        line = {name: number for name, number, _label in inbound_lines()}.get(direct, "")
        flow = direct if line else None
    if not flow:
        raise Http404
    call = Call(flow=flow, caller="" if hidden else caller, line=line, language="it")
    prompt = ivr_run(call, request.POST.get("step", "start"), request.POST.get("digits", ""))
    return _render_prompt(
        request,
        prompt,
        context={
            "action": reverse("simulator:place"),
            "number": caller,
            "number_display": phone_display(caller) if caller else "",
            "other": call.line,
            "incoming": False,
            "line": dialled,
            "flow": "" if dialled else flow,
            "hidden": hidden,
        },
    )


@simulator_access
def audio(request: HttpRequest) -> HttpResponse:
    """The spoken text as a WAV file, by espeak-ng (only texts this page signed)."""
    try:
        data = signing.loads(request.GET.get("t", ""), salt=_AUDIO_SALT, max_age=3600)
    except signing.BadSignature as error:
        raise Http404 from error
    wav = speech_wav(str(data.get("t", "")), data.get("l", "it"))
    if wav is None:
        raise Http404
    return HttpResponse(wav, content_type="audio/wav")


@simulator_access
def fax_page(request: HttpRequest, delivery_id: int, page: int) -> HttpResponse:
    """A received fax page as the recipient's machine prints it: the transmitted TIFF page."""
    import io

    from PIL import Image

    from sportello.channels.base import ChannelError
    from sportello.channels.fax import fax_render_for

    delivery = get_object_or_404(Delivery, pk=delivery_id, medium=Medium.FAX)
    try:
        document = fax_render_for(delivery)
    except ChannelError as error:
        raise Http404 from error
    image = Image.open(io.BytesIO(document.tiff))
    try:
        image.seek(page - 1)
    except EOFError as error:
        raise Http404 from error
    # 204x196 dpi pixels are not square: stretch the height back for the screen.
    shown = image.convert("L").resize((image.width // 2, round(image.height * 204 / 196) // 2))
    buffer = io.BytesIO()
    shown.save(buffer, format="PNG", optimize=True)
    return HttpResponse(buffer.getvalue(), content_type="image/png")
