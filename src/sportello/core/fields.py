"""Model fields shared by the apps: a phone number kept in E.164."""

from __future__ import annotations

from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Numbers written without a country code are Italian.
DEFAULT_REGION = "IT"


def phone_to_e164(value: str) -> str:
    """«0586 1837510» -> «+3905861837510»; an empty value stays empty; bad ones are refused."""
    value = (value or "").strip()
    if not value:
        return ""
    if any(character.isalpha() for character in value):
        raise ValidationError(_("Scrivi il numero solo con cifre, senza lettere."))
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(_("Il numero non sembra valido: scrivilo con il prefisso."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PhoneNumberField(models.CharField):
    """A number the system gives to providers (caller ID, fax sender, inbound lines): stored in
    E.164 whatever way it was typed, shown grouped by the `phone` template filter."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> str:
        return phone_to_e164(super().to_python(value) or "")
