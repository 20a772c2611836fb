"""Writes to the stradario: streets, civic numbers, and the CSV import of civic numbers.

The writes live in the modules of this package (streets, civic_numbers, civic_import and the
import's import_rows and import_writes); import from them. This module re-exports the public
names callers use.
"""

from __future__ import annotations

from sportello.places.services.civic_import import civic_numbers_import
from sportello.places.services.civic_numbers import UpsertOutcome, civic_number_upsert
from sportello.places.services.import_rows import CivicNumbersReport, ImportLayout
from sportello.places.services.streets import (
    odonimo_split,
    street_get_or_create,
    street_problem,
    street_update,
)

__all__ = [
    "CivicNumbersReport",
    "ImportLayout",
    "UpsertOutcome",
    "civic_number_upsert",
    "civic_numbers_import",
    "odonimo_split",
    "street_get_or_create",
    "street_problem",
    "street_update",
]
