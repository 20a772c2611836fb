"""A CAP 1.2 message from an upstream authority (regional civil protection, the national system)
turned into a *draft* alert for an operator to review and send: never sent by itself.

The message is read and checked against the schema first (cap.reading); then the Italian <info>
(else the first) gives the content, the English one the English texts (cap.contents). Its area is
mapped onto the comune (cap.area_mapping).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sportello.alerts.cap.area_mapping import MappedArea, cap_area_map
from sportello.alerts.cap.contents import (
    HEADLINE_MAX,
    TO_TRANSLATE,
    alert_values,
    infos_merged,
    text_cut,
)
from sportello.alerts.cap.reading import CapMessage, cap_read
from sportello.alerts.models import Alert, AlertStatus
from sportello.alerts.texts import alert_draft_save
from sportello.core.exceptions import ApplicationError
from sportello.core.services import audit_record
from sportello.places.areas.labels import area_summary

# Once a message was imported from a feed it is never imported again: remembered this long
# (and for good in the Alert's source fields once they exist, see docs/cap.md).
SEEN_SECONDS = 90 * 24 * 3600
SEEN_KEY = "sportello.alerts.cap.seen.{digest}"
# The login that imported drafts are "created by" when no operator uploaded them (polling).
IMPORT_USERNAME = "importazione-cap"
_AREA_DESCRIPTION_MAX = 250


@dataclass
class CapImport:
    alert: Alert
    message: CapMessage
    notes: list[str]
    # A Cancel: `alert` is the draft made from the cancelled message (withdrawn if not sent).
    cancelled: bool = False


def _alert_has(field_name: str) -> bool:
    try:
        Alert._meta.get_field(field_name)
    except FieldDoesNotExist:
        return False
    return True


def _seen_key(sender: str, identifier: str) -> str:
    digest = hashlib.sha256(f"{sender}\n{identifier}".encode()).hexdigest()
    return SEEN_KEY.format(digest=digest)


def cap_imported_alert(*, sender: str, identifier: str) -> Alert | None:
    """The draft a message already became, if it is still there."""
    if _alert_has("source_identifier"):
        return Alert.objects.filter(source_sender=sender, source_identifier=identifier).first()
    pk = cache.get(_seen_key(sender, identifier))
    return Alert.objects.filter(pk=pk).first() if pk else None


def cap_seen(*, sender: str, identifier: str) -> bool:
    """Whether this message was ever imported (even if its draft was deleted since)."""
    return (
        cache.get(_seen_key(sender, identifier)) is not None
        or cap_imported_alert(sender=sender, identifier=identifier) is not None
    )


def cap_import_user() -> Any:
    """The login recorded as author of drafts imported by polling: inactive, cannot log in."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=IMPORT_USERNAME,
        defaults={"first_name": "Importazione CAP", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _references(message: CapMessage) -> list[tuple[str, str]]:
    """(sender, identifier) of each message a Cancel or Update refers to."""
    pairs = []
    for reference in message.references.split():
        parts = reference.split(",")
        if len(parts) >= 2:
            pairs.append((parts[0], parts[1]))
    return pairs


@transaction.atomic
def _cancel_import(message: CapMessage, *, by: Any, request: Any) -> CapImport:
    """A Cancel from the authority: the drafts made of the messages it cancels are withdrawn
    (never sent); one already sent is only pointed out, for the operator to stop or update."""
    query = Q(pk__in=[])
    for sender, identifier in _references(message):
        query |= Q(source_sender=sender, source_identifier=identifier)
    alerts = list(Alert.objects.select_for_update().filter(query).order_by("pk"))
    if not alerts:
        raise ApplicationError(
            _(
                "Il messaggio annulla un'allerta precedente (%(references)s) che non è stata "
                "importata qui: non c'è nessuna bozza da ritirare."
            )
            % {"references": message.references or "?"}
        )
    notes = []
    now = timezone.now()
    for alert in alerts:
        if alert.status in (
            AlertStatus.DRAFT,
            AlertStatus.AWAITING_APPROVAL,
            AlertStatus.SCHEDULED,
        ):
            alert.status, alert.stopped_at, alert.stopped_by = AlertStatus.STOPPED, now, by
            alert.save(update_fields=["status", "stopped_at", "stopped_by"])
            audit_record(
                action="alert.cap_cancel",
                actor=by,
                target=alert,
                request=request,
                detail={"sender": message.sender, "identifier": message.identifier},
            )
            notes.append(
                _("La bozza «%(headline)s» è stata ritirata: l'ente ha annullato il messaggio.")
                % {"headline": alert.headline}
            )
        else:
            notes.append(
                _(
                    "L'allerta «%(headline)s», fatta dal messaggio annullato, è già partita: "
                    "interrompila o aggiornala dalla sua pagina."
                )
                % {"headline": alert.headline}
            )
    return CapImport(alert=alerts[0], message=message, notes=notes, cancelled=True)


def _refuse_kind(message: CapMessage) -> None:
    if message.status not in ("Actual", "Exercise"):
        raise ApplicationError(
            _(
                "Il messaggio ha stato «%(status)s»: è una prova tecnica o una bozza dell'ente "
                "che lo ha emesso, non un'allerta. Non è stato importato nulla."
            )
            % {"status": message.status}
        )
    if message.msg_type not in ("Alert", "Update", "Cancel"):
        raise ApplicationError(
            _(
                "Il messaggio è di tipo «%(kind)s» (una conferma o una segnalazione di errore "
                "tra sistemi), non un'allerta: non è stato importato nulla."
            )
            % {"kind": message.msg_type}
        )
    if not message.infos:
        raise ApplicationError(
            _(
                "Il messaggio non contiene nessun testo (elemento «info»): non c'è niente da "
                "importare."
            )
        )


def cap_import(
    xml: bytes,
    *,
    by: Any,
    request: Any = None,
    origin: str = "upload",
    url: str = "",
) -> CapImport:
    """Make a draft alert of a CAP 1.2 message; ApplicationError, with nothing saved, when the
    message is invalid, is not an alert, concerns another territory, or is already a draft."""
    message = cap_read(xml)
    _refuse_kind(message)
    if message.msg_type == "Cancel":
        return _cancel_import(message, by=by, request=request)
    existing = cap_imported_alert(sender=message.sender, identifier=message.identifier)
    if existing is not None:
        raise ApplicationError(
            _("Questo messaggio è già stato importato: è la bozza «%(headline)s».")
            % {"headline": existing.headline},
            extra={"alert": existing.pk},
        )
    notes: list[str] = []
    italian = infos_merged([info for info in message.infos if info.italian], notes)
    english = infos_merged([info for info in message.infos if info.english], notes)
    chosen = italian or english or infos_merged(message.infos[:1], notes)
    if italian is None:
        # The Italian fields must be written by the operator: they are marked, and the alert
        # cannot be sent while the mark is there (sending._ready_check).
        notes.append(
            _(
                "Il messaggio non ha testi in italiano: i campi in italiano riportano quelli in "
                "«%(language)s», segnati «%(mark)s». Traducili: finché il segno resta l'allerta "
                "non si può inviare."
            )
            % {"language": chosen.language, "mark": TO_TRANSLATE}
        )
    areas = chosen.areas or next((info.areas for info in message.infos if info.areas), [])
    mapped = cap_area_map(areas)
    notes.extend(mapped.notes)
    if message.msg_type == "Update":
        notes.append(
            _("Il messaggio aggiorna un'allerta precedente dello stesso ente (%(references)s).")
            % {"references": message.references or "?"}
        )
    if chosen.expires is not None and chosen.expires <= timezone.now():
        notes.append(
            _("Il messaggio è già scaduto (%(when)s): correggi la fine validità prima dell'invio.")
            % {"when": date_format(timezone.localtime(chosen.expires), "SHORT_DATETIME_FORMAT")}
        )
    values = alert_values(chosen, english)
    if italian is None:
        for name in ("headline", "description", "instruction"):
            if values[name]:
                values[name] = (
                    text_cut(f"{TO_TRANSLATE} {values[name]}", HEADLINE_MAX)
                    if (name == "headline")
                    else f"{TO_TRANSLATE} {values[name]}"
                )
    values["exercise"] = message.status == "Exercise"
    try:
        alert = _draft_create(
            message, values=values, mapped=mapped, by=by, request=request, origin=origin, url=url
        )
    except IntegrityError as error:
        # Imported meanwhile by another process (the unique source constraint, see docs/cap.md).
        raise ApplicationError(_("Questo messaggio è già stato importato.")) from error
    # Remembered apart from the draft: a draft deleted by an operator is not imported again.
    cache.set(_seen_key(message.sender, message.identifier), alert.pk, timeout=SEEN_SECONDS)
    return CapImport(alert=alert, message=message, notes=notes)


@transaction.atomic
def _draft_create(
    message: CapMessage,
    *,
    values: dict[str, Any],
    mapped: MappedArea,
    by: Any,
    request: Any,
    origin: str,
    url: str,
) -> Alert:
    alert = alert_draft_save(alert=None, values=values, by=by)
    if mapped.area:
        alert.area = mapped.area
        summary = area_summary(mapped.area)
        alert.area_description = text_cut(
            f"{summary} ({mapped.description})" if mapped.description else summary,
            _AREA_DESCRIPTION_MAX,
        )
    source = {
        "source_sender": message.sender,
        "source_identifier": message.identifier,
        "source_sent": message.sent,
        "source_url": url,
    }
    for name, value in source.items():
        if _alert_has(name):
            setattr(alert, name, value)
    alert.save()
    audit_record(
        action="alert.cap_import",
        actor=by,
        target=alert,
        request=request,
        detail={
            "origin": origin,
            "url": url,
            "sender": message.sender,
            "identifier": message.identifier,
            "sent": message.sent.isoformat(),
            "area": alert.area_description,
        },
    )
    return alert


def cap_to_draft(xml: bytes, *, by: Any, request: Any = None) -> Alert:
    """The draft alert made of an uploaded CAP message (see cap_import)."""
    return cap_import(xml, by=by, request=request).alert
