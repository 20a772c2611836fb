"""Writes for directory contacts (numbers from the public phone directory)."""

from __future__ import annotations

from django.db import transaction

from sportello.alerts.models import Contact
from sportello.alerts.services.suppression import suppression_add
from sportello.channels.models import Delivery
from sportello.core.services import audit_record


def contact_find_by_number(*, number: str) -> Contact | None:
    return Contact.objects.filter(number=number).first()


def contact_delete(*, contact: Contact, channel: str) -> None:
    """A directory number that asked to be removed: deleted, and never imported again."""
    with transaction.atomic():
        suppression_add(number=contact.number, reason="deregistered")
        Delivery.objects.filter(to=contact.number).delete()
        pk = contact.pk
        contact.delete()
        audit_record(
            action="alert_contact_deleted", actor="", channel=channel, detail={"contact_id": pk}
        )
