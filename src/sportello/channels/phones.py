"""Phone numbers: parse, check the kind (mobile, landline, fax) and normalise to E.164."""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from phonenumbers import NumberParseException, PhoneNumberType


def phone_e164(value: str, *, region: str = "IT") -> str | None:
    try:
        number = phonenumbers.parse(value, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_same(first: str, second: str) -> bool:
    a, b = phone_e164(first or ""), phone_e164(second or "")
    return a is not None and a == b


def phone_kind(e164: str) -> str:
    """'mobile', 'landline' or 'other'."""
    number = phonenumbers.parse(e164, None)
    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.MOBILE:
        return "mobile"
    if kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return "landline"
    return "other"


def phone_country_allowed(e164: str) -> bool:
    """Only numbers of the allowed countries are ever called or texted (no toll fraud)."""
    number = phonenumbers.parse(e164, None)
    region = phonenumbers.region_code_for_number(number)
    return region in settings.SPORTELLO_CALLABLE_COUNTRIES


def phone_display(e164: str) -> str:
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_masked(e164: str) -> str:
    """'+39 *** *** 4567': enough for its owner to recognise, not for others."""
    return e164[:3] + " *** *** " + e164[-4:]
