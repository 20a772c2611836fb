"""The CSV import of the anagrafe: good rows land, bad rows are reported with their line and
reason, and re-running a file changes nothing."""

from __future__ import annotations

import datetime
import io

import pytest

from sportello.core.exceptions import ApplicationError
from sportello.registry.imports.loading import registry_import
from sportello.registry.imports.rows import RegistryImportReport
from sportello.registry.models import CivilStatus, Family, Person, Relationship
from sportello.registry.selectors import family_members

from .rows import GIANFRANCO, GOOD, HEADER, IDA, LAURA, MARIE, MARIO, csv_text, person_row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stradario")]


def run(rows: list[list[str]], **kwargs: object) -> RegistryImportReport:
    return registry_import(file=io.StringIO(csv_text(rows, **kwargs)))


def test_good_rows_land() -> None:
    report = run(GOOD)
    assert (report.created, report.updated, report.unchanged, len(report.rejected)) == (5, 0, 0, 0)

    mario = Person.objects.get(codice_fiscale="RSSMRA85T10A562S")
    assert (mario.birth_place_code, mario.civil_status) == ("A562", CivilStatus.MARRIED)
    assert (str(mario.residence), mario.residence_detail) == ("Via Grande 12/A", "scala B")
    laura = Person.objects.get(codice_fiscale="BNCLRA90C45E625K")
    assert laura.birth_date == datetime.date(1990, 3, 5)
    assert (laura.family, laura.relationship) == (mario.family, Relationship.SPOUSE)
    # a member without an address takes the head's, scala/interno included
    assert (laura.residence, laura.residence_detail) == (mario.residence, "scala B")
    assert list(family_members(family=Family.objects.get(code="200"))) == [
        Person.objects.get(codice_fiscale="VRDGFR62L21D612N"),
        Person.objects.get(codice_fiscale="FOXDIA01A71E625O"),
    ]
    marie = Person.objects.get(codice_fiscale="DPNMRA75H55Z110Q")
    assert (marie.family, marie.citizenship, marie.birth_place_code) == (None, "FR", "Z110")
    assert str(marie.residence) == "Piazza del Municipio 1"


def test_running_the_same_file_again_changes_nothing() -> None:
    run(GOOD + [person_row("Neri", "Aldo", datetime.date(2099, 1, 1))])
    before = list(Person.objects.order_by("pk").values())
    report = run(GOOD + [person_row("Neri", "Aldo", datetime.date(2099, 1, 1))])
    assert (report.created, report.updated, report.unchanged, len(report.rejected)) == (0, 0, 5, 1)
    assert list(Person.objects.order_by("pk").values()) == before
    assert Family.objects.count() == 2


def test_changed_rows_are_updated() -> None:
    run(GOOD)
    widowed = [*MARIE[:7], "vedova", *MARIE[8:]]
    moved = [*GIANFRANCO[:10], "Via Grande", "2", "", "", ""]
    ida_moved = [*IDA[:10], "", "", "", "", ""]
    report = run([MARIO, LAURA, moved, ida_moved, widowed])
    assert (report.created, report.updated, report.unchanged, len(report.rejected)) == (0, 2, 3, 0)
    assert Person.objects.get(codice_fiscale=MARIE[0]).civil_status == CivilStatus.WIDOWED
    # moving the head moved the family: Ida's row (without address) is then unchanged
    assert str(Person.objects.get(codice_fiscale=IDA[0]).residence) == "Via Grande 2"


def test_a_date_of_death_recorded_by_the_office_is_kept() -> None:
    run(GOOD)
    Person.objects.filter(codice_fiscale=MARIE[0]).update(date_of_death=datetime.date(2024, 5, 1))
    report = run([MARIE])
    assert report.unchanged == 1
    widowed = [*MARIE[:7], "vedova", *MARIE[8:]]
    assert run([widowed]).updated == 1
    assert Person.objects.get(codice_fiscale=MARIE[0]).date_of_death == datetime.date(2024, 5, 1)


def test_a_new_civil_status_in_the_file_clears_the_old_event_but_nothing_else() -> None:
    run(GOOD)
    Person.objects.filter(codice_fiscale=MARIO[0]).update(
        civil_status_date=datetime.date(2012, 6, 9), civil_status_place="Livorno (LI)"
    )
    Person.objects.filter(codice_fiscale=MARIE[0]).update(
        cohabitation_contract_date=datetime.date(2019, 4, 1)
    )

    assert run([MARIO]).unchanged == 1
    mario = Person.objects.get(codice_fiscale=MARIO[0])
    assert mario.civil_status_date == datetime.date(2012, 6, 9)
    divorced = [*MARIO[:7], "divorziato", *MARIO[8:]]
    married = [*MARIE[:7], "coniugata", *MARIE[8:]]
    assert run([divorced, married]).updated == 2

    mario.refresh_from_db()
    assert (mario.civil_status_date, mario.civil_status_place) == (None, "")
    marie = Person.objects.get(codice_fiscale=MARIE[0])
    assert marie.cohabitation_contract_date is None


