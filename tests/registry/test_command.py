"""`sportello import_registry PATH`: prints the report and fails when nothing was imported."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sportello.registry.management.commands.import_registry import Command
from sportello.registry.models import Person

from .rows import GOOD, MARIO, csv_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stradario")]


def import_file(path: str) -> str:
    out = io.StringIO()
    call_command("import_registry", path, stdout=out, no_color=True)
    return out.getvalue()


def test_the_report_lists_counts_and_every_rejected_row(tmp_path) -> None:
    path = tmp_path / "anagrafe.csv"
    bad_code = ["RSSMRA85T10A562", *MARIO[1:]]
    bad_date = [*GOOD[4][:4], "31/02/1975", *GOOD[4][5:]]
    path.write_text(csv_text([*GOOD[:4], bad_code, bad_date]), encoding="utf-8")
    output = import_file(str(path))
    assert "4 create, 0 aggiornate, 0 invariate, 2 scartate" in output
    assert (
        "riga 6 [RSSMRA85T10A562]: il codice fiscale deve avere 16 caratteri (ne ha 15)" in output
    )
    assert "riga 7 [DPNMRA75H55Z110Q]: data di nascita non valida: «31/02/1975»" in output
    assert Person.objects.count() == 4

    again = import_file(str(path))
    assert "0 create, 0 aggiornate, 4 invariate, 2 scartate" in again


def test_it_fails_when_no_row_could_be_imported(tmp_path) -> None:
    path = tmp_path / "anagrafe.csv"
    path.write_text(csv_text([["RSSMRA85T10A562", *MARIO[1:]]]), encoding="utf-8")
    with pytest.raises(CommandError, match="nessuna riga importata"):
        import_file(str(path))


def test_it_fails_on_an_unreadable_file(tmp_path) -> None:
    with pytest.raises(CommandError, match="impossibile leggere il file"):
        import_file(str(tmp_path / "missing.csv"))
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(csv_text([MARIO]).replace("Giuliano", "Giuliàno").encode("latin-1"))
    with pytest.raises(CommandError, match="non è in codifica UTF-8"):
        import_file(str(latin1))


def test_the_exit_status_is_not_zero_on_failure(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["sportello", "import_registry", str(tmp_path / "missing.csv")])
    assert exit_info.value.code == 1
    assert "impossibile leggere il file" in capsys.readouterr().err
