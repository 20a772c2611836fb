"""The alert's hub page in the console: its summary, from which it is sent, scheduled, approved,
stopped or updated."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from sportello.alerts.console.compose_forms import (
    ScheduleForm,
    StopForm,
)
from sportello.alerts.console.listen import listen_url
from sportello.alerts.models import Alert, AlertKind, AlertStatus
from sportello.alerts.sending import (
    alert_approve,
    alert_four_eyes,
    alert_stop,
    alert_submit,
)
from sportello.alerts.texts import (
    sms_counter_text,
)
from sportello.channels.speech import speech_available
from sportello.core.decorators import operator_required
from sportello.core.exceptions import ApplicationError
from sportello.places.areas.labels import area_summary

SEND = "alerts.send_alert"
VIEW = "alerts.view_alert"
APPROVE = "alerts.approve_alert"
STOPPABLE = (AlertStatus.SENDING, AlertStatus.SCHEDULED, AlertStatus.AWAITING_APPROVAL)


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
        "listen_it": listen_url(alert.voice_text, "it"),
        "listen_en": listen_url(alert.voice_text_en, "en"),
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
