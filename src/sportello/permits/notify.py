"""What the holder is told, by e-mail (and by SMS for reminders and a change of residence),
through `channels`: a delivery row each, queued after the commit."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from sportello.channels.base import Medium
from sportello.channels.services import delivery_create
from sportello.permits.selectors import permit_amount_lines

SUBJECTS = {
    "submitted": lambda: _("Permesso ZTL/ZSC: domanda ricevuta"),
    "accepted": lambda: _("Permesso ZTL/ZSC: documenti verificati, ora puoi pagare"),
    "issued": lambda: _("Permesso ZTL/ZSC rilasciato"),
    "rejected": lambda: _("Permesso ZTL/ZSC: domanda respinta"),
    "revoked": lambda: _("Permesso ZTL/ZSC revocato"),
    "reminder": lambda: _("Il tuo permesso ZTL/ZSC sta per scadere"),
    "moved": lambda: _("Permesso ZTL/ZSC: la residenza non è più nella zona"),
    "plate_change_submitted": lambda: _("Permesso ZTL/ZSC: cambio di targa in verifica"),
    "plate_changed": lambda: _("Permesso ZTL/ZSC: targa cambiata"),
    "plate_change_rejected": lambda: _("Permesso ZTL/ZSC: cambio di targa respinto"),
}


def permit_notify(permit, *, kind: str, sms: bool = False, extra: dict | None = None) -> None:
    user = permit.applicant
    if user is None:
        return
    base = settings.SPORTELLO_PUBLIC_URL.rstrip("/")
    context = {
        "permit": permit,
        "kind": kind,
        "url": base + reverse("permits:detail", args=[permit.pk]),
        "amounts": permit_amount_lines(permit),
        **(extra or {}),
    }
    if user.email:
        delivery_create(
            medium=Medium.EMAIL,
            to=user.email,
            purpose=f"permit_{kind}",
            reference=str(permit.pk),
            payload={
                "subject": str(SUBJECTS[kind]()),
                "text": render_to_string("permits/email/notice.txt", context),
            },
        )
    if sms and user.phone:
        delivery_create(
            medium=Medium.SMS,
            to=user.phone,
            purpose=f"permit_{kind}",
            reference=str(permit.pk),
            payload={"text": render_to_string("permits/email/notice_sms.txt", context).strip()},
        )
