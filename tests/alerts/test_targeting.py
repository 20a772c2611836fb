"""Targeting on the demo town: which civic numbers an area holds (polygons, circles, streets,
uploaded or pasted shapes), and the plain-Italian reasons a broken area is refused."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from pyproj import Geod, Transformer

from sportello.places.areas.geojson import features_from_text, geojson_load
from sportello.places.areas.labels import area_summary
from sportello.places.areas.selection import area_civic_numbers
from sportello.places.areas.validation import area_clean
from sportello.places.models import CivicNumber

GEOD = Geod(ellps="WGS84")


def rectangle(west: float, south: float, east: float, north: float) -> dict:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def collection(*geometries: dict, radius: float | None = None) -> dict:
    features = []
    for geometry in geometries:
        properties = {"radius": radius} if geometry["type"] == "Point" else {}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def around(civic: CivicNumber, *, east: float = 0.003, north: float = 0.002) -> tuple:
    return (
        civic.longitude - east,
        civic.latitude - north,
        civic.longitude + east,
        civic.latitude + north,
    )


def inside_box(west: float, south: float, east: float, north: float) -> set[int]:
    return {
        civic.pk
        for civic in CivicNumber.objects.all()
        if west <= civic.longitude <= east and south <= civic.latitude <= north
    }


def busiest(town) -> CivicNumber:
    """A civic number with many neighbours, so that an area around it takes several streets."""
    civics = list(CivicNumber.objects.all())
    return max(
        civics,
        key=lambda c: sum(
            abs(o.longitude - c.longitude) < 0.003 and abs(o.latitude - c.latitude) < 0.002
            for o in civics
        ),
    )


def messages_of(area: dict) -> str:
    with pytest.raises(ValidationError) as caught:
        area_clean(area)
    return " ".join(caught.value.messages)


def test_a_polygon_over_a_few_streets_selects_exactly_the_civic_numbers_inside(town) -> None:
    box = around(busiest(town))
    expected = inside_box(*box)

    selected = area_civic_numbers(area_clean({"features": collection(rectangle(*box))}))

    assert set(selected) == expected
    assert len(selected) == len(expected)  # each once
    streets = set(CivicNumber.objects.filter(pk__in=selected).values_list("street", flat=True))
    assert len(streets) >= 2
    assert CivicNumber.objects.exclude(pk__in=selected).count() > len(selected)


def test_a_drawn_triangle_leaves_out_the_corner_of_its_box(town) -> None:
    west, south, east, north = around(busiest(town))
    triangle = {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [west, north], [west, south]]],
    }

    selected = set(area_civic_numbers(area_clean({"features": collection(triangle)})))

    # Below the diagonal from (east, south) to (west, north), and no other.
    def below(civic: CivicNumber) -> bool:
        x = (civic.longitude - west) / (east - west)
        y = (civic.latitude - south) / (north - south)
        return x >= 0 and y >= 0 and x + y <= 1

    assert selected == {civic.pk for civic in CivicNumber.objects.all() if below(civic)}
    assert selected < inside_box(west, south, east, north)


def test_a_circle_takes_the_civic_numbers_within_its_radius_in_metres(town) -> None:
    centre = busiest(town)
    radius = 250.0
    distances = {}
    for civic in CivicNumber.objects.all():
        _a, _b, metres = GEOD.inv(
            centre.longitude, centre.latitude, civic.longitude, civic.latitude
        )
        distances[civic.pk] = metres
    point = {"type": "Point", "coordinates": [centre.longitude, centre.latitude]}

    selected = set(area_civic_numbers(area_clean({"features": collection(point, radius=radius)})))

    clear = {pk for pk, metres in distances.items() if abs(metres - radius) > 0.5}
    assert selected & clear == {pk for pk in clear if distances[pk] < radius}
    assert centre.pk in selected and len(selected) > 3


def test_a_street_range_with_parity_takes_those_numbers_exponents_included(town) -> None:
    with_exponent = max(
        CivicNumber.objects.exclude(exponent="").select_related("street"),
        key=lambda civic: (civic.street.civic_numbers.count(), -civic.pk),
    )
    street = with_exponent.street
    low, high = 1, with_exponent.number + 4
    parity = "even" if with_exponent.number % 2 == 0 else "odd"
    remainder = 0 if parity == "even" else 1
    expected = {
        civic.pk
        for civic in street.civic_numbers.all()
        if low <= civic.number <= high and civic.number % 2 == remainder
    }

    selected = area_civic_numbers(
        area_clean({"streets": [{"street": street.pk, "from": low, "to": high, "parity": parity}]})
    )

    assert set(selected) == expected
    assert with_exponent.pk in selected
    assert street.civic_numbers.exclude(pk__in=selected).exists()


def test_a_whole_street_and_a_polygon_are_joined_without_doubles(town) -> None:
    centre = busiest(town)
    box = around(centre)
    street = centre.street

    selected = area_civic_numbers(
        area_clean(
            {
                "features": collection(rectangle(*box)),
                "streets": [{"street": street.pk, "from": None, "to": None, "parity": "all"}],
            }
        )
    )

    expected = inside_box(*box) | set(street.civic_numbers.values_list("pk", flat=True))
    assert sorted(selected) == sorted(expected)


def test_the_whole_municipality_is_none_and_no_area_is_nobody(town) -> None:
    assert area_civic_numbers(area_clean({"city": True})) is None
    assert area_civic_numbers({}) == []
    assert area_summary({"city": True}) == "Tutto il Comune"


def test_a_new_civic_number_is_seen_by_the_next_selection(town) -> None:
    centre = busiest(town)
    box = around(centre)
    area = area_clean({"features": collection(rectangle(*box))})
    before = area_civic_numbers(area)

    added = CivicNumber.objects.create(
        street=centre.street,
        number=9999,
        latitude=centre.latitude + 0.0001,
        longitude=centre.longitude + 0.0001,
    )

    assert set(area_civic_numbers(area)) == {*before, added.pk}


def test_a_bow_tie_polygon_is_refused_because_its_border_crosses_itself(town) -> None:
    west, south, east, north = around(busiest(town))
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[west, south], [east, north], [east, south], [west, north], [west, south]]
        ],
    }

    message = messages_of({"features": collection(bow_tie)})

    assert "il bordo si incrocia" in message
    assert "Poligono 1" in message


def test_an_unclosed_ring_is_refused_not_closed_for_you(town) -> None:
    west, south, east, north = around(busiest(town))
    open_ring = {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north]]],
    }

    assert "il bordo non è chiuso" in messages_of({"features": collection(open_ring)})


def test_a_polygon_needs_three_corners(town) -> None:
    west, south, east, north = around(busiest(town))
    line = {"type": "Polygon", "coordinates": [[[west, south], [east, north], [west, south]]]}

    assert "almeno 3" in messages_of({"features": collection(line)})


def test_an_area_outside_the_comune_is_refused_and_swapped_coordinates_are_explained(
    town,
) -> None:
    civic = busiest(town)
    far = rectangle(9.0, 45.0, 9.1, 45.1)  # Milan
    swapped = rectangle(
        civic.latitude - 0.002, civic.longitude - 0.002, civic.latitude, civic.longitude
    )

    assert "fuori dal territorio del Comune" in messages_of({"features": collection(far)})
    assert "scambiando latitudine e longitudine" in messages_of({"features": collection(swapped)})


def test_a_circle_needs_a_radius_above_zero_and_not_too_large(town) -> None:
    civic = busiest(town)
    point = {"type": "Point", "coordinates": [civic.longitude, civic.latitude]}

    assert "maggiore di zero" in messages_of({"features": collection(point, radius=0)})
    assert "al massimo" in messages_of({"features": collection(point, radius=900_000)})


def test_a_reversed_street_range_and_an_empty_area_are_refused(town) -> None:
    street = busiest(town).street

    reversed_range = {"streets": [{"street": street.pk, "from": 40, "to": 2, "parity": "all"}]}

    assert "rovesciato" in messages_of(reversed_range)
    assert "Scegli dove inviare" in messages_of({})


def test_an_uploaded_line_is_refused_with_what_is_needed() -> None:
    line = {"type": "LineString", "coordinates": [[10.31, 43.55], [10.32, 43.56]]}

    with pytest.raises(ValidationError) as caught:
        geojson_load(json.dumps({"type": "Feature", "geometry": line, "properties": {}}))

    assert "una linea (LineString)" in caught.value.messages[0]
    assert "Polygon o MultiPolygon" in caught.value.messages[0]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"type": "FeatureCollection", "features": [', "non si legge: errore alla riga 1"),
        (b'{"type": "FeatureCollection", "features": []}', "non contiene nessuna area"),
        (b"", "vuoto"),
        (b" " * (2 * 1024 * 1024 + 1), "troppo grande"),
        (b'{"type": "MultiPoint", "coordinates": [[10.3, 43.5]]}', "dei punti"),
    ],
)
def test_bad_geojson_files_say_what_is_wrong(content: bytes, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        geojson_load(content)

    assert message in caught.value.messages[0]


def test_a_geojson_in_gauss_boaga_is_moved_to_wgs84(town) -> None:
    centre = busiest(town)
    to_3003 = Transformer.from_crs("EPSG:4326", "EPSG:3003", always_xy=True)
    x, y = to_3003.transform(centre.longitude, centre.latitude)
    west, south, east, north = x - 250, y - 200, x + 250, y + 200
    corners = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    exported = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3003"}},
        "features": [
            {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [corners]}}
        ],
    }
    expected = set()
    for civic in CivicNumber.objects.all():
        cx, cy = to_3003.transform(civic.longitude, civic.latitude)
        if west <= cx <= east and south <= cy <= north:
            expected.add(civic.pk)

    area = area_clean({"features": geojson_load(json.dumps(exported))})

    [ring] = area["features"]["features"][0]["geometry"]["coordinates"]
    assert all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in ring)
    assert set(area_civic_numbers(area)) == expected and expected


def test_pasted_coordinates_in_latitude_longitude_make_the_same_polygon(town) -> None:
    west, south, east, north = around(busiest(town))
    text = f"{south}, {west}\n{south}, {east}\n{north}, {east}\n{north}, {west}\n"
    italian = "\n".join(
        f"{lat:.6f} {lon:.6f}".replace(".", ",")
        for lat, lon in [(south, west), (south, east), (north, east), (north, west)]
    )

    pasted = area_civic_numbers(area_clean({"features": features_from_text(text)}))
    with_commas = area_civic_numbers(area_clean({"features": features_from_text(italian)}))

    assert set(pasted) == inside_box(west, south, east, north)
    assert set(with_commas) == set(pasted)


def test_a_pasted_line_with_a_radius_is_a_circle(town) -> None:
    civic = busiest(town)

    area = area_clean({"features": features_from_text(f"{civic.latitude}, {civic.longitude}, 300")})

    [feature] = area["features"]["features"]
    assert feature["geometry"] == {
        "type": "Point",
        "coordinates": [civic.longitude, civic.latitude],
    }
    assert feature["properties"] == {"radius": 300.0}
    assert area_summary(area) == "1 cerchio di 300 m"


def test_garbage_in_the_coordinates_names_the_line(town) -> None:
    with pytest.raises(ValidationError) as caught:
        features_from_text("43.55, 10.31\nvicino alla stazione\n43.56, 10.32")

    assert "«vicino alla stazione»" in caught.value.messages[0]


def test_the_summary_names_shapes_and_streets(town) -> None:
    centre = busiest(town)
    point = {"type": "Point", "coordinates": [centre.longitude, centre.latitude]}
    area = area_clean(
        {
            "features": collection(
                rectangle(*around(centre)), rectangle(*around(centre, east=0.001))
            ),
            "streets": [{"street": centre.street_id, "from": 2, "to": 20, "parity": "even"}],
        }
    )
    circle = area_clean({"features": collection(point, radius=500)})

    assert area_summary(area) == (f"2 poligoni, {centre.street.full_name}, numeri pari dal 2 al 20")
    assert area_summary(circle) == "1 cerchio di 500 m"


def test_the_stradario_arrays_are_rebuilt_when_and_only_when_the_civic_numbers_change(
    town, monkeypatch
) -> None:
    """No timer: the same arrays serve every selection until a statement touches the civic
    numbers, whoever runs it (here plain SQL moving one, as an import would)."""
    import dataclasses

    from django.db import connection

    from sportello.places.areas import civic_points as arrays

    first = arrays.civic_points()
    loads = []
    monkeypatch.setattr(
        arrays,
        "_points_load",
        lambda version: loads.append(version) or dataclasses.replace(first, version=version),
    )
    assert arrays.civic_points() is first and loads == []

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE places_civicnumber SET latitude = latitude + 0.001 WHERE id = %s", [town.pk]
        )
    arrays.civic_points()
    assert len(loads) == 1  # rebuilt once for the change
    arrays.civic_points()
    assert len(loads) == 1
