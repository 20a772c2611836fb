"""Sending an alert: submit (now or at a time), the optional four-eyes approval, the hand-over to
the dispatch engine (channels.dispatch), and stopping it in flight."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sportello.alerts.models import Alert, AlertKind, AlertStatus
from sportello.alerts.recipients import recipients_materialise
from sportello.channels.base import Medium
from sportello.channels.dispatch import dispatch_start, dispatch_stop
from sportello.channels.models import Dispatch
from sportello.core.exceptions import ApplicationError
from sportello.core.selectors import municipality_get
from sportello.core.services import audit_record

PURPOSE = "alert"


def alert_four_eyes() -> bool:
    return bool(settings.SPORTELLO_ALERT_FOUR_EYES)


def _ready_check(alert: Alert) -> None:
    if alert.status != AlertStatus.DRAFT:
        raise ApplicationError(_("L'allerta è già stata inviata o programmata."))
    if not alert.area:
        raise ApplicationError(_("Indica prima l'area da avvisare."))
    from sportello.alerts.cap.contents import TO_TRANSLATE

    if any(TO_TRANSLATE in text for text in (alert.headline, alert.description, alert.instruction)):
        raise ApplicationError(
            _("Traduci prima in italiano i testi segnati «%(mark)s».") % {"mark": TO_TRANSLATE}
        )
    if alert.kind == AlertKind.ALERT:
        if not (alert.use_voice or alert.use_sms or alert.use_fax or alert.use_email):
            raise ApplicationError(_("Scegli almeno un canale."))
        missing = [
            label
            for used, text, label in [
                (alert.use_voice, alert.voice_text or alert.voice_recording, _("chiamata")),
                (alert.use_sms or alert.use_voice, alert.sms_text, _("SMS")),
                (alert.use_email, alert.email_text, _("e-mail")),
                (alert.use_fax, alert.fax_text, _("fax")),
            ]
            if used and not text
        ]
        if missing:
            raise ApplicationError(
                _("Manca il testo per: %(channels)s.") % {"channels": ", ".join(missing)}
            )


@transaction.atomic
def alert_submit(*, alert: Alert, by: Any, at: datetime.datetime | None = None) -> Alert:
    """Send now (at=None) or at a future time; with the four-eyes rule, wait for approval."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    _ready_check(alert)
    if at is not None and at <= timezone.now():
        raise ApplicationError(_("L'orario programmato deve essere nel futuro."))
    alert.scheduled_for = at
    alert.submitted_by = by
    alert.save(update_fields=["scheduled_for", "submitted_by"])
    if alert_four_eyes():
        alert.status = AlertStatus.AWAITING_APPROVAL
        alert.save(update_fields=["status", "scheduled_for"])
        audit_record(actor=by, action="alert.submit", target=alert, detail={"at": str(at or "")})
        return alert
    return _go(alert, by=by)


@transaction.atomic
def alert_approve(*, alert: Alert, by: Any) -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != AlertStatus.AWAITING_APPROVAL:
        raise ApplicationError(_("Questa allerta non è in attesa di approvazione."))
    # Four eyes: neither whoever wrote it nor whoever asked to send it approves it.
    if getattr(by, "pk", None) in (alert.created_by_id, alert.submitted_by_id):
        raise ApplicationError(_("Un'allerta deve essere approvata da un altro operatore."))
    alert.approved_by, alert.approved_at = by, timezone.now()
    alert.save(update_fields=["approved_by", "approved_at"])
    if alert.scheduled_for and alert.scheduled_for <= timezone.now():
        alert.scheduled_for = None
    return _go(alert, by=by)


def _go(alert: Alert, *, by: Any) -> Alert:
    if alert.scheduled_for:
        alert.status = AlertStatus.SCHEDULED
        alert.save(update_fields=["status", "scheduled_for"])
        audit_record(actor=by, action="alert.schedule", target=alert)
        return alert
    _dispatch(alert)
    audit_record(actor=by, action="alert.send", target=alert)
    return alert


def alerts_due_send() -> int:
    """Periodic: send the scheduled alerts whose time has come."""
    sent = 0
    for pk in Alert.objects.filter(
        status=AlertStatus.SCHEDULED, scheduled_for__lte=timezone.now()
    ).values_list("pk", flat=True):
        with transaction.atomic():
            alert = Alert.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if alert and alert.status == AlertStatus.SCHEDULED:
                _dispatch(alert)
                sent += 1
    return sent


def _dispatch(alert: Alert) -> None:
    """Write every delivery row, then start the workers (after commit)."""
    dispatch = Dispatch.objects.create(
        purpose=PURPOSE, reference=str(alert.identifier), payload=alert_payload(alert=alert)
    )
    recipients_materialise(alert=alert, dispatch=dispatch)
    alert.dispatch = dispatch
    alert.status = AlertStatus.SENDING
    alert.sent_at = timezone.now()
    alert.save(update_fields=["dispatch", "status", "sent_at"])
    dispatch_start(dispatch=dispatch)
    transaction.on_commit(_public_pages_refresh)


def _public_pages_refresh() -> None:
    """The home page and the app API show active alerts from a short cache: forget it."""
    from sportello.alerts.public.selectors import alerts_active_forget

    alerts_active_forget()


