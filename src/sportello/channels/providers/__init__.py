"""Providers are chosen per medium in settings.SPORTELLO_CHANNELS, by dotted path."""

from __future__ import annotations

from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from sportello.channels.base import NotConfigured, ProviderResult
from sportello.channels.models import Delivery


class Provider(Protocol):
    """voice: place the call; sms/fax/email: send the message."""

    name: str

    def send(self, delivery: Delivery) -> ProviderResult: ...


@cache
def _load(path: str) -> Provider:
    return import_string(path)()


def provider_for(medium: str) -> Provider:
    path = settings.SPORTELLO_CHANNELS.get(medium)
    if not path:
        raise NotConfigured(f"Nessun gestore configurato per il canale {medium}.")
    return _load(path)
