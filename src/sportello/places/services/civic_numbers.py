"""Writes of civic numbers: checks, and the create-or-update by national code or by street,
number and exponent that keeps re-runs idempotent."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sportello.core.exceptions import ApplicationError
from sportello.core.models import Municipality
from sportello.core.selectors import municipality_get
from sportello.places.models import CivicNumber, Street
from sportello.places.normalize import (
    exponent_normalize,
)
from sportello.places.services.streets import max_length

# Coordinates closer than this (about 1 cm) are the same position: keeps re-runs idempotent.
COORDINATE_TOLERANCE = 1e-7


class UpsertOutcome(models.TextChoices):
    CREATED = "created", gettext_lazy("creato")
    UPDATED = "updated", gettext_lazy("aggiornato")
    UNCHANGED = "unchanged", gettext_lazy("invariato")


def civic_problem(
    *,
    number: int | None,
    exponent: str,
    latitude: float | None,
    longitude: float | None,
    municipality: Municipality | None,
) -> str:
    """Why these values cannot be a civic number, in plain Italian; empty when they can."""
    if number is None or number <= 0:
        return _("numero civico mancante o uguale a zero (senza numero civico)")
    if len(exponent) > max_length(CivicNumber, "exponent"):
        return _("esponente «%(value)s» troppo lungo") % {"value": exponent}
    if latitude is None or longitude is None:
        return _("mancano le coordinate")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return _("coordinate non valide (latitudine %(lat)s, longitudine %(lon)s)") % {
            "lat": latitude,
            "lon": longitude,
        }
    if municipality is not None and not municipality.contains(
        latitude=latitude, longitude=longitude
    ):
        return _(
            "coordinate fuori dal territorio del Comune (latitudine %(lat).6f, "
            "longitudine %(lon).6f)"
        ) % {"lat": latitude, "lon": longitude}
    return ""


def civic_values_apply(civic: CivicNumber, values: dict[str, Any]) -> list[str]:
    """Set the values that differ; blank values never erase what is there. Returns the fields."""
    changed: list[str] = []
    for name, value in values.items():
        current = getattr(civic, "street_id" if name == "street" else name)
        new = value.pk if name == "street" else value
        if name in {"latitude", "longitude"}:
            if current is not None and abs(current - new) <= COORDINATE_TOLERANCE:
                continue
        elif (name in {"code", "zone", "postal_code"} and not new) or current == new:
            continue
        setattr(civic, name, value)
        changed.append(name)
    return changed


def civic_number_upsert(
    *,
    street: Street,
    number: int,
    exponent: str = "",
    latitude: float,
    longitude: float,
    code: str | None = None,
    zone: str = "",
    postal_code: str = "",
) -> tuple[CivicNumber, UpsertOutcome]:
    """Create or update the civic number identified by its national code, or else by street,
    number and exponent. Refuses positions outside the comune when one is configured."""
    exponent = exponent_normalize(exponent)
    code = (code or "").strip() or None
    problem = civic_problem(
        number=number,
        exponent=exponent,
        latitude=latitude,
        longitude=longitude,
        municipality=municipality_get(),
    )
    if problem:
        raise ApplicationError(problem[:1].upper() + problem[1:] + ".")
    values: dict[str, Any] = {
        "street": street,
        "number": number,
        "exponent": exponent,
        "code": code,
        "latitude": round(latitude, 7),
        "longitude": round(longitude, 7),
        "zone": (zone or "").strip(),
        "postal_code": (postal_code or "").strip(),
    }
    with transaction.atomic():
        by_key = CivicNumber.objects.filter(street=street, number=number, exponent=exponent)
        key_owner = by_key.select_for_update().first()
        target = CivicNumber.objects.select_for_update().filter(code=code).first() if code else None
        if target is None:
            target = key_owner
        elif key_owner is not None and key_owner.pk != target.pk:
            raise ApplicationError(
                _("Il civico %(label)s esiste già con un altro codice.")
                % {"label": str(key_owner)},
                extra={"civic_number_id": key_owner.pk},
            )
        if target is None:
            return CivicNumber.objects.create(**values), UpsertOutcome.CREATED
        changed = civic_values_apply(target, values)
        if not changed:
            return target, UpsertOutcome.UNCHANGED
        target.save(update_fields=changed)
        return target, UpsertOutcome.UPDATED
