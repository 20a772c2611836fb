"""CSV rows for the import tests: real codici fiscali of five people in two families and one
on their own, and a helper for rows with a consistent code."""

from __future__ import annotations

import datetime

from sportello.registry.codice_fiscale import codice_fiscale_compute

HEADER = [
    "codice_fiscale",
    "cognome",
    "nome",
    "sesso",
    "data_nascita",
    "luogo_nascita",
    "cittadinanza",
    "stato_civile",
    "famiglia",
    "rapporto",
    "indirizzo",
    "civico",
    "esponente",
    "codice_civico",
    "scala_interno",
]

# The good rows: two families and one person on their own.
MARIO = [
    "RSSMRA85T10A562S",
    "Rossi",
    "Mario",
    "M",
    "1985-12-10",
    "San Giuliano Terme",
    "IT",
    "coniugato",
    "100",
    "intestatario",
    "Via Grande",
    "12",
    "A",
    "",
    "scala B",
]
LAURA = [
    "BNCLRA90C45E625K",
    "Bianchi",
    "Laura",
    "F",
    "05/03/1990",
    "Livorno",
    "",
    "coniugata",
    "100",
    "moglie",
    "",
    "",
    "",
    "",
    "",
]
GIANFRANCO = [
    "VRDGFR62L21D612N",
    "Verdi",
    "Gianfranco",
    "M",
    "1962-07-21",
    "Firenze",
    "IT",
    "vedovo",
    "200",
    "intestatario",
    "via grande",
    "1",
    "",
    "",
    "",
]
IDA = [
    "FOXDIA01A71E625O",
    "Fo",
    "Ida",
    "F",
    "2001-01-31",
    "Livorno",
    "Italia",
    "nubile",
    "200",
    "figlia",
    "Via Grande",
    "1",
    "",
    "",
    "",
]
MARIE = [
    "DPNMRA75H55Z110Q",
    "Dupont",
    "Marie",
    "F",
    "1975-06-15",
    "Francia",
    "FR",
    "divorziata",
    "",
    "",
    "",
    "",
    "",
    "CIV-P1",
    "int. 2",
]
GOOD = [MARIO, LAURA, GIANFRANCO, IDA, MARIE]


def person_row(
    last: str,
    first: str,
    born: datetime.date,
    *,
    sex: str = "M",
    family: str = "",
    relationship: str = "",
    street: str = "Via Grande",
    number: str = "1",
    civil_status: str = "celibe",
) -> list[str]:
    """A row with a consistent codice fiscale, born in Livorno, for the rejection cases."""
    code = codice_fiscale_compute(
        last_name=last, first_name=first, sex=sex, birth_date=born, birth_place_code="E625"
    )
    return [
        code,
        last,
        first,
        sex,
        born.isoformat(),
        "Livorno",
        "IT",
        civil_status,
        family,
        relationship,
        street,
        number,
        "",
        "",
        "",
    ]


def csv_text(rows: list[list[str]], *, delimiter: str = ";", header: list[str] = HEADER) -> str:
    lines = [delimiter.join(header)]
    for row in rows:
        lines.append(delimiter.join(f'"{cell}"' if delimiter in cell else cell for cell in row))
    return "\n".join(lines) + "\n"