def test_a_person_registered_abroad_is_not_given_an_address_by_file() -> None:
    emigrant = person_row("Neri", "Piero", datetime.date(1970, 2, 3))
    run([emigrant])
    Person.objects.filter(codice_fiscale=emigrant[0]).update(
        aire=True, aire_country="FR", residence=None
    )

    report = run([emigrant])

    assert len(report.rejected) == 1
    assert "iscritto all'AIRE non ha una residenza" in report.rejected[0].reason
    assert Person.objects.get(codice_fiscale=emigrant[0]).residence is None


def test_a_person_joins_another_family() -> None:
    run(GOOD)
    ida_marries = [*IDA[:7], "coniugata", "100", "nuora", "", "", "", "", ""]
    report = run([ida_marries])
    assert (report.updated, len(report.rejected)) == (1, 0)
    ida = Person.objects.get(codice_fiscale=IDA[0])
    assert (ida.family.code, ida.relationship, str(ida.residence)) == (
        "100",
        Relationship.CHILD_IN_LAW,
        "Via Grande 12/A",
    )


REJECTIONS = [
    (["RSSMRA85T10A562", *MARIO[1:]], "il codice fiscale deve avere 16 caratteri (ne ha 15)"),
    (["RSSMRA85T10A562A", *MARIO[1:]], "il carattere di controllo non corrisponde"),
    (
        [*MARIO[:4], "1985-12-11", *MARIO[5:]],
        "il codice fiscale non corrisponde alla data di nascita",
    ),
    ([*MARIO[:5], "Livorno", *MARIO[6:]], "il codice fiscale non corrisponde al luogo di nascita"),
    ([*MARIO[:5], "Atlantide", *MARIO[6:]], "luogo di nascita sconosciuto: «Atlantide»"),
    ([*MARIO[:4], "1985/12/10", *MARIO[5:]], "data di nascita non valida: «1985/12/10»"),
    ([*MARIO[:4], "", *MARIO[5:]], "la data di nascita è mancante"),
    (
        person_row("Neri", "Aldo", datetime.date(2099, 1, 1)),
        "la data di nascita 01/01/2099 è nel futuro",
    ),
    (
        person_row("Neri", "Aldo", datetime.date(1950, 1, 1), civil_status="fidanzato"),
        "stato civile sconosciuto: «fidanzato»",
    ),
    ([*MARIO[:3], "X", *MARIO[4:]], "sesso non valido: «X» (indicare M o F)"),
    ([*MARIO[:6], "Narnia", *MARIO[7:]], "cittadinanza sconosciuta: «Narnia»"),
    (
        person_row("Neri", "Aldo", datetime.date(1950, 1, 1), family="100", relationship="cugino"),
        "rapporto con l'intestatario sconosciuto: «cugino»",
    ),
    (
        person_row("Neri", "Aldo", datetime.date(1950, 1, 1), family="100"),
        "manca il rapporto con l'intestatario della famiglia 100",
    ),
    (
        person_row("Neri", "Aldo", datetime.date(1950, 1, 1), relationship="figlio"),
        "è indicato il rapporto con l'intestatario ma non la famiglia",
    ),
    (
        person_row("Neri", "Aldo", datetime.date(1950, 1, 1), street="Via Inesistente"),
        "via sconosciuta nello stradario: «Via Inesistente»",
    ),
    (
        person_row("Neri", "Aldo", datetime.date(1950, 1, 1), number="999"),
        "numero civico 999 non presente in Via Grande",
    ),
    (
        person_row("Neri", "Aldo", datetime.date(1950, 1, 1), number="dodici"),
        "numero civico non valido",
    ),
    (
        person_row("Neri", "Aldo", datetime.date(1950, 1, 1), street="", number=""),
        "indirizzo mancante",
    ),
    (
        person_row(
            "Neri",
            "Aldo",
            datetime.date(1950, 1, 1),
            family="100",
            relationship="intestatario",
            number="2",
        ),
        "secondo intestatario per la famiglia 100 (l'intestatario è alla riga 2)",
    ),
    (
        person_row("Neri", "Aldo", datetime.date(1950, 1, 1), family="999", relationship="figlio"),
        "la famiglia 999 non ha un intestatario: manca una riga con rapporto «intestatario»",
    ),
    (
        person_row(
            "Neri",
            "Aldo",
            datetime.date(1950, 1, 1),
            family="100",
            relationship="figlio",
            number="2",
        ),
        "l'indirizzo non è quello dell'intestatario della famiglia 100 (Via Grande 12/A)",
    ),
    (MARIE, "codice fiscale ripetuto: la stessa persona è già alla riga 6"),
]


