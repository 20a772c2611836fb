"""The alert console's own pages: the list of alerts; composing a draft (from a template, blank,
or a re-confirmation campaign) with its texts per channel; the alert's hub page, from which it is
sent, scheduled, approved or stopped; and the voice preview, spoken by espeak-ng."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from sportello.alerts.console.compose_forms import (
    AlertForm,
    ReconfirmForm,
    ScheduleForm,
    StopForm,
)
from sportello.alerts.models import Alert, AlertKind, AlertStatus, AlertTemplate
from sportello.alerts.sending import (
    alert_approve,
    alert_four_eyes,
    alert_stop,
    alert_submit,
    exercise_marker,
)
from sportello.alerts.targeting import area_summary
from sportello.alerts.texts import (
    CONTENT_FIELDS,
    SMS_MAX_SEGMENTS,
    TEXT_FIELDS,
    alert_draft_save,
    sms_counter_text,
    text_mark,
    texts_derived,
)
from sportello.channels.speech import speech_available, speech_wav
from sportello.core.decorators import operator_required
from sportello.core.exceptions import ApplicationError

SEND = "alerts.send_alert"
VIEW = "alerts.view_alert"
APPROVE = "alerts.approve_alert"
PAGE_SIZE = 50
# ?modello= on the create page: a template's id, nothing (blank), or this.
RECONFIRM_CHOICE = "riconferma"
STOPPABLE = (AlertStatus.SENDING, AlertStatus.SCHEDULED, AlertStatus.AWAITING_APPROVAL)

# The voice preview: the same synthesiser, voices and speed as the phone simulator, so that the
# operator hears what the simulated call says.
_LISTEN_SALT = "sportello.alerts.console.listen"
LISTEN_MAX_CHARS = 3000


# ---------------------------------------------------------------------------------------------
# Voice preview


def _listen_url(text: str, language: str) -> str | None:
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


# ---------------------------------------------------------------------------------------------
# The list


@operator_required(VIEW)
@require_safe
def console_list(request: HttpRequest) -> HttpResponse:
    alerts = Alert.objects.select_related("created_by").order_by("-created_at", "-pk")
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("pagina"))
    rows = [
        {
            "alert": alert,
            "area": alert.area_description or (area_summary(alert.area) if alert.area else ""),
        }
        for alert in page
    ]
    return render(
        request,
        "alerts/console/list.html",
        {"rows": rows, "page": page, "templates": AlertTemplate.objects.all()},
    )


# ---------------------------------------------------------------------------------------------
# Compose


def _form_context(form: AlertForm, *, exercise: bool) -> dict[str, Any]:
    """The SMS counters and voice previews for the texts the form shows now."""

    def value(name: str) -> str:
        return str(form[name].value() or "")

    return {
        "sms_counters": {
            "sms_text": sms_counter_text(value("sms_text"), exercise=exercise, language="it"),
            "sms_text_en": sms_counter_text(value("sms_text_en"), exercise=exercise, language="en")
            if value("sms_text_en")
            else "",
        },
        "listen": {
            "voice_text": _listen_url(value("voice_text"), "it"),
            "voice_text_en": _listen_url(value("voice_text_en"), "en"),
        },
        "speech_available": speech_available(),
        "sms_max": SMS_MAX_SEGMENTS,
        "sms_config": {
            "markers": {"it": exercise_marker("it"), "en": exercise_marker("en")},
            "max": SMS_MAX_SEGMENTS,
            "format": _("%(chars)s caratteri, %(encoding)s, %(segments)s SMS"),
            "tooLong": " — " + _("troppo lungo: al massimo %(max)s SMS"),
            "stale": _(
                "Il testo è cambiato: premi «Aggiorna i testi dei canali» per ascoltare la nuova "
                "versione."
            ),
        },
    }


def _form_page(
    request: HttpRequest,
    form: AlertForm | ReconfirmForm,
    *,
    alert: Alert | None,
    choice: str = "",
    derived: bool = False,
    status: int = 200,
) -> HttpResponse:
    reconfirm = isinstance(form, ReconfirmForm)
    exercise = bool(form["exercise"].value())
    context: dict[str, Any] = {
        "form": form,
        "alert": alert,
        "reconfirm": reconfirm,
        "exercise": exercise,
        "templates": AlertTemplate.objects.all(),
        "choice": choice,
        "derived": derived,
        "reconfirm_choice": RECONFIRM_CHOICE,
        "file_dropped": bool(request.FILES.get("recording")) and form.is_bound,
    }
    if not reconfirm:
        context.update(_form_context(form, exercise=exercise))
    return render(request, "alerts/console/form.html", context, status=status)


def _template_initial(template: AlertTemplate | None) -> dict[str, Any]:
    """The form's first values: the template's content and its texts per channel (derived
    where the template has none), with their fingerprints."""
    draft = Alert(kind=AlertKind.ALERT)
    if template is not None:
        for name in (*CONTENT_FIELDS, *TEXT_FIELDS):
            if hasattr(template, name):
                setattr(draft, name, getattr(template, name))
    derived = texts_derived(alert=draft)
    initial: dict[str, Any] = {
        name: getattr(draft, name) for name in CONTENT_FIELDS if hasattr(template, name)
    }
    for name in TEXT_FIELDS:
        initial[name] = getattr(draft, name) or derived[name]
    initial["marks"] = json.dumps({name: text_mark(value) for name, value in derived.items()})
    return initial


def _alert_marks(alert: Alert) -> str:
    derived = texts_derived(alert=alert)
    return json.dumps({name: text_mark(value) for name, value in derived.items()})


def _save(
    request: HttpRequest, form: AlertForm | ReconfirmForm, *, alert: Alert | None, kind: str
) -> Alert:
    recording = None if isinstance(form, ReconfirmForm) else form.cleaned_data.get("recording")
    return alert_draft_save(
        alert=alert,
        values=form.values(),
        by=request.user,
        kind=kind,
        recording=recording,
        recording_extension=getattr(form, "recording_extension", ""),
        recording_clear=bool(form.cleaned_data.get("recording_clear")),
    )


@operator_required(SEND)
@never_cache
def console_create(request: HttpRequest) -> HttpResponse:
    """A new draft alert: blank, from a template (?modello=<id>), or a re-confirmation campaign
    (?modello=riconferma). «Aggiorna i testi dei canali» shows the derived texts without saving."""
    choice = request.GET.get("modello", "")
    template = None
    if choice and choice != RECONFIRM_CHOICE:
        template = AlertTemplate.objects.filter(pk=choice).first() if choice.isdigit() else None
        if template is None:
            messages.error(request, _("Il modello scelto non esiste più: parti da un altro."))
            return redirect("alerts:console_create")
    reconfirm = choice == RECONFIRM_CHOICE
    kind = AlertKind.RECONFIRM if reconfirm else AlertKind.ALERT

    if request.method != "POST":
        if reconfirm:
            form: AlertForm | ReconfirmForm = ReconfirmForm(
                initial={"headline": _("Riconferma dei numeri degli elenchi pubblici")}
            )
        else:
            form = AlertForm(initial=_template_initial(template))
        return _form_page(request, form, alert=None, choice=choice)

    form = ReconfirmForm(request.POST) if reconfirm else AlertForm(request.POST, request.FILES)
    if not form.is_valid():
        return _form_page(request, form, alert=None, choice=choice, status=400)
    if request.POST.get("action") == "derive" and not reconfirm:
        return _form_page(request, form, alert=None, choice=choice, derived=True)
    alert = _save(request, form, alert=None, kind=kind)
    messages.success(
        request,
        _("Bozza salvata. Ora scegli l'area da avvisare, poi controlla l'anteprima e invia."),
    )
    return redirect("alerts:console_detail", pk=alert.pk)


@operator_required(SEND)
@never_cache
def console_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft; an alert already submitted cannot change (the page says so)."""
    alert = get_object_or_404(Alert, pk=pk)
    if alert.status != AlertStatus.DRAFT:
        messages.error(
            request,
            _(
                "L'allerta non è più in bozza (stato: %(status)s): non si può modificare. Per "
                "correggerla, preparane una nuova."
            )
            % {"status": alert.get_status_display()},
        )
        return redirect("alerts:console_detail", pk=alert.pk)
    reconfirm = alert.kind == AlertKind.RECONFIRM

    if request.method != "POST":
        if reconfirm:
            form: AlertForm | ReconfirmForm = ReconfirmForm(
                initial={"headline": alert.headline, "exercise": alert.exercise}
            )
        else:
            form = AlertForm(instance=alert, initial={"marks": _alert_marks(alert)})
        return _form_page(request, form, alert=alert)

    if reconfirm:
        form = ReconfirmForm(request.POST)
    else:
        form = AlertForm(request.POST, request.FILES, instance=alert)
    if not form.is_valid():
        return _form_page(request, form, alert=alert, status=400)
    if request.POST.get("action") == "derive" and not reconfirm:
        return _form_page(request, form, alert=alert, derived=True)
    try:
        _save(request, form, alert=alert, kind=alert.kind)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("alerts:console_detail", pk=alert.pk)
    messages.success(request, _("Modifiche salvate."))
    return redirect("alerts:console_detail", pk=alert.pk)


