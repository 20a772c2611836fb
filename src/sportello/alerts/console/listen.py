"""The voice preview of the alert console: a voice script spoken by espeak-ng (only texts the
console pages signed), and the recorded message uploaded for an alert."""

from __future__ import annotations

from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from sportello.alerts.models import Alert
from sportello.channels.speech import speech_available, speech_wav
from sportello.core.decorators import operator_required

VIEW = "alerts.view_alert"

# The voice preview: the same synthesiser, voices and speed as the phone simulator, so that the
# operator hears what the simulated call says.
_LISTEN_SALT = "sportello.alerts.console.listen"
LISTEN_MAX_CHARS = 3000


def listen_url(text: str, language: str) -> str | None:
    if not text.strip() or not speech_available():
        return None
    token = signing.dumps(
        {"t": text[:LISTEN_MAX_CHARS], "l": language}, salt=_LISTEN_SALT, compress=True
    )
    return reverse("alerts:console_listen") + "?" + urlencode({"t": token})


@operator_required(VIEW)
@require_safe
def console_listen(request: HttpRequest) -> HttpResponse:
    """A voice script spoken, as WAV (only texts the console pages signed)."""
    try:
        data = signing.loads(request.GET.get("t", ""), salt=_LISTEN_SALT, max_age=6 * 3600)
    except signing.BadSignature as error:
        raise Http404 from error
    audio = speech_wav(str(data.get("t", "")), str(data.get("l", "it")))
    if audio is None:
        raise Http404
    response = HttpResponse(audio, content_type="audio/wav")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@operator_required(VIEW)
@require_safe
def console_recording(request: HttpRequest, pk: int) -> FileResponse:
    """The recorded message uploaded for an alert, for the operators to listen to."""
    alert = get_object_or_404(Alert, pk=pk)
    if not alert.voice_recording:
        raise Http404
    kind = "audio/mpeg" if alert.voice_recording.name.lower().endswith(".mp3") else "audio/wav"
    return FileResponse(alert.voice_recording.open("rb"), content_type=kind)
