"""Import of civic numbers from CSV: ANNCSU and the simple layout, projected coordinates,
rejected rows with their reasons, idempotent re-runs."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest
from pyproj import Transformer

from sportello.core.exceptions import ApplicationError
from sportello.places.models import CivicNumber, Street
from sportello.places.services.civic_import import civic_numbers_import

from .factories import TOWN_HALL, CivicNumberFactory, StreetFactory

pytestmark = pytest.mark.django_db

ANNCSU_HEADER = [
    "CODICE_COMUNE",
    "CODICE_ISTAT",
    "PROGRESSIVO_NAZIONALE",
    "CODICE_COMUNALE",
    "ODONIMO",
    "LOCALITA'",
    "DIZIONE_LINGUA1",
    "DIZIONE_LINGUA2",
    "PROGRESSIVO_ACCESSO",
    "CODICE_COMUNALE_ACCESSO",
    "CIVICO",
    "ESPONENTE",
    "SPECIFICITA",
    "METRICO",
    "PROGRESSIVO_SNC",
    "COORD_X_COMUNE",
    "COORD_Y_COMUNE",
    "QUOTA",
    "METODO",
]
SIMPLE_HEADER = ["street_type", "street_name", "number", "exponent", "latitude", "longitude"]
FLORENCE = (43.7696, 11.2558)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in metres."""
    radius = 6_371_008.8
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(h))


def transverse_mercator(
    lat: float,
    lon: float,
    *,
    a: float,
    inverse_flattening: float,
    central_meridian: float,
    false_easting: float,
    k0: float = 0.9996,
) -> tuple[float, float]:
    """Krüger series (Karney 2011, to n^4): an implementation independent of pyproj."""
    f = 1 / inverse_flattening
    n = f / (2 - f)
    big_a = a / (1 + n) * (1 + n**2 / 4 + n**4 / 64)
    alpha = [
        n / 2 - 2 * n**2 / 3 + 5 * n**3 / 16 + 41 * n**4 / 180,
        13 * n**2 / 48 - 3 * n**3 / 5 + 557 * n**4 / 1440,
        61 * n**3 / 240 - 103 * n**4 / 140,
        49561 * n**4 / 161280,
    ]
    phi, dlambda = math.radians(lat), math.radians(lon - central_meridian)
    e2n = 2 * math.sqrt(n) / (1 + n)
    t = math.sinh(math.atanh(math.sin(phi)) - e2n * math.atanh(e2n * math.sin(phi)))
    xi = math.atan2(t, math.cos(dlambda))
    eta = math.atanh(math.sin(dlambda) / math.sqrt(1 + t * t))
    easting = eta + sum(
        alpha[j] * math.cos(2 * (j + 1) * xi) * math.sinh(2 * (j + 1) * eta) for j in range(4)
    )
    northing = xi + sum(
        alpha[j] * math.sin(2 * (j + 1) * xi) * math.cosh(2 * (j + 1) * eta) for j in range(4)
    )
    return false_easting + k0 * big_a * easting, k0 * big_a * northing


def utm32(lat: float, lon: float) -> tuple[float, float]:
    return transverse_mercator(
        lat, lon, a=6378137, inverse_flattening=298.257223563, central_meridian=9,
        false_easting=500_000,
    )  # fmt: skip


