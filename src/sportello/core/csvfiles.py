"""Reading the CSV files operators import (stradario, public directories): the text whatever
its encoding, and the delimiter its header uses. Errors are ApplicationError in Italian."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError


def csv_text(file: str | Path | IO[bytes] | IO[str]) -> str:
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
    except UnicodeDecodeError:
        # Older municipal exports are often Windows-1252: accept them rather than refuse.
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
