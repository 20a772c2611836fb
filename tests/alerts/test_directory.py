"""Public-directory listings become alert contacts: geocoded, merged with subscriptions, never
bringing back a number that asked to be removed; every rejected row reported."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from sportello.alerts.directory import directory_import
from sportello.alerts.models import Contact, Suppression
from sportello.core.exceptions import ApplicationError


def csv_file(town, rows: list[str]) -> io.BytesIO:
    header = "nome;indirizzo;numero"
    return io.BytesIO("\n".join([header, *rows]).encode("utf-8"))


def test_import_geocodes_merges_and_reports(subscribed, town) -> None:
    address = f"{town.street.name} {town.number}"
    file = csv_file(
        town,
        [
            f"Rossi Mario;{address};0586 123456",
            "Verdi Anna;Via Inesistente 3;0586 654321",
            f"Bianchi Maria;{address};333 123 4567",  # already subscribed
            f"Senza Numero;{address};12",
            f"Estero;{address};+44 20 7946 0958",
        ],
    )

    report = directory_import(file=file)

    assert (report.rows, report.created, report.subscribed) == (5, 2, 1)
    assert [row.line for row in report.rejected] == [5, 6]
    assert report.unmatched == [(3, "Via Inesistente 3")]
    rossi = Contact.objects.get(number="+390586123456")
    assert rossi.civic_number == town
    assert Contact.objects.get(number="+390586654321").civic_number is None
    text = "\n".join(report.lines())
    assert "Riga 5 scartata: numero non valido" in text
    assert "Riga 3: indirizzo non trovato" in text

    again = directory_import(file=csv_file(town, [f"Rossi Mario;{address};0586 123456"]))
    assert (again.created, again.unchanged) == (0, 1)


def test_a_number_that_asked_to_be_removed_never_comes_back(town) -> None:
    address = f"{town.street.name} {town.number}"
    directory_import(file=csv_file(town, [f"Rossi Mario;{address};0586 123456"]))
    client = Client()
    client.post(
        "/simulatore-telefono/chiama/",
        {"numero": "0586 123456", "flow": "deregistration", "step": "confirm", "digits": "1"},
    )
    assert not Contact.objects.exists() and Suppression.objects.count() == 1

    report = directory_import(file=csv_file(town, [f"Rossi Mario;{address};0586 123456"]))

    assert (report.created, report.suppressed) == (0, 1)
    assert not Contact.objects.exists()


def test_a_file_without_the_columns_is_refused(town) -> None:
    with pytest.raises(ApplicationError, match="Manca la colonna «numero»"):
        directory_import(file=io.BytesIO(b"nome;indirizzo\nRossi;Via Roma 1\n"))
    assert not Contact.objects.exists()


def test_the_command_prints_the_report(town, tmp_path) -> None:
    path = tmp_path / "elenco.csv"
    path.write_text(f"nome,indirizzo,numero\nRossi,{town.street.name} {town.number},0586123456\n")
    out = io.StringIO()

    call_command("import_directory", str(path), stdout=out)

    assert "Contatti creati: 1" in out.getvalue()