def write_csv(
    path: Path, header: list[str], rows: list[list[object]], *, delimiter=";", bom=False
) -> Path:
    lines = [delimiter.join(header)] + [delimiter.join(str(cell) for cell in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig" if bom else "utf-8")
    return path


def anncsu_row(
    *, street_code, odonimo, civic_code, number, x, y, exponent="", istat="049009"
) -> list[object]:
    values = dict.fromkeys(ANNCSU_HEADER, "")
    values.update(
        {
            "CODICE_COMUNE": "E625",
            "CODICE_ISTAT": istat,
            "PROGRESSIVO_NAZIONALE": street_code,
            "ODONIMO": odonimo,
            "PROGRESSIVO_ACCESSO": civic_code,
            "CIVICO": number,
            "ESPONENTE": exponent,
            "COORD_X_COMUNE": x,
            "COORD_Y_COMUNE": y,
            "METODO": "3",
        }
    )
    return [values[column] for column in ANNCSU_HEADER]


def comma(value: float, decimals: int = 3) -> str:
    """Italian decimal comma, as in the ANNCSU open data."""
    return f"{value:.{decimals}f}".replace(".", ",")


def test_anncsu_file_in_gauss_boaga_lands_on_the_town_hall(livorno, tmp_path):
    lat, lon = TOWN_HALL
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3003", always_xy=True).transform(lon, lat)
    # An independent check that these are Gauss-Boaga west-zone values (International 1924
    # ellipsoid, false easting 1,500 km); the datum shift to Roma 40 is below 200 m.
    gb_x, gb_y = transverse_mercator(
        lat, lon, a=6378388, inverse_flattening=297, central_meridian=9,
        false_easting=1_500_000,
    )  # fmt: skip
    assert abs(x - gb_x) < 200 and abs(y - gb_y) < 200
    path = write_csv(
        tmp_path / "INDIR_TOSC.csv",
        ANNCSU_HEADER,
        [
            anncsu_row(
                street_code="1234567",
                odonimo="PIAZZA DEL MUNICIPIO",
                civic_code="9001",
                number="1",
                x=comma(x),
                y=comma(y),
            )
        ],
        bom=True,
    )

    report = civic_numbers_import(file=path, crs="EPSG:3003")

    assert (report.created, report.rejected) == (1, [])
    civic = CivicNumber.objects.get()
    assert str(civic) == "Piazza del Municipio 1"
    assert (civic.street.code, civic.code) == ("1234567", "9001")
    assert distance_m(civic.latitude, civic.longitude, lat, lon) < 3


@pytest.mark.parametrize("crs", ["EPSG:6707", "EPSG:32632", "6707", "epsg:32632"])
def test_anncsu_file_in_utm_32n_lands_within_a_metre(livorno, tmp_path, crs):
    lat, lon = TOWN_HALL
    x, y = utm32(lat, lon)
    path = write_csv(
        tmp_path / "utm.csv",
        ANNCSU_HEADER,
        [
            anncsu_row(
                street_code="1234567",
                odonimo="PIAZZA DEL MUNICIPIO",
                civic_code="9001",
                number="1",
                x=comma(x),
                y=comma(y),
            )
        ],
    )

    report = civic_numbers_import(file=path, crs=crs)

    assert report.created == 1, report.rejected
    civic = CivicNumber.objects.get()
    assert distance_m(civic.latitude, civic.longitude, lat, lon) < 1


def test_anncsu_open_data_in_degrees_needs_no_crs(livorno, tmp_path):
    lat, lon = TOWN_HALL
    path = write_csv(
        tmp_path / "INDIR.csv",
        ANNCSU_HEADER,
        [
            anncsu_row(
                street_code="77",
                odonimo="VIA DELL'INDIPENDENZA",
                civic_code="1",
                number="4",
                exponent="b",
                x=comma(lon, 7),
                y=comma(lat, 7),
            )
        ],
    )

    report = civic_numbers_import(file=path)

    assert report.created == 1, report.rejected
    civic = CivicNumber.objects.select_related("street").get()
    assert (civic.street.street_type, civic.street.name, civic.label) == (
        "Via",
        "dell'Indipendenza",
        "4/B",
    )
    assert (civic.latitude, civic.longitude) == pytest.approx((lat, lon))
    assert "ANNCSU" in report.layout


def test_simple_layout_with_commas_and_optional_columns(livorno, tmp_path):
    path = write_csv(
        tmp_path / "civici.csv",
        [*SIMPLE_HEADER, "zone", "postal_code", "street_code", "civic_code"],
        [
            [
                "Via",
                "Giuseppe Garibaldi",
                "12",
                "",
                "43.5500",
                "10.3100",
                "Centro",
                "57122",
                "S1",
                "C1",
            ],
            [
                "Via",
                "Giuseppe Garibaldi",
                "12",
                "a",
                "43.5501",
                "10.3101",
                "Centro",
                "57122",
                "S1",
                "C2",
            ],
            ["P.zza", "Giuseppe Saragat", "1", "", "43.5700", "10.3300", "Area Nord", "", "", ""],
        ],  # fmt: skip
        delimiter=",",
    )

    report = civic_numbers_import(file=path)

    assert (report.created, report.streets_created, report.rejected) == (3, 2, [])
    assert "semplice" in report.layout
    garibaldi = Street.objects.get(code="S1")
    assert (garibaldi.full_name, garibaldi.postal_code) == ("Via Giuseppe Garibaldi", "57122")
    twelve_a = CivicNumber.objects.get(code="C2")
    assert (twelve_a.label, twelve_a.zone, twelve_a.postal_code) == ("12/A", "Centro", "57122")
    assert Street.objects.get(search_name="piazza giuseppe saragat").street_type == "P.zza"


def test_headers_are_read_whatever_their_case(livorno, tmp_path):
    path = write_csv(
        tmp_path / "civici.csv",
        ["Street_Type", "STREET_NAME", "Number", "EXPONENT", "Latitude", "LONGITUDE"],
        [["Via", "Roma", "1", "", "43.55", "10.31"]],
        delimiter=",",
    )

    assert civic_numbers_import(file=path).created == 1


def test_every_rejected_row_is_reported_with_its_line_and_reason(livorno, tmp_path):
    lat, lon = TOWN_HALL
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3003", always_xy=True).transform(lon, lat)
    path = write_csv(
        tmp_path / "civici.csv",
        [*SIMPLE_HEADER, "street_code", "crs"],
        [
            ["Via", "Roma", "1", "", lat, lon, "", ""],  # line 2: good
            ["Via", "Roma", "12x!", "", lat, lon, "", ""],  # 3
            ["Via", "Roma", "2", "", *FLORENCE, "", ""],  # 4
            ["Via", "Roma", "1", "", lat, lon, "", ""],  # 5: same as line 2
            ["Via", "Roma", "3", "", lat, lon, "", "EPSG:9999"],  # 6
            ["Via", "Roma", "", "", lat, lon, "", ""],  # 7
            ["Via", "Roma", "4", "", y, x, "", ""],  # 8: metres, no crs
            ["", "", "5", "", lat, lon, "X99", ""],  # 9: unknown street code, no name
            ["Via", "Roma", "6", "", "abc", lon, "", ""],  # 10
            ["Via", "Roma", "0", "", lat, lon, "", ""],  # 11
            ["Via", "Roma", "7", "", y, x, "", "EPSG:3003"],  # 12: good, its own crs
            ["", "", "", "", "", "", "", ""],  # 13: blank, skipped
            ["", "Roma", "8", "", lat, lon, "", ""],  # 14: good, street without type
        ],
    )

    report = civic_numbers_import(file=path)

    reasons = {row.line: row.reason for row in report.rejected}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert reasons[3] == "numero civico non valido: «12x!»"
    assert reasons[4].startswith("coordinate fuori dal territorio del Comune")
    assert reasons[5] == "civico Via Roma 1 ripetuto nel file: è già alla riga 2"
    assert reasons[6].startswith("sistema di riferimento «EPSG:9999» non riconosciuto")
    assert reasons[7] == "manca il numero civico"
    assert "sono in metri ma il sistema di riferimento non è indicato" in reasons[8]
    assert reasons[9].startswith("strada sconosciuta: il codice strada «X99»")
    assert reasons[10] == (
        "coordinate non numeriche: longitudine o est «10.3086», latitudine o nord «abc»"
    )
    assert reasons[11].startswith("numero civico mancante o uguale a zero")
    assert (report.rows, report.created) == (12, 3)
    assert sorted(str(civic) for civic in CivicNumber.objects.all()) == [
        "Roma 8",
        "Via Roma 1",
        "Via Roma 7",
    ]
    seven = CivicNumber.objects.get(number=7)
    assert distance_m(seven.latitude, seven.longitude, lat, lon) < 3


def test_rows_of_another_comune_are_rejected(livorno, tmp_path):
    path = write_csv(
        tmp_path / "INDIR_TOSC.csv",
        ANNCSU_HEADER,
        [
            anncsu_row(
                street_code="1",
                odonimo="VIA ROMA",
                civic_code="1",
                number="1",
                x="10,3086",
                y="43,5519",
                istat="048017",
            )
        ],  # fmt: skip
    )

    report = civic_numbers_import(file=path)

    assert report.rejected[0].line == 2
    assert report.rejected[0].reason == "la riga è di un altro Comune (codice ISTAT 048017)"


def test_a_row_that_contradicts_a_civic_number_already_coded_is_rejected(livorno, tmp_path):
    street = StreetFactory(street_type="Via", name="Roma")
    CivicNumberFactory(street=street, number=1, code="OLD")
    path = write_csv(
        tmp_path / "civici.csv",
        [*SIMPLE_HEADER, "civic_code"],
        [
            ["Via", "Roma", "1", "", 43.55, 10.31, "OTHER"],
            ["Via", "Roma", "2", "", 43.55, 10.31, "NEW"],
        ],
    )
    CivicNumberFactory(street=StreetFactory(name="Altra"), number=9, code="OTHER")

    report = civic_numbers_import(file=path)

    assert [(row.line, row.reason) for row in report.rejected] == [
        (2, "il civico Via Roma 1 esiste già con un altro codice (OLD)")
    ]
    assert report.created == 1


def test_an_unknown_crs_for_the_whole_file_is_refused(livorno, tmp_path):
    path = write_csv(tmp_path / "c.csv", SIMPLE_HEADER, [["Via", "Roma", "1", "", 43.55, 10.31]])

    with pytest.raises(ApplicationError) as error:
        civic_numbers_import(file=path, crs="EPSG:2000")

    assert error.value.message.startswith("Sistema di riferimento «EPSG:2000» non riconosciuto")


def test_a_file_without_the_needed_columns_is_refused(livorno, tmp_path):
    path = write_csv(tmp_path / "c.csv", ["nome", "cognome"], [["Mario", "Rossi"]])

    with pytest.raises(ApplicationError) as error:
        civic_numbers_import(file=path)

    assert error.value.message.startswith("Il file non ha le colonne necessarie: number / CIVICO")


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ApplicationError) as error:
        civic_numbers_import(file=tmp_path / "non-esiste.csv")

    assert error.value.message.startswith("Impossibile leggere il file")


def test_running_the_same_import_again_changes_nothing(livorno, tmp_path):
    lat, lon = TOWN_HALL
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:3003", always_xy=True).transform(lon, lat)
    rows = [
        anncsu_row(
            street_code=str(1000 + n % 7),
            odonimo=f"VIA DEL TEST {n % 7}",
            civic_code=str(n),
            number=str(n),
            exponent="A" if n % 3 == 0 else "",
            x=comma(x + n),
            y=comma(y + n),
        )
        for n in range(1, 60)
    ]
    path = write_csv(tmp_path / "INDIR.csv", ANNCSU_HEADER, rows, bom=True)

    first = civic_numbers_import(file=path, crs="EPSG:3003")
    before = list(CivicNumber.objects.order_by("pk").values())
    again = civic_numbers_import(file=path, crs="EPSG:3003")

    assert (first.created, first.streets_created) == (59, 7)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 59, [])
    assert (again.streets_created, again.streets_updated) == (0, 0)
    assert list(CivicNumber.objects.order_by("pk").values()) == before


