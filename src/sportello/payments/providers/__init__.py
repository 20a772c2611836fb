"""Payment providers: one contract (base.py), chosen in settings (SPORTELLO_PAYMENTS_PROVIDER)."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from sportello.payments.providers.base import PaymentProvider


@cache
def _provider(path: str) -> PaymentProvider:
    return import_string(path)()


def provider_get() -> PaymentProvider:
    return _provider(settings.SPORTELLO_PAYMENTS_PROVIDER)