# ---------------------------------------------------------------------------------------------
# The hub: summary, and send, schedule, approve, stop


def _detail_page(
    request: HttpRequest,
    alert: Alert,
    *,
    schedule_form: ScheduleForm | None = None,
    stop_form: StopForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    draft = alert.status == AlertStatus.DRAFT
    can_send = draft and user.has_perm(SEND)
    channels = [
        (alert.use_voice, _("chiamate vocali")),
        (alert.use_sms, _("SMS")),
        (alert.use_fax, _("fax")),
        (alert.use_email, _("e-mail")),
    ]
    context = {
        "alert": alert,
        "reconfirm": alert.kind == AlertKind.RECONFIRM,
        "area_text": area_summary(alert.area) if alert.area else "",
        "channels": [label for used, label in channels if used],
        "four_eyes": alert_four_eyes(),
        "can_edit": can_send,
        "can_send": can_send,
        "can_approve": (
            alert.status == AlertStatus.AWAITING_APPROVAL
            and user.has_perm(APPROVE)
            and alert.created_by_id != user.pk
        ),
        "is_creator": alert.created_by_id == user.pk,
        "can_stop": alert.status in STOPPABLE and user.has_perm(SEND),
        "can_update": alert.kind == AlertKind.ALERT
        and alert.sent_at is not None
        and user.has_perm(SEND),
        "schedule_form": schedule_form or ScheduleForm(),
        "stop_form": stop_form or StopForm(),
        "sms_counter": sms_counter_text(alert.sms_text, exercise=alert.exercise, language="it")
        if alert.sms_text
        else "",
        "sms_counter_en": sms_counter_text(
            alert.sms_text_en, exercise=alert.exercise, language="en"
        )
        if alert.sms_text_en
        else "",
        "listen_it": _listen_url(alert.voice_text, "it"),
        "listen_en": _listen_url(alert.voice_text_en, "en"),
        "speech_available": speech_available(),
        "has_english": bool(alert.headline_en),
        "monitor_ready": alert.dispatch_id is not None,
    }
    return render(request, "alerts/console/detail.html", context, status=status)


@operator_required(VIEW)
@require_safe
@never_cache
def console_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(
        Alert.objects.select_related("created_by", "approved_by", "stopped_by"), pk=pk
    )
    return _detail_page(request, alert)


def _when(value: Any) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


@require_POST
@operator_required(SEND)
def console_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """«Invia ora» (action=send) or «Programma» (action=schedule, with a future time)."""
    alert = get_object_or_404(Alert, pk=pk)
    at = None
    if request.POST.get("action") == "schedule":
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            return _detail_page(request, alert, schedule_form=form, status=400)
        at = form.cleaned_data["at"]
    try:
        alert = alert_submit(alert=alert, by=request.user, at=at)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("alerts:console_detail", pk=alert.pk)
    if alert.status == AlertStatus.AWAITING_APPROVAL:
        messages.info(
            request,
            _(
                "L'allerta aspetta l'approvazione: un altro operatore con il permesso di approvare "
                "deve aprire questa pagina e premere «Approva». Finché non lo fa, non parte nulla."
            ),
        )
    elif alert.status == AlertStatus.SCHEDULED:
        messages.success(
            request,
            _("Allerta programmata: partirà il %(when)s.") % {"when": _when(alert.scheduled_for)},
        )
    else:
        messages.success(request, _("Invio avviato. Qui segui come procede, canale per canale."))
        return redirect("alerts:console_monitor", pk=alert.pk)
    return redirect("alerts:console_detail", pk=alert.pk)


@require_POST
@operator_required(APPROVE)
def console_approve(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert, pk=pk)
    try:
        alert = alert_approve(alert=alert, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("alerts:console_detail", pk=alert.pk)
    if alert.status == AlertStatus.SCHEDULED:
        messages.success(
            request,
            _("Allerta approvata: partirà il %(when)s.") % {"when": _when(alert.scheduled_for)},
        )
        return redirect("alerts:console_detail", pk=alert.pk)
    messages.success(request, _("Allerta approvata: l'invio è partito."))
    return redirect("alerts:console_monitor", pk=alert.pk)


@require_POST
@operator_required(SEND)
def console_stop(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert, pk=pk)
    form = StopForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, alert, stop_form=form, status=400)
    try:
        canceled = alert_stop(alert=alert, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("alerts:console_detail", pk=alert.pk)
    if canceled:
        messages.success(
            request,
            ngettext(
                "Invio interrotto: %(count)s messaggio non ancora partito è stato annullato. "
                "Il resoconto lo elenca.",
                "Invio interrotto: %(count)s messaggi non ancora partiti sono stati annullati. "
                "Il resoconto li elenca.",
                canceled,
            )
            % {"count": canceled},
        )
    else:
        messages.success(request, _("Invio interrotto: non partirà nessun altro messaggio."))
    return redirect("alerts:console_detail", pk=alert.pk)


@require_POST
@operator_required(SEND)
def console_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the update of an alert already sent: a new draft that refers to it."""
    from sportello.alerts.sending import alert_update_draft

    alert = get_object_or_404(Alert, pk=pk)
    try:
        draft = alert_update_draft(alert=alert, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("alerts:console_detail", pk=alert.pk)
    messages.success(
        request,
        _(
            "Bozza di aggiornamento creata: cambia quello che serve e inviala. Chi la riceve "
            "saprà che aggiorna l'allerta precedente."
        ),
    )
    return redirect("alerts:console_edit", pk=draft.pk)