def test_a_new_edition_updates_moved_numbers_and_renamed_streets(livorno, tmp_path):
    header = [*SIMPLE_HEADER, "street_code", "civic_code"]
    old = write_csv(
        tmp_path / "old.csv",
        header,
        [["Via", "Vecchia", "1", "", 43.55, 10.31, "S1", "C1"],
         ["Via", "Vecchia", "2", "", 43.55, 10.31, "S1", "C2"]],
    )  # fmt: skip
    new = write_csv(
        tmp_path / "new.csv",
        header,
        [["Via", "Nuova", "1", "", 43.56, 10.32, "S1", "C1"],
         ["Via", "Nuova", "2", "", 43.55, 10.31, "S1", "C2"]],
    )  # fmt: skip
    civic_numbers_import(file=old)

    report = civic_numbers_import(file=new)

    assert (report.updated, report.unchanged, report.streets_updated) == (1, 1, 1)
    street = Street.objects.get(code="S1")
    assert (street.full_name, street.search_name) == ("Via Nuova", "via nuova")
    assert CivicNumber.objects.get(code="C1").latitude == 43.56


def test_without_a_configured_comune_positions_are_not_checked(db, tmp_path):
    path = write_csv(tmp_path / "c.csv", SIMPLE_HEADER, [["Via", "Roma", "1", "", *FLORENCE]])

    assert civic_numbers_import(file=path).created == 1


