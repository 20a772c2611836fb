"""The suppression list: numbers that asked never to be called again, kept only as a keyed hash."""

from __future__ import annotations

from django.conf import settings
from django.utils.crypto import salted_hmac

from sportello.alerts.models import Suppression


def suppression_hash(*, number: str) -> str:
    key = settings.SPORTELLO_SUPPRESSION_KEY or settings.SECRET_KEY
    return salted_hmac(
        "sportello.alerts.suppression", number, secret=key, algorithm="sha256"
    ).hexdigest()


def suppression_add(*, number: str, reason: str) -> None:
    Suppression.objects.get_or_create(
        number_hash=suppression_hash(number=number), defaults={"reason": reason}
    )


def number_suppressed(*, number: str) -> bool:
    return Suppression.objects.filter(number_hash=suppression_hash(number=number)).exists()
