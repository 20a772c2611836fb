"""The demo stradario: Italian-named streets in Livorno's neighbourhoods, on land, each a short
segment with its civic numbers along it (odd on one side, even on the other, some 12/A)."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sportello.core.demo import (
    MAX_LATITUDE,
    MAX_LONGITUDE,
    MIN_LATITUDE,
    MIN_LONGITUDE,
)
from sportello.places.demo import streetmap
from sportello.places.models import CivicNumber, Street
from sportello.places.normalize import street_search_key

# Demo rows carry this prefix in their codes, so that --reset removes them and nothing else.
DEMO_CODE_PREFIX = "DEMO-"
BATCH_SIZE = 2000

CITIZENS_PER_CIVIC = 8
CITIZENS_PER_STREET = 90  # Livorno: about 155,000 people on some 1,800 streets
MIN_STREETS = 300

# The offices of the seeds stand at these civic numbers: they must exist.
REQUIRED_CIVICS: dict[tuple[str, str], tuple[int, ...]] = {
    ("Piazza", "del Municipio"): (1,),
    ("Piazza", "Giuseppe Saragat"): (1,),
    ("Via", "Niccolò Machiavelli"): (21,),
}

# How often each kind of name takes each street type, and how long such streets are (metres).
TYPE_WEIGHTS = {
    "people": (("Via", 72), ("Viale", 8), ("Piazza", 9), ("Largo", 7), ("Vicolo", 4)),
    "places": (("Via", 80), ("Viale", 10), ("Piazza", 10)),
    "dates": (("Via", 60), ("Piazza", 25), ("Viale", 15)),
    "phrases": (("Via", 80), ("Vicolo", 10), ("Piazza", 10)),
}
LENGTHS_M = {
    "Via": (150, 900),
    "Viale": (400, 1500),
    "Corso": (400, 1000),
    "Borgo": (200, 800),
    "Scali": (150, 450),
    "Piazza": (50, 140),
    "Largo": (30, 80),
    "Vicolo": (40, 150),
}
# How many civic numbers a street of each type has, relative to a Via of the same length.
DENSITY = {"Piazza": 3.0, "Largo": 2.0, "Vicolo": 1.5, "Corso": 1.3}
SIDE_OFFSET_M = 12  # odd numbers on the left of the direction of travel, even on the right
COAST_MARGIN_M = 150

M_PER_DEGREE_LATITUDE = 111_132
M_PER_DEGREE_LONGITUDE = 111_320 * math.cos(math.radians((MIN_LATITUDE + MAX_LATITUDE) / 2))


@dataclass
class StreetPlan:
    street_type: str
    name: str
    zone: streetmap.Zone
    latitude: float
    longitude: float
    bearing: float
    length_m: float
    civics: int = 1


def town_size(citizens: int) -> tuple[int, int]:
    """How many streets and civic numbers a town of `citizens` people has."""
    streets = max(MIN_STREETS, citizens // CITIZENS_PER_STREET)
    civics = max(citizens // CITIZENS_PER_CIVIC, streets * 2)
    return streets, civics


def coast_longitude(latitude: float) -> float:
    """The easternmost longitude of the sea at this latitude (linear between map points)."""
    points = streetmap.COASTLINE
    if latitude <= points[0][0]:
        return points[0][1]
    for (lat_a, lon_a), (lat_b, lon_b) in zip(points, points[1:], strict=False):
        if latitude <= lat_b:
            return lon_a + (lon_b - lon_a) * (latitude - lat_a) / (lat_b - lat_a)
    return points[-1][1]


def on_land(latitude: float, longitude: float) -> tuple[float, float]:
    """Keep a point inside the comune's box and east of the coastline."""
    latitude = min(max(latitude, MIN_LATITUDE + 0.001), MAX_LATITUDE - 0.001)
    shore = coast_longitude(latitude) + COAST_MARGIN_M / M_PER_DEGREE_LONGITUDE
    longitude = min(max(longitude, shore, MIN_LONGITUDE + 0.001), MAX_LONGITUDE - 0.001)
    return round(latitude, 6), round(longitude, 6)


def _moved(
    latitude: float, longitude: float, *, north_m: float, east_m: float
) -> tuple[float, float]:
    return (
        latitude + north_m / M_PER_DEGREE_LATITUDE,
        longitude + east_m / M_PER_DEGREE_LONGITUDE,
    )


def _weighted(rng: random.Random, options: Iterable[tuple[str, float]]) -> str:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


def _street_names(
    rng: random.Random, count: int, taken: set[tuple[str, str]]
) -> list[tuple[str, str]]:
    """`count` distinct (type, name) pairs: every name once first, then again with other types
    («Piazza Giuseppe Garibaldi» next to «Via Giuseppe Garibaldi»), as towns do."""
    pool = [
        (kind, name)
        for kind, names in (
            ("people", streetmap.STREET_PEOPLE),
            ("places", streetmap.STREET_PLACES),
            ("dates", streetmap.STREET_DATES),
            ("phrases", streetmap.STREET_PHRASES),
        )
        for name in names
    ]
    rng.shuffle(pool)
    chosen: list[tuple[str, str]] = []
    used = set(taken)
    for round_number in range(5):
        for kind, name in pool:
            if len(chosen) >= count:
                return chosen
            options = [(t, w) for t, w in TYPE_WEIGHTS[kind] if (t, name) not in used]
            if not options:
                continue
            street_type = _weighted(rng, options) if round_number == 0 else rng.choice(options)[0]
            used.add((street_type, name))
            chosen.append((street_type, name))
    return chosen


