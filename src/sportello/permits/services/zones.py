"""Zones and their configuration: the area (civic numbers inside it), the fee tables, the
cameras' keys."""

from __future__ import annotations

import logging
import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.core.services import audit_record
from sportello.permits.models import (
    Zone,
    ZoneCivicNumber,
)

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Zones


def zone_area_set(*, zone: Zone, area: dict, by: Any = None) -> Zone:
    """Set the zone's area (polygons and/or streets with civic-number ranges, checked as an
    alert's area is) and work out the civic numbers inside it."""
    from sportello.alerts.targeting import area_civic_numbers, area_clean

    try:
        cleaned = area_clean(area)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), extra={"field": "area"}) from error
    if cleaned.get("city"):
        raise ApplicationError(
            _("Una zona non può essere tutto il Comune: disegnala o elenca le sue strade."),
            extra={"field": "area"},
        )
    ids = area_civic_numbers(cleaned) or []
    with transaction.atomic():
        zone.area = cleaned
        zone.civic_count = len(ids)
        zone.save()
        ZoneCivicNumber.objects.filter(zone=zone).delete()
        ZoneCivicNumber.objects.bulk_create(
            [ZoneCivicNumber(zone=zone, civic_number_id=pk) for pk in ids], batch_size=2000
        )
        audit_record(
            action="permit_zone_area_set", actor=by, target=zone, detail={"civics": len(ids)}
        )
    return zone


def permit_type_fees_check(fees: Any) -> list[str]:
    """The fee table as the office writes it: a list of amounts in euros."""
    if not isinstance(fees, list) or not fees:
        raise ApplicationError(_("Scrivi almeno una tariffa, anche 0."), extra={"field": "fees"})
    cleaned = []
    for value in fees:
        try:
            amount = Decimal(str(value))
        except ArithmeticError as error:
            raise ApplicationError(
                _("«%(value)s» non è un importo.") % {"value": value}, extra={"field": "fees"}
            ) from error
        if amount < 0 or amount != amount.quantize(Decimal("0.01")):
            raise ApplicationError(
                _("«%(value)s»: gli importi sono positivi, con al massimo due decimali.")
                % {"value": value},
                extra={"field": "fees"},
            )
        cleaned.append(f"{amount:.2f}")
    return cleaned


def camera_token_create(*, name: str, zone_codes: list[str] | None = None) -> tuple[Any, str]:
    """A new key for a gate system; the key itself is returned once and never stored."""
    import hashlib

    from sportello.permits.models import CameraToken

    raw = secrets.token_urlsafe(32)
    token = CameraToken.objects.create(
        name=name, token_sha256=hashlib.sha256(raw.encode()).hexdigest()
    )
    if zone_codes:
        token.zones.set(Zone.objects.filter(code__in=zone_codes))
    return token, raw
