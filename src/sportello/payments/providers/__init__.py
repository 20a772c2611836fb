"""Payment providers: one contract (base.py), chosen in settings (SPORTELLO_PAYMENTS_PROVIDER)."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from sportello.payments.providers.base import PaymentProvider


@cache
def _provider(path: str) -> PaymentProvider:
    return import_string(path)()


def provider_get() -> PaymentProvider:
    return _provider(settings.SPORTELLO_PAYMENTS_PROVIDER)


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    # A provider reads its addresses, keys and timeouts once: made again when they change (tests).
    if setting == "SPORTELLO_PAYMENTS_PROVIDER" or setting.startswith("SPORTELLO_PAGOPA_"):
        _provider.cache_clear()
