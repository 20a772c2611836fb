"""The CSV import of civic numbers (ANNCSU or the simple layout, see docs/places.md): read the
rows, move their coordinates to WGS84, then write streets and civic numbers in batches.

The import validates each row, reports rejected rows with their line and reason, and lands
the good ones; running it twice changes nothing the second time.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from sportello.core.csvfiles import CsvSource, csv_rows
from sportello.core.models import Municipality
from sportello.core.selectors import municipality_get
from sportello.places.coordinates import (
    GEOGRAPHIC_CRS,
    WGS84,
    crs_label,
    crs_parse,
    looks_geographic,
    to_wgs84,
)
from sportello.places.services.civic_numbers import civic_problem
from sportello.places.services.import_rows import (
    ANNCSU_MARKERS,
    CivicNumbersReport,
    ImportLayout,
    ImportRow,
    RowRejected,
    columns_find,
    header_key,
    row_parse,
)
from sportello.places.services.import_writes import (
    import_civic_numbers_upsert,
    import_streets_resolve,
)


def _locate(
    rows: list[ImportRow],
    *,
    file_crs: int | None,
    municipality: Municipality | None,
    report: CivicNumbersReport,
) -> list[ImportRow]:
    """Move every row's coordinates to WGS84 and keep those inside the comune."""
    by_crs: dict[int, list[ImportRow]] = {}
    for row in rows:
        code = row.crs or file_crs
        if code is None:
            if not looks_geographic(x=row.x, y=row.y):
                report.reject(
                    row.line,
                    _(
                        "le coordinate (%(x)s, %(y)s) sono in metri ma il sistema di riferimento "
                        "non è indicato: usa --crs (es. EPSG:3003)"
                    )
                    % {"x": row.x, "y": row.y},
                )
                continue
            code = WGS84
        elif code not in GEOGRAPHIC_CRS and looks_geographic(x=row.x, y=row.y):
            report.reject(
                row.line,
                _("le coordinate (%(x)s, %(y)s) sembrano in gradi, ma EPSG:%(code)d è in metri")
                % {"x": row.x, "y": row.y, "code": code},
            )
            continue
        by_crs.setdefault(code, []).append(row)
    located: list[ImportRow] = []
    for code, group in by_crs.items():
        points = to_wgs84(code=code, xs=[row.x for row in group], ys=[row.y for row in group])
        for row, point in zip(group, points, strict=True):
            if point is None:
                report.reject(
                    row.line,
                    _("coordinate (%(x)s, %(y)s) non valide per EPSG:%(code)d")
                    % {"x": row.x, "y": row.y, "code": code},
                )
                continue
            row.longitude, row.latitude = point
            problem = civic_problem(
                number=row.number,
                exponent=row.exponent,
                latitude=row.latitude,
                longitude=row.longitude,
                municipality=municipality,
            )
            if problem:
                report.reject(row.line, problem)
                continue
            located.append(row)
    return located


def civic_numbers_import(*, file: CsvSource, crs: str | int | None = None) -> CivicNumbersReport:
    """Import civic numbers from a CSV file (ANNCSU or the simple layout, see docs/places.md).

    `crs` is the reference system of the file's coordinates (EPSG:3003, 6707, 32632, 4326...);
    without it, coordinates must be longitude/latitude in degrees. Raises ApplicationError when
    the file cannot be read at all; every other problem rejects just its row.
    """
    file_crs = crs_parse(crs) if crs not in (None, "") else None
    headers, records = csv_rows(file)
    columns = columns_find(headers)
    municipality = municipality_get()
    report = CivicNumbersReport(
        layout=str(
            ImportLayout.ANNCSU.label
            if ANNCSU_MARKERS & {header_key(header) for header in headers}
            else ImportLayout.SIMPLE.label
        ),
        crs=crs_label(file_crs) if file_crs else _("non indicato: coordinate in gradi (EPSG:4326)"),
    )
    rows: list[ImportRow] = []
    for line, cells in records:
        report.rows += 1
        try:
            rows.append(
                row_parse(line=line, cells=cells, columns=columns, municipality=municipality)
            )
        except RowRejected as rejection:
            report.reject(line, str(rejection))

    rows = _locate(rows, file_crs=file_crs, municipality=municipality, report=report)
    pairs = import_streets_resolve(rows, report)
    import_civic_numbers_upsert(pairs, report)
    report.rejected_sort()
    return report
