"""The import_civic_numbers management command: what the operator reads, and its exit status."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sportello.places.models import CivicNumber

from .test_import import FLORENCE, SIMPLE_HEADER, write_csv

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_civic_numbers", *args, stdout=out)
    return out.getvalue()


def test_the_report_lists_counts_and_every_rejected_row(livorno, tmp_path):
    path = write_csv(
        tmp_path / "civici.csv",
        SIMPLE_HEADER,
        [
            ["Via", "Roma", "1", "", 43.55, 10.31],
            ["Via", "Roma", "x", "", 43.55, 10.31],
            ["Via", "Roma", "2", "", *FLORENCE],
        ],
    )

    output = run(str(path))

    assert "Civici creati: 1, aggiornati: 0, invariati: 0, scartati: 2" in output
    assert "  riga 3: numero civico non valido: «x»" in output
    assert "  riga 4: coordinate fuori dal territorio del Comune" in output
    assert CivicNumber.objects.count() == 1


def test_the_crs_option_is_applied(livorno, tmp_path):
    path = write_csv(
        tmp_path / "civici.csv",
        ["DUG", "DENOMINAZIONE", "CIVICO", "ESPONENTE", "COORD_X", "COORD_Y"],
        [["Via", "Roma", "1", "", "605702,7", "4822937,1"]],
    )

    output = run(str(path), "--crs", "EPSG:32632")

    assert "EPSG:32632 (WGS 84 / UTM zone 32N)" in output
    assert CivicNumber.objects.get().latitude == pytest.approx(43.5519, abs=1e-5)


def test_it_fails_when_every_row_is_rejected(livorno, tmp_path):
    path = write_csv(tmp_path / "civici.csv", SIMPLE_HEADER, [["Via", "Roma", "1", "", *FLORENCE]])
    out = StringIO()

    with pytest.raises(CommandError, match="tutte le righe sono state scartate"):
        call_command("import_civic_numbers", str(path), stdout=out)

    assert "  riga 2: coordinate fuori dal territorio del Comune" in out.getvalue()


def test_it_fails_when_the_file_cannot_be_read(tmp_path):
    with pytest.raises(CommandError, match="Impossibile leggere il file"):
        run(str(tmp_path / "manca.csv"))


def test_it_fails_on_an_unknown_crs(tmp_path):
    path = write_csv(tmp_path / "civici.csv", SIMPLE_HEADER, [["Via", "Roma", "1", "", 43.5, 10.3]])

    with pytest.raises(CommandError, match="«EPSG:9999» non riconosciuto"):
        run(str(path), "--crs", "EPSG:9999")


def test_it_fails_on_a_file_with_only_the_header(tmp_path):
    path = write_csv(tmp_path / "civici.csv", SIMPLE_HEADER, [])

    with pytest.raises(CommandError, match="non contiene righe"):
        run(str(path))
