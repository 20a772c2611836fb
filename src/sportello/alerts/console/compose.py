"""The alert console's own pages: the list of alerts, and composing a draft (from a template,
blank, or a re-confirmation campaign) with its texts per channel. The alert's hub page is in
console/hub.py, the voice preview in console/listen.py."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from sportello.alerts.console.compose_forms import (
    AlertForm,
    ReconfirmForm,
)
from sportello.alerts.console.listen import listen_url
from sportello.alerts.models import Alert, AlertKind, AlertStatus, AlertTemplate
from sportello.alerts.sending import (
    exercise_marker,
)
from sportello.alerts.texts import (
    CONTENT_FIELDS,
    SMS_MAX_SEGMENTS,
    TEXT_FIELDS,
    alert_draft_save,
    sms_counter_text,
    text_mark,
    texts_derived,
)
from sportello.channels.speech import speech_available
from sportello.core.decorators import operator_required
from sportello.core.exceptions import ApplicationError
from sportello.places.areas.labels import area_summary

SEND = "alerts.send_alert"
VIEW = "alerts.view_alert"
PAGE_SIZE = 50
# ?modello= on the create page: a template's id, nothing (blank), or this.
RECONFIRM_CHOICE = "riconferma"

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
            "voice_text": listen_url(value("voice_text"), "it"),
            "voice_text_en": listen_url(value("voice_text_en"), "en"),
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
