"""CAP pages: each published alert's CAP 1.2 message, the Atom feed of current alerts and the
index of all (public, cacheable for a minute); the operators' upload of a received message."""

from __future__ import annotations

import datetime
import hashlib

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_safe

from sportello.alerts.cap.build import (
    NotPublished,
    alert_cap_url,
    alert_cap_xml,
    alert_web_url,
    cap_cancel_identifier,
    cap_identifier,
    is_published,
)
from sportello.alerts.cap.feed import ATOM_CONTENT_TYPE, alerts_atom_feed
from sportello.alerts.cap.forms import CapUploadForm
from sportello.alerts.cap.importing import cap_import
from sportello.alerts.cap.polling import cap_poll_report
from sportello.alerts.cap.selectors import alerts_published, feed_etag, feed_last_modified
from sportello.alerts.cap.validation import CAP_CONTENT_TYPE
from sportello.alerts.models import Alert, AlertStatus
from sportello.core.access import public
from sportello.core.decorators import operator_required
from sportello.core.exceptions import ApplicationError

PUBLIC_MAX_AGE = 60
PAGE_SIZE = 50


def _published_alert(identifier: object) -> Alert:
    alert = get_object_or_404(Alert, identifier=identifier)
    if not is_published(alert):
        raise Http404
    return alert


def _message_moment(request: HttpRequest, identifier: object) -> datetime.datetime | None:
    alert = Alert.objects.filter(identifier=identifier).first()
    if alert is None or not is_published(alert):
        return None
    return alert.stopped_at if alert.status == AlertStatus.STOPPED else alert.sent_at


def _message_etag(request: HttpRequest, identifier: object) -> str | None:
    alert = Alert.objects.filter(identifier=identifier).first()
    if alert is None or not is_published(alert):
        return None
    # A CAP message never changes: its identifier names it (the Cancel has its own).
    stopped = alert.status == AlertStatus.STOPPED
    return hashlib.sha256(
        (cap_cancel_identifier(alert) if stopped else cap_identifier(alert)).encode()
    ).hexdigest()[:32]


@public
@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
@condition(etag_func=_message_etag, last_modified_func=_message_moment)
def cap_alert(request: HttpRequest, identifier: object) -> HttpResponse:
    """The alert's CAP 1.2 message: the alert while it is out, its Cancel once stopped."""
    alert = _published_alert(identifier)
    try:
        body = alert_cap_xml(alert)
    except NotPublished as error:
        raise Http404 from error
    response = HttpResponse(body, content_type=CAP_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{alert.identifier}.xml"'
    return response


@public
@require_safe
@cache_control(public=True, max_age=PUBLIC_MAX_AGE)
@condition(
    etag_func=lambda request: feed_etag(),
    last_modified_func=lambda request: feed_last_modified(),
)
def cap_feed(request: HttpRequest) -> HttpResponse:
    """The Atom feed of the current alerts, each linking its page and its CAP message."""
    return HttpResponse(alerts_atom_feed(), content_type=ATOM_CONTENT_TYPE)


@public
@require_safe
@cache_control(max_age=PUBLIC_MAX_AGE)
def cap_index(request: HttpRequest) -> HttpResponse:
    """Every alert that went out, newest first, with its CAP message and public page."""
    page = Paginator(alerts_published(), PAGE_SIZE).get_page(request.GET.get("pagina"))
    language = get_language() or "it"
    rows = [
        {"alert": alert, "cap_url": alert_cap_url(alert), "web_url": alert_web_url(alert, language)}
        for alert in page
    ]
    return render(request, "alerts/cap/index.html", {"page": page, "rows": rows})


@operator_required("alerts.send_alert")
def cap_upload(request: HttpRequest) -> HttpResponse:
    """Upload a CAP message from another authority: it becomes a draft, nothing is sent."""
    form = CapUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    existing = None
    if request.method == "POST" and form.is_valid():
        try:
            result = cap_import(form.cleaned_data["message"], by=request.user, request=request)
        except ApplicationError as error:
            form.add_error(None, error.message)
            errors = list(error.extra.get("errors", []))
            existing = error.extra.get("alert")
        else:
            if not result.cancelled:
                messages.success(
                    request,
                    _(
                        "Messaggio importato come bozza. Controlla testi, area e canali, poi "
                        "inviala da questa pagina: niente è stato inviato."
                    ),
                )
            for note in result.notes:
                messages.warning(request, note)
            return redirect("alerts:console_detail", result.alert.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "alerts/cap/upload.html",
        {"form": form, "errors": errors, "existing": existing, "reports": cap_poll_report()},
        status=status,
    )