def street_plans(
    rng: random.Random, *, citizens: int, taken: set[tuple[str, str]]
) -> list[StreetPlan]:
    """Where each street lies and how many civic numbers it has (no database access)."""
    street_count, civic_count = town_size(citizens)
    zones = {zone.name: zone for zone in streetmap.ZONES}
    plans = [
        StreetPlan(
            street.street_type,
            street.name,
            zones[street.zone],
            street.latitude,
            street.longitude,
            street.bearing,
            street.length_m,
        )
        for street in streetmap.REAL_STREETS
        if (street.street_type, street.name) not in taken
    ]
    taken = taken | {(plan.street_type, plan.name) for plan in plans}
    zone_weights = [zone.weight for zone in streetmap.ZONES]
    for street_type, name in _street_names(rng, street_count - len(plans), taken):
        zone = rng.choices(streetmap.ZONES, weights=zone_weights)[0]
        latitude, longitude = _moved(
            zone.latitude,
            zone.longitude,
            north_m=rng.gauss(0, zone.spread_m / 2),
            east_m=rng.gauss(0, zone.spread_m / 2),
        )
        shortest, longest = LENGTHS_M[street_type]
        plans.append(
            StreetPlan(
                street_type,
                name,
                zone,
                latitude,
                longitude,
                rng.uniform(0, 180),
                rng.uniform(shortest, longest),
            )
        )
    # Every street has a civic number; the others go to streets by length and kind.
    weights = [
        plan.length_m * DENSITY.get(plan.street_type, 1.0) * rng.uniform(0.5, 1.5) for plan in plans
    ]
    extra = Counter(
        rng.choices(range(len(plans)), weights=weights, k=max(0, civic_count - len(plans)))
    )
    for index, plan in enumerate(plans):
        required = REQUIRED_CIVICS.get((plan.street_type, plan.name), ())
        plan.civics = max(1 + extra[index], len(required))
    return plans


def _civic_labels(rng: random.Random, plan: StreetPlan) -> list[tuple[int, str]]:
    """Numbers with some exponents (12, 12/A), sorted, including the required ones."""
    required = REQUIRED_CIVICS.get((plan.street_type, plan.name), ())
    with_exponent = sum(1 for _ in range(plan.civics) if rng.random() < 0.06)
    base_count = max(plan.civics - with_exponent, len(required), 1)
    highest = max(base_count + rng.randint(0, base_count // 2), *required, 1)
    candidates = [number for number in range(1, highest + 1) if number not in required]
    numbers = sorted([*required, *rng.sample(candidates, base_count - len(required))])
    labels = [(number, "") for number in numbers]
    exponents: Counter[int] = Counter(rng.choice(numbers) for _ in range(plan.civics - base_count))
    for number, count in sorted(exponents.items()):
        labels.extend((number, "ABCDEFGH"[index]) for index in range(min(count, 8)))
    return sorted(labels)


def _civic_position(
    plan: StreetPlan, number: int, exponent: str, highest: int
) -> tuple[float, float]:
    share = (number - 0.5) / highest
    bearing = math.radians(plan.bearing)
    if plan.street_type in {"Piazza", "Largo"}:
        # Around the square: numbers go round its edge.
        angle = bearing + share * 2 * math.pi
        radius = plan.length_m / 2
        north, east = radius * math.cos(angle), radius * math.sin(angle)
    else:
        along = share * plan.length_m + (4 if exponent else 0)
        side = -SIDE_OFFSET_M if number % 2 else SIDE_OFFSET_M
        north = along * math.cos(bearing) - side * math.sin(bearing)
        east = along * math.sin(bearing) + side * math.cos(bearing)
    return on_land(*_moved(plan.latitude, plan.longitude, north_m=north, east_m=east))


def town_delete() -> None:
    """Remove the demo's civic numbers and streets (their codes carry DEMO_CODE_PREFIX)."""
    CivicNumber.objects.filter(code__startswith=DEMO_CODE_PREFIX).delete()
    Street.objects.filter(code__startswith=DEMO_CODE_PREFIX).delete()


def town_build(*, rng: random.Random, citizens: int) -> list[CivicNumber]:
    """Create the streets and civic numbers for a town of `citizens` people."""
    taken = set(Street.objects.values_list("street_type", "name"))
    plans = street_plans(rng, citizens=citizens, taken=taken)
    streets = Street.objects.bulk_create(
        (
            Street(
                code=f"{DEMO_CODE_PREFIX}S{index:06d}",
                street_type=plan.street_type,
                name=plan.name,
                search_name=street_search_key(street_type=plan.street_type, name=plan.name),
                postal_code=plan.zone.postal_code,
            )
            for index, plan in enumerate(plans, start=1)
        ),
        batch_size=BATCH_SIZE,
    )
    civics: list[CivicNumber] = []
    for plan, street in zip(plans, streets, strict=True):
        labels = _civic_labels(rng, plan)
        highest = labels[-1][0] if labels else 1
        for number, exponent in labels:
            latitude, longitude = _civic_position(plan, number, exponent, highest)
            civics.append(
                CivicNumber(
                    street_id=street.pk,
                    number=number,
                    exponent=exponent,
                    code=f"{DEMO_CODE_PREFIX}C{len(civics) + 1:07d}",
                    latitude=latitude,
                    longitude=longitude,
                    zone=plan.zone.name,
                    postal_code=plan.zone.postal_code,
                )
            )
    return CivicNumber.objects.bulk_create(civics, batch_size=BATCH_SIZE)