@pytest.mark.parametrize(
    ("row", "reason"), REJECTIONS, ids=[reason[:40] for _row, reason in REJECTIONS]
)
def test_each_bad_row_is_reported_with_its_line_and_reason(row: list[str], reason: str) -> None:
    report = run([*GOOD, row])
    assert (report.created, len(report.rejected)) == (5, 1)
    [rejection] = report.rejected
    assert rejection.line == 7
    assert reason in rejection.reason
    assert Person.objects.count() == 5


def test_members_of_a_family_whose_head_was_rejected_are_rejected_too() -> None:
    bad_head = [*MARIO[:5], "Livorno", *MARIO[6:]]
    report = run([bad_head, LAURA])
    assert [(r.line, r.reason) for r in report.rejected] == [
        (2, "il codice fiscale non corrisponde al luogo di nascita"),
        (
            3,
            "la famiglia 100 non ha un intestatario valido "
            "(la riga 2 dell'intestatario è stata scartata)",
        ),
    ]
    assert report.accepted == 0


def test_a_file_cannot_replace_the_head_of_a_family() -> None:
    run(GOOD)
    other_head = person_row(
        "Neri",
        "Aldo",
        datetime.date(1950, 1, 1),
        family="100",
        relationship="intestatario",
        number="12",
    )
    report = run([[*other_head[:12], "A", *other_head[13:]]])
    assert "la famiglia 100 ha già un intestatario: Rossi Mario" in report.rejected[0].reason


def test_a_head_with_members_cannot_be_moved_to_another_family_by_file() -> None:
    run(GOOD)
    laura_follows = [*LAURA[:8], "300", *LAURA[9:]]
    report = run([[*MARIO[:8], "300", *MARIO[9:]], laura_follows])
    assert report.rejected[0].reason.endswith("cambiare prima l'intestatario")
    assert report.rejected[1].reason == (
        "la famiglia 300 non ha un intestatario valido "
        "(la riga 2 dell'intestatario è stata scartata)"
    )
    assert not Family.objects.filter(code="300").exists()


def test_headers_are_case_insensitive_and_comma_files_with_bom_are_read() -> None:
    header = [title.upper().replace("_", " ") for title in HEADER]
    text = csv_text([MARIO, LAURA], delimiter=",", header=header)
    report = registry_import(file=io.BytesIO(("\ufeff" + text).encode("utf-8")))
    assert (report.created, len(report.rejected)) == (2, 0)


def test_fields_with_the_delimiter_inside_quotes_are_read(tmp_path) -> None:
    quoted = [*MARIO[:14], "scala B; interno 4"]
    path = tmp_path / "anagrafe.csv"
    path.write_text(csv_text([quoted]), encoding="utf-8")
    report = registry_import(file=str(path))
    assert report.created == 1
    assert Person.objects.get().residence_detail == "scala B; interno 4"


def test_line_numbers_count_blank_lines_and_multiline_fields() -> None:
    multiline = [*MARIO[:14], '"scala B\ninterno 4"']
    bad = ["RSSMRA85T10A562", *MARIO[1:]]
    text = csv_text([multiline]) + "\n" + csv_text([bad]).split("\n", 1)[1]
    report = registry_import(file=io.StringIO(text))
    assert [r.line for r in report.rejected] == [5]
    assert Person.objects.get().residence_detail == "scala B interno 4"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "il file è vuoto"),
        (
            b"codice_fiscale;cognome\nRSSMRA85T10A562S;Rossi\n",
            "mancano colonne obbligatorie",
        ),
        ("codice_fiscale;cognome;nome\n".encode("utf-16"), "non è in codifica UTF-8"),
        (
            csv_text([MARIO]).replace("Giuliano", "Giuliàno").encode("latin-1"),
            "non è in codifica UTF-8",
        ),
    ],
)
def test_an_unreadable_file_is_refused_as_a_whole(content: bytes, message: str) -> None:
    with pytest.raises(ApplicationError, match=message):
        registry_import(file=io.BytesIO(content))


def test_a_missing_file_is_refused(tmp_path) -> None:
    with pytest.raises(ApplicationError, match="impossibile leggere il file"):
        registry_import(file=tmp_path / "missing.csv")


def test_many_rows_are_imported_in_bulk(django_assert_max_num_queries) -> None:
    rows = [
        person_row(
            "Neri",
            f"Aldo {chr(65 + n % 26)}",
            datetime.date(1950, 1, 1) + datetime.timedelta(days=n),
        )
        for n in range(300)
    ]
    with django_assert_max_num_queries(20):
        report = run(rows)
    assert report.created == 300
