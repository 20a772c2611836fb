"""Template helpers for the public portal: the coat of arms, opening hours, phone links."""

from __future__ import annotations

import re
from datetime import time
from decimal import Decimal

import phonenumbers
from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_from_path
from django.utils.translation import gettext as _

from sportello.core.fields import DEFAULT_REGION
from sportello.core.models import Helpline, Municipality, Office, Weekday
from sportello.core.money import euro_text

register = template.Library()

GENERIC_ARMS = "sportello/img/stemma-generico.svg"


@register.simple_tag
def coat_of_arms_url(municipality: Municipality | None) -> str:
    """The comune's own arms if uploaded, else the generic shield shipped with Sportello."""
    if municipality is not None and municipality.coat_of_arms:
        return municipality.coat_of_arms.url
    return static(GENERIC_ARMS)


@register.simple_tag(takes_context=True)
def path_in_default_language(context: template.Context) -> str:
    """This page's address without the language prefix, for the language switch's `next`.

    set_language answers at an unprefixed URL, so it runs in the default language and can
    translate '/contatti/' into any language but cannot resolve '/en/contatti/'.
    """
    request = context.get("request")
    if request is None:
        return "/"
    path = translate_url(request.get_full_path(), settings.LANGUAGE_CODE)
    if get_language_from_path(path) is not None:
        return "/"  # a page that does not exist in the default language: go home
    return path


@register.simple_tag
def config_lang() -> str:
    """` lang="it"` for an element that shows the comune's configuration (names, addresses,
    texts typed in the site's own language) on a page in another language (WCAG 3.1.2)."""
    if (get_language() or settings.LANGUAGE_CODE) == settings.LANGUAGE_CODE:
        return ""
    return format_html(' lang="{}"', settings.LANGUAGE_CODE)


@register.filter
def euro(amount: Decimal | int | str | None) -> str:
    """{{ certificate.stamp_duty|euro }} -> «€ 16,00»."""
    return "" if amount is None or amount == "" else euro_text(amount)


@register.filter
def euro_cents(amount: int | None) -> str:
    """{{ option.amount|euro_cents }} -> «€ 16,00» for 1600."""
    return "" if amount is None or amount == "" else euro_text(amount, cents=True)


@register.filter
def phone(number: str) -> str:
    """'+3905861837510' -> '0586 183 7510' (grouped; other countries with their prefix)."""
    try:
        parsed = phonenumbers.parse(number or "", DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return number or ""
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if phonenumbers.region_code_for_number(parsed) == DEFAULT_REGION
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)


@register.filter
def tel_href(number: str) -> str:
    """'+39 0586 820 000' -> 'tel:+390586820000', so phones dial it with one tap."""
    return "tel:" + re.sub(r"[^\d+]", "", number or "")


@register.filter
def issuing_credentials(offices: list[Office]) -> list[Office]:
    """The offices where citizens collect their Sportello credentials in person."""
    return [office for office in offices if office.issues_credentials]


@register.filter
def opening_hours(owner: Office | Helpline) -> list[tuple[str, str]]:
    """One line per time interval, as a notice on a door reads:
    [("Lunedì–venerdì", "09:00–13:00"), ("Martedì e giovedì", "15:30–17:30")].

    Uses the prefetched `opening_periods`, so it costs no query in the footer.
    """
    days_by_interval: dict[tuple[time, time], set[int]] = {}
    for period in owner.opening_periods.all():
        days_by_interval.setdefault((period.opens, period.closes), set()).add(period.weekday)
    ordered = sorted(days_by_interval.items(), key=lambda item: (min(item[1]), item[0]))
    return [
        (capfirst(_days_label(sorted(days))), f"{opens:%H:%M}–{closes:%H:%M}")
        for (opens, closes), days in ordered
    ]


def _days_label(days: list[int]) -> str:
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    items: list[str] = []
    for run in runs:
        if len(run) >= 3:
            items.append(f"{Weekday(run[0]).label}–{Weekday(run[-1]).label}")
        else:
            items.extend(str(Weekday(day).label) for day in run)
    if len(items) == 1:
        return items[0]
    return _("%(days)s e %(last)s") % {"days": ", ".join(items[:-1]), "last": items[-1]}