def test_windows_1252_files_are_read(livorno, tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(
        ";".join(SIMPLE_HEADER).encode()
        + "\nVia;Niccolò Machiavelli;21;;43.55;10.31\n".encode("cp1252")
    )

    civic_numbers_import(file=path)

    assert Street.objects.get().name == "Niccolò Machiavelli"


def test_twenty_thousand_rows_import_in_a_few_seconds(livorno, tmp_path):
    lat, lon = TOWN_HALL
    x0, y0 = Transformer.from_crs("EPSG:4326", "EPSG:3003", always_xy=True).transform(lon, lat)
    rows = [
        anncsu_row(
            street_code=str(n // 20),
            odonimo=f"VIA DEL TEST {n // 20}",
            civic_code=str(n),
            number=str(n % 20 + 1),
            x=comma(x0 + n % 500),
            y=comma(y0 + n % 400),
        )
        for n in range(20_000)
    ]
    path = write_csv(tmp_path / "INDIR.csv", ANNCSU_HEADER, rows)

    started = time.monotonic()
    report = civic_numbers_import(file=path, crs="EPSG:3003")
    first_run = time.monotonic() - started
    started = time.monotonic()
    again = civic_numbers_import(file=path, crs="EPSG:3003")
    second_run = time.monotonic() - started

    assert (report.created, report.streets_created, report.rejected) == (20_000, 1_000, [])
    assert again.unchanged == 20_000
    assert first_run < 20 and second_run < 20, (first_run, second_run)
