"""Start-up checks for payments: a provider chosen without its settings, a malformed IBAN or
segregation code fail now, naming the variable, rather than at a citizen's first payment."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.utils.module_loading import import_string

from sportello.payments.validation import iban_valid


@register()
def payments_configured(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    path = settings.SPORTELLO_PAYMENTS_PROVIDER
    try:
        import_string(path)
    except ImportError as exc:
        problems.append(
            Error(
                f"SPORTELLO_PAYMENTS_PROVIDER={path!r} cannot be imported ({exc}).",
                id="sportello.payments.E001",
            )
        )
    if ".providers.pagopa." in path:
        for name in ("SPORTELLO_PAGOPA_GPD_KEY", "SPORTELLO_PAGOPA_CHECKOUT_KEY"):
            if not getattr(settings, name):
                problems.append(
                    Error(
                        f"The pagoPA provider is chosen but {name} is unset.",
                        hint=f"Set {name} (or {name}_FILE) to the API product's subscription key.",
                        id="sportello.payments.E002",
                    )
                )
    if not iban_valid(settings.SPORTELLO_PAGOPA_IBAN.replace(" ", "")):
        problems.append(
            Error(
                f"SPORTELLO_PAGOPA_IBAN={settings.SPORTELLO_PAGOPA_IBAN!r} is not a valid IBAN.",
                id="sportello.payments.E003",
            )
        )
    if not re.fullmatch(r"\d{2}", settings.SPORTELLO_PAGOPA_SEGREGATION_CODE):
        problems.append(
            Error(
                "SPORTELLO_PAGOPA_SEGREGATION_CODE must be the two-digit segregation code.",
                id="sportello.payments.E004",
            )
        )
    return problems
