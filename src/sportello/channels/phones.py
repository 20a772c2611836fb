"""Phone numbers: parse, check the kind (mobile, landline, fax) and normalise to E.164.

The system calls, texts and faxes only ordinary lines: mobiles and landlines of the callable
countries. Premium-rate (899, 892, 166…), shared-cost (840, 848), personal (178, 199), toll-free
and other special numbers are refused wherever a number enters (phone_refusal) and again by the
providers (phone_callable), so that no alert ever costs the comune a premium rate.
"""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext as _
from phonenumbers import NumberParseException, PhoneNumberType

# What a person may write in a number besides digits: nothing that phonenumbers would turn into
# digits (letters of a keypad, «333 ABC 4567»).
_WRITTEN = re.compile(r"^\+?[\d\s().\-/]+$")
CALLABLE_TYPES = (
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
)
_PAID_TYPES = (
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.PERSONAL_NUMBER,
    PhoneNumberType.UAN,
)


def phone_written_well(value: str) -> bool:
    """Digits, spaces and the usual separators only (letters are refused, not converted)."""
    return bool(_WRITTEN.match(value.strip()))


def phone_e164(value: str, *, region: str = "IT") -> str | None:
    if not phone_written_well(value):
        return None
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


def phone_refusal(e164: str) -> str | None:
    """Why the system must not call, text or fax this number (in Italian), or None."""
    number = phonenumbers.parse(e164, None)
    if phonenumbers.region_code_for_number(number) not in settings.SPORTELLO_CALLABLE_COUNTRIES:
        return _("Possiamo chiamare solo numeri italiani.")
    kind = phonenumbers.number_type(number)
    if kind in _PAID_TYPES:
        return _(
            "I numeri a pagamento o a costo condiviso (come 899, 892, 166, 178, 199, 840, 848) "
            "non si possono usare: scrivi un numero di cellulare o di telefono fisso."
        )
    if kind not in CALLABLE_TYPES:
        return _("Questo non è il numero di un cellulare o di un telefono fisso.")
    return None


def phone_callable(e164: str) -> bool:
    """The providers' last check before a call, an SMS or a fax leaves."""
    try:
        return phone_refusal(e164) is None
    except NumberParseException:
        return False


def phone_display(e164: str) -> str:
    number = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_masked(e164: str) -> str:
    """'+39 *** *** 4567': enough for its owner to recognise, not for others."""
    return e164[:3] + " *** *** " + e164[-4:]
