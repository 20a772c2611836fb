"""The coverage table of the alert console as a CSV file for Excel: every street, the largest
share without contact first (numbers and counts only, as on the page)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from sportello.alerts.console.coverage import PERMISSION, coverage_tables, streets_sorted
from sportello.core.decorators import operator_required

CSV_DELIMITER = ";"  # Italian Excel: the comma is the decimal separator
CSV_BOM = "\ufeff"


def _cell(value: str) -> str:
    """A text Excel shows as text (CSV injection): a leading apostrophe before a formula sign."""
    return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value


class _Line:
    def write(self, value: str) -> str:
        return value


def coverage_csv_lines(streets: list[dict[str, Any]]) -> Iterator[str]:
    with translation.override("it"):
        header = [
            _("Strada"),
            _("Zona"),
            _("Numeri civici"),
            _("Con iscritti verificati"),
            _("Solo elenco pubblico"),
            _("Senza contatti"),
            _("Quota senza contatti (%)"),
        ]
    writer = csv.writer(_Line(), delimiter=CSV_DELIMITER, lineterminator="\r\n")
    yield CSV_BOM + writer.writerow(header)
    for row in streets:
        yield writer.writerow(
            [
                _cell(row["name"]),
                _cell(row["zone"]),
                row["total"],
                row["verified"],
                row["directory"],
                row["none"],
                row["none_percent"],
            ]
        )


@operator_required(PERMISSION)
@require_safe
def console_coverage_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The per-street table, every street, the largest share without contact first."""
    streets = streets_sorted(coverage_tables()["streets"], "scoperti")
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in coverage_csv_lines(streets)),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="copertura-strade-{stamp}.csv"'
    return response
