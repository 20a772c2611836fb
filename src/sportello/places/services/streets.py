"""Writes of streets: their checks, creation and update, each street's search key kept in
step (Street.search_name, what search and geocoding rely on)."""

from __future__ import annotations

import re
from functools import lru_cache

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sportello.core.exceptions import ApplicationError
from sportello.places.models import Street
from sportello.places.normalize import (
    display_case,
    street_search_key,
    street_type_words,
)


def max_length(model: type[models.Model], field_name: str) -> int:
    return model._meta.get_field(field_name).max_length  # type: ignore[return-value]


_STREET_LIMITS = (
    ("street_type", gettext_lazy("tipo di strada")),
    ("name", gettext_lazy("nome della strada")),
    ("code", gettext_lazy("codice strada")),
    ("postal_code", gettext_lazy("CAP")),
)


def street_problem(*, street_type: str, name: str, code: str | None, postal_code: str) -> str:
    """Why these values cannot be a street, in plain Italian; empty when they can."""
    if not name:
        return _("manca il nome della strada")
    values = {
        "street_type": street_type,
        "name": name,
        "code": code or "",
        "postal_code": postal_code,
    }
    for field_name, label in _STREET_LIMITS:
        limit = max_length(Street, field_name)
        if len(values[field_name]) > limit:
            return _("%(label)s troppo lungo (al massimo %(limit)d caratteri)") % {
                "label": label,
                "limit": limit,
            }
    if postal_code and not re.fullmatch(r"\d{5}", postal_code):
        return _("CAP «%(value)s» non valido: sono 5 cifre") % {"value": postal_code}
    return ""


def street_get_or_create(
    *, street_type: str, name: str, code: str | None = None, postal_code: str = ""
) -> tuple[Street, bool]:
    """The street with this national code, or else with this name (however written); created
    if missing. A street found by name without a code receives the code. Returns (street, created).
    """
    street_type = " ".join((street_type or "").split())
    name = " ".join((name or "").split())
    code = (code or "").strip() or None
    postal_code = (postal_code or "").strip()
    problem = street_problem(street_type=street_type, name=name, code=code, postal_code=postal_code)
    if problem:
        raise ApplicationError(problem[:1].upper() + problem[1:] + ".")
    key = street_search_key(street_type=street_type, name=name)
    with transaction.atomic():
        street = Street.objects.filter(code=code).first() if code else None
        if street is None:
            same_name = list(Street.objects.filter(search_name=key))
            street = street_pick_same_name(same_name, street_type=street_type, name=name)
            if street is not None and code:
                if street.code and street.code != code:
                    raise ApplicationError(
                        _("La strada «%(street)s» ha già il codice %(code)s.")
                        % {"street": street.full_name, "code": street.code},
                        extra={"street_id": street.pk},
                    )
                street.code = code
                street.save(update_fields=["code"])
        if street is not None:
            return street, False
        street = Street.objects.create(
            code=code,
            street_type=street_type,
            name=name,
            search_name=key,
            postal_code=postal_code,
        )
        return street, True


def street_update(
    *,
    street: Street,
    street_type: str,
    name: str,
    code: str | None = None,
    postal_code: str = "",
) -> Street:
    """Change a street's type, name, code or CAP, keeping its search key in step."""
    street_type = " ".join((street_type or "").split())
    name = " ".join((name or "").split())
    code = (code or "").strip() or None
    postal_code = (postal_code or "").strip()
    problem = street_problem(street_type=street_type, name=name, code=code, postal_code=postal_code)
    if problem:
        raise ApplicationError(problem[:1].upper() + problem[1:] + ".")
    street.street_type = street_type
    street.name = name
    street.code = code
    street.postal_code = postal_code
    street.search_name = street_search_key(street_type=street_type, name=name)
    try:
        with transaction.atomic():
            street.save()
    except IntegrityError as error:
        raise ApplicationError(
            _("Esiste già una strada con questo nome o con questo codice."),
            extra={"street_id": street.pk},
        ) from error
    return street


def street_pick_same_name(streets: list[Street], *, street_type: str, name: str) -> Street | None:
    """Among streets sharing a search key, the one written exactly so, else the first."""
    for street in streets:
        if street.street_type == street_type and street.name == name:
            return street
    return streets[0] if streets else None


@lru_cache(maxsize=20_000)
def odonimo_split(odonimo: str) -> tuple[str, str]:
    """«VIA GIUSEPPE GARIBALDI» -> («Via», «Giuseppe Garibaldi»): the street type is the first
    word (or two) when it is a known one; otherwise the whole text is the name."""
    words = (odonimo or "").split()
    size = street_type_words(words) if len(words) > 1 else 0
    if size and len(words) > size:
        name = display_case(" ".join(words[size:]), after_street_type=True)
        return display_case(" ".join(words[:size])), name
    return "", display_case(" ".join(words))