@transaction.atomic
def alert_stop(*, alert: Alert, by: Any) -> int:
    """Stop an alert: a scheduled one never goes; a running one hands over nothing more, and the
    messages not yet handed over are canceled (the report lists them). Returns how many."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status not in (
        AlertStatus.SENDING,
        AlertStatus.SCHEDULED,
        AlertStatus.AWAITING_APPROVAL,
    ):
        raise ApplicationError(_("Questa allerta non è in invio: non c'è niente da interrompere."))
    canceled = dispatch_stop(dispatch=alert.dispatch) if alert.dispatch else 0
    alert.status = AlertStatus.STOPPED
    alert.stopped_at, alert.stopped_by = timezone.now(), by
    alert.save(update_fields=["status", "stopped_at", "stopped_by"])
    audit_record(actor=by, action="alert.stop", target=alert, detail={"canceled": canceled})
    transaction.on_commit(_public_pages_refresh)
    return canceled


@transaction.atomic
def alert_update_draft(*, alert: Alert, by: Any) -> Alert:
    """A new draft that updates an alert already sent (CAP msgType Update, referencing it): the
    same content, area and channels, to be changed and sent as any draft."""
    if (
        alert.kind != AlertKind.ALERT
        or alert.status
        not in (
            AlertStatus.SENDING,
            AlertStatus.SENT,
            AlertStatus.STOPPED,
        )
        or alert.sent_at is None
    ):
        raise ApplicationError(_("Si può aggiornare solo un'allerta già inviata."))
    from sportello.alerts.models import AlertTemplate

    content = [
        field.name
        for field in AlertTemplate._meta.concrete_fields
        if field.name not in ("id", "name", "position")
    ]
    copied = content + [
        "exercise",
        "onset",
        "expires",
        "use_voice",
        "use_sms",
        "use_fax",
        "use_email",
        "confirm_requested",
        "area",
        "area_description",
    ]
    draft = Alert.objects.create(
        **{name: getattr(alert, name) for name in copied},
        supersedes=alert,
        created_by=by,
    )
    audit_record(actor=by, action="alert.update_draft", target=draft, detail={"of": alert.pk})
    return draft


def alert_finished_check(*, alert: Alert) -> bool:
    """A sending alert whose dispatch is over becomes "sent"."""
    if alert.status == AlertStatus.SENDING and alert.dispatch and alert.dispatch.status == "done":
        Alert.objects.filter(pk=alert.pk, status=AlertStatus.SENDING).update(
            status=AlertStatus.SENT
        )
        return True
    return False


# --- what each channel carries ------------------------------------------------------------


def exercise_marker(language: str) -> str:
    with translation.override(language):
        return _("ESERCITAZIONE") + " - "


def update_marker(language: str) -> str:
    """What an update says first, so that nobody takes it for a new, second danger."""
    with translation.override(language):
        return _("AGGIORNAMENTO") + " - "


def message_markers(alert: Alert, language: str) -> str:
    return (exercise_marker(language) if alert.exercise else "") + (
        update_marker(language) if alert.supersedes_id else ""
    )


def _texts(alert: Alert, language: str) -> dict[str, str]:
    english = language == "en"

    def pick(italian: str, english_text: str) -> str:
        return english_text if english and english_text else italian

    marker = message_markers(alert, language)
    return {
        "sms": marker + pick(alert.sms_text, alert.sms_text_en),
        "subject": marker + pick(alert.email_subject or alert.headline, alert.email_subject_en),
        "email": pick(alert.email_text, alert.email_text_en),
    }


def alert_payload(*, alert: Alert) -> dict[str, Any]:
    """Per medium and language, what the providers send. Voice runs the `alert_message` (or
    `reconfirm`) IVR flow, which reads the alert itself."""
    flow = "reconfirm" if alert.kind == AlertKind.RECONFIRM else "alert_message"
    languages = ["it", "en"]
    payload: dict[str, Any] = {
        Medium.VOICE: {
            language: {
                "flow": flow,
                "params": {"alert": alert.pk},
                # An alert is left on answering machines, after the beep; a campaign question
                # is not.
                "voicemail": alert.kind == AlertKind.ALERT,
            }
            for language in languages
        }
    }
    if alert.kind == AlertKind.RECONFIRM:
        return payload
    payload[Medium.SMS] = {lang: {"text": _texts(alert, lang)["sms"]} for lang in languages}
    payload[Medium.EMAIL] = {}
    for language in languages:
        texts = _texts(alert, language)
        with translation.override(language):
            body = render_to_string(
                "alerts/email/alert.txt",
                {"alert": alert, "text": texts["email"], "municipality": municipality_get()},
            )
        payload[Medium.EMAIL][language] = {"subject": texts["subject"], "text": body}
    if alert.use_fax:
        from sportello.channels.fax import fax_document_from_html

        with translation.override("it"):
            html = render_to_string(
                "alerts/fax/alert.html", {"alert": alert, "municipality": municipality_get()}
            )
        name = default_storage.save(
            f"alerts/fax/{alert.identifier}.pdf", ContentFile(fax_document_from_html(html=html))
        )
        payload[Medium.FAX] = {"it": {"document": name}}
    return payload
