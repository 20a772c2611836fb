"""Corrections citizens ask for: an error report on their registry data, and the office's
answer (the citizen is told by e-mail)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.core.queueing import enqueue_after_commit
from sportello.registry.models import (
    CorrectionRequest,
    CorrectionStatus,
    CorrectionTopic,
    Person,
)
from sportello.registry.tasks import email_correction_request_status

CORRECTION_TEXT_MIN = 10
CORRECTION_TEXT_MAX = 2000
CORRECTION_OPEN_MAX = 5  # open requests a person may have at once


def _clean_paragraphs(value: str | None) -> str:
    """Text with its line breaks, without trailing spaces and runs of blank lines."""
    lines = [" ".join(line.split()) for line in (value or "").strip().splitlines()]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


def correction_text_check(*, text: str) -> str:
    """The citizen's description, cleaned; too short or too long is refused."""
    text = _clean_paragraphs(text)
    if len(text) < CORRECTION_TEXT_MIN:
        raise ApplicationError(
            _(
                "Descrivi l'errore in almeno %(min)d caratteri: che cosa è sbagliato e qual è "
                "il dato giusto."
            )
            % {"min": CORRECTION_TEXT_MIN},
            extra={"field": "text"},
        )
    if len(text) > CORRECTION_TEXT_MAX:
        raise ApplicationError(
            _("La descrizione è troppo lunga: al massimo %(max)d caratteri (ne hai scritti %(n)d).")
            % {"max": CORRECTION_TEXT_MAX, "n": len(text)},
            extra={"field": "text"},
        )
    return text


@transaction.atomic
def correction_request_create(
    *, person: Person, author: Any, topic: str, text: str
) -> CorrectionRequest:
    """A citizen reports that some of their registry data is wrong; the registry office will
    answer it in the back-office."""
    if topic not in CorrectionTopic.values:
        raise ApplicationError(_("Scegli quale dato è sbagliato."), extra={"field": "topic"})
    text = correction_text_check(text=text)
    # Lock the person: two requests sent at once must not both slip under the limit.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    open_requests = CorrectionRequest.objects.filter(
        person=person, status__in=(CorrectionStatus.NEW, CorrectionStatus.IN_PROGRESS)
    ).count()
    if open_requests >= CORRECTION_OPEN_MAX:
        raise ApplicationError(
            _(
                "Hai già %(count)d segnalazioni in attesa di risposta: aspetta che l'ufficio "
                "anagrafe le esamini prima di inviarne altre."
            )
            % {"count": open_requests}
        )
    correction = CorrectionRequest.objects.create(
        person=person,
        author=author if getattr(author, "pk", None) else None,
        topic=topic,
        text=text,
    )
    # The e-mail that confirms the report was registered (the page says so too).
    enqueue_after_commit(email_correction_request_status, correction.pk)
    return correction


def correction_answer_check(*, status: str, answer: str) -> str:
    """Check the office's new status and answer; return the answer, cleaned. No writes."""
    if status not in CorrectionStatus.values:
        raise ApplicationError(
            _("stato sconosciuto: «%(value)s»") % {"value": status}, extra={"field": "status"}
        )
    answer = _clean_paragraphs(answer)
    if status in (CorrectionStatus.DONE, CorrectionStatus.REJECTED) and not answer:
        raise ApplicationError(
            _("Per chiudere o respingere la segnalazione scrivi una risposta per il cittadino."),
            extra={"field": "answer"},
        )
    if len(answer) > CORRECTION_TEXT_MAX:
        raise ApplicationError(
            _("La risposta è troppo lunga: al massimo %(max)d caratteri.")
            % {"max": CORRECTION_TEXT_MAX},
            extra={"field": "answer"},
        )
    return answer


@transaction.atomic
def correction_request_handle(
    *, correction: CorrectionRequest, status: str, answer: str, by: Any
) -> CorrectionRequest:
    """The registry office takes a request in hand, corrects the data or rejects it, with an
    answer for the citizen; the citizen gets an e-mail when the status changes."""
    correction = CorrectionRequest.objects.select_for_update().get(pk=correction.pk)
    answer = correction_answer_check(status=status, answer=answer)
    status_changed = status != correction.status
    if not status_changed and answer == correction.answer:
        return correction
    correction.status, correction.answer = status, answer
    correction.handled_by = by if getattr(by, "pk", None) else None
    closed = status in (CorrectionStatus.DONE, CorrectionStatus.REJECTED)
    if status_changed:
        correction.closed_at = timezone.now() if closed else None
    correction.save()
    if status_changed:
        enqueue_after_commit(email_correction_request_status, correction.pk)
    return correction
