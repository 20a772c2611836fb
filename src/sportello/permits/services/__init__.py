"""Writes for permits: zones, applications (a draft, then its confirmation), renewals, plate
changes, the office's decisions, the payment hook, and the daily jobs (expiry, reminders,
residence changes). Every change of who may pass a gate is written to PlateAllowance in the
same transaction.

Order of the steps: a permit that needs a person to look at a document is checked first and
paid afterwards, so that nothing is ever paid for a permit the office then refuses.
"""

from sportello.permits.services.applications import (
    permit_confirm,
    permit_draft_create,
    permit_plate_change,
    permit_renew,
)
from sportello.permits.services.common import Quote, day_start, permit_code_new, permit_quote
from sportello.permits.services.jobs import (
    permits_expire,
    permits_remind,
    permits_residence_changed,
    permits_residence_check,
)
from sportello.permits.services.office import (
    permit_accept,
    permit_paid,
    permit_reject,
    permit_revoke,
    permits_payment_register,
)
from sportello.permits.services.plate_changes import plate_change_accept, plate_change_reject
from sportello.permits.services.zones import (
    camera_token_create,
    camera_token_revoke,
    permit_type_fees_check,
    permit_type_update,
    zone_area_set,
    zone_save,
    zone_streets_parse,
    zone_streets_text,
    zone_windows_parse,
    zone_windows_text,
)

__all__ = [
    "Quote",
    "camera_token_create",
    "camera_token_revoke",
    "day_start",
    "permit_accept",
    "permit_code_new",
    "permit_confirm",
    "permit_draft_create",
    "permit_paid",
    "permit_plate_change",
    "plate_change_accept",
    "plate_change_reject",
    "permit_quote",
    "permit_reject",
    "permit_renew",
    "permit_revoke",
    "permit_type_fees_check",
    "permit_type_update",
    "permits_expire",
    "permits_payment_register",
    "permits_remind",
    "permits_residence_changed",
    "permits_residence_check",
    "zone_area_set",
    "zone_save",
    "zone_streets_parse",
    "zone_streets_text",
    "zone_windows_parse",
    "zone_windows_text",
]
