"""Reading the CSV files operators import (stradario, anagrafe, public directories): one reader
for all of them. Errors are ApplicationError in Italian.

Encoding: UTF-8, with or without BOM. Older municipal exports are often Windows-1252: an import
that can take a misread character in its stride (a street name, a directory listing) accepts
them; the anagrafe does not, since a misread letter would become part of a person's name.
The delimiter is the one the header line uses («;» in most Italian exports, else «,», tab, «|»).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError

CsvSource = str | Path | IO[bytes] | IO[str]


def csv_text(file: CsvSource, *, windows_1252: bool = True) -> str:
    """The file's text. Without `windows_1252`, a file that is not UTF-8 is refused."""
    try:
        if isinstance(file, str | Path):
            data: bytes | str = Path(file).read_bytes()
        else:
            if hasattr(file, "seek"):
                file.seek(0)
            data = file.read()
    except FileNotFoundError as error:
        raise ApplicationError(
            _("Impossibile leggere il file «%(name)s»: non esiste.") % {"name": error.filename}
        ) from error
    except PermissionError as error:
        raise ApplicationError(
            _("Impossibile leggere il file «%(name)s»: permesso negato.") % {"name": error.filename}
        ) from error
    except OSError as error:
        raise ApplicationError(
            _("Impossibile leggere il file: %(error)s") % {"error": error.strerror or error},
        ) from error
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if not windows_1252:
            raise ApplicationError(
                _("Il file non è in codifica UTF-8 (byte non valido alla posizione %(position)d).")
                % {"position": error.start}
            ) from error
        return data.decode("cp1252", errors="replace")


def csv_dialect(header_line: str) -> type[csv.Dialect]:
    """Excel-style CSV with the delimiter the header uses («;» in most Italian exports)."""
    try:
        delimiter = csv.Sniffer().sniff(header_line, delimiters=";,\t|").delimiter
    except csv.Error:
        # A one-column header cannot be sniffed: count instead.
        counts = {candidate: header_line.count(candidate) for candidate in ";,\t|"}
        delimiter = max(counts, key=lambda candidate: counts[candidate])

    class Dialect(csv.excel):
        pass

    Dialect.delimiter = delimiter
    return Dialect


def csv_rows(
    file: CsvSource, *, windows_1252: bool = True
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header of a CSV file, and its data rows as (line where the row starts, cells),
    blank rows left out; line numbers are the file's own (the header is line 1).

    Raises ApplicationError when the file cannot be read, is empty or stops being CSV (the
    rows raise it as they are read)."""
    text = csv_text(file, windows_1252=windows_1252)
    header_line = next(iter(text.splitlines()), "")
    reader = csv.reader(io.StringIO(text, newline=""), dialect=csv_dialect(header_line))
    header = next(_reading(reader), None)
    if header is None or not any(cell.strip() for cell in header):
        raise ApplicationError(_("Il file è vuoto."))
    return header, _data_rows(reader)


def _reading(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    line = 1
    try:
        for cells in reader:
            yield cells
            line = reader.line_num + 1  # type: ignore[attr-defined]
    except csv.Error as error:
        raise ApplicationError(
            _("Il file non è un CSV leggibile (riga %(line)d): %(error)s")
            % {"line": line, "error": error}
        ) from error


def _data_rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    line = reader.line_num + 1  # type: ignore[attr-defined]
    for cells in _reading(reader):
        if any(cell.strip() for cell in cells):
            yield line, cells
        line = reader.line_num + 1  # type: ignore[attr-defined]
