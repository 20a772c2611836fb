"""The one CSV reader and the one import report every file import uses."""

from __future__ import annotations

import io

import pytest

from sportello.core.csvfiles import csv_rows
from sportello.core.exceptions import ApplicationError
from sportello.core.imports import ImportReport


def test_rows_come_with_the_line_they_start_on_and_blank_rows_are_left_out() -> None:
    text = 'nome;nota\nRossi;"due\nrighe"\n\n;\nBianchi;x\n'
    header, rows = csv_rows(io.StringIO(text))
    assert header == ["nome", "nota"]
    assert list(rows) == [(2, ["Rossi", "due\nrighe"]), (6, ["Bianchi", "x"])]


def test_the_delimiter_is_the_headers_and_a_bom_is_dropped() -> None:
    header, rows = csv_rows(io.BytesIO("\ufeffnome,via\nRossi,Via Grande\n".encode()))
    assert (header, list(rows)) == (["nome", "via"], [(2, ["Rossi", "Via Grande"])])


def test_windows_1252_is_read_unless_the_import_refuses_it() -> None:
    data = "nome;via\nRossi;Via Niccolò\n".encode("cp1252")
    assert list(csv_rows(io.BytesIO(data))[1]) == [(2, ["Rossi", "Via Niccolò"])]
    with pytest.raises(ApplicationError, match="non è in codifica UTF-8"):
        csv_rows(io.BytesIO(data), windows_1252=False)


@pytest.mark.parametrize("content", [b"", b"\n\nnome\n"])
def test_an_empty_file_is_refused(content: bytes) -> None:
    with pytest.raises(ApplicationError, match="Il file è vuoto"):
        csv_rows(io.BytesIO(content))


def test_a_missing_file_is_refused_with_its_name(tmp_path) -> None:
    with pytest.raises(ApplicationError, match="Impossibile leggere il file «.*manca.csv»"):
        csv_rows(tmp_path / "manca.csv")


def test_the_report_counts_and_lists_every_rejected_row_in_file_order() -> None:
    report = ImportReport(rows=4, created=1, updated=1)
    report.reject(5, "numero civico mancante")
    report.reject(3, "codice fiscale non valido", "RSSMRA85T10A562")
    report.rejected_sort()
    assert report.accepted == 2
    assert report.lines() == [
        "Righe lette: 4",
        "Righe importate: 1 nuove, 1 aggiornate, 0 invariate, 2 scartate",
        "Righe scartate:",
        "  riga 3 [RSSMRA85T10A562]: codice fiscale non valido",
        "  riga 5: numero civico mancante",
    ]
