"""Address autocomplete and geocoding, as a citizen typing an address would see them."""

from __future__ import annotations

import pytest

from sportello.places.normalize import address_parse, street_search_key
from sportello.places.selectors import (
    AddressMatchKind,
    GeocodeStatus,
    address_geocode,
    address_search,
)

from .factories import CivicNumberFactory, StreetFactory

pytestmark = pytest.mark.django_db


def first_label(query: str) -> str:
    matches = address_search(query=query)
    assert matches, f"nothing found for {query!r}"
    return matches[0].label


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("via g. garibaldi 12", "Via Giuseppe Garibaldi 12"),
        ("Via Giuseppe Garibaldi 12", "Via Giuseppe Garibaldi 12"),
        ("garibaldi 12", "Via Giuseppe Garibaldi 12"),
        ("VIA GIUSEPPE GARIBALDI 12", "Via Giuseppe Garibaldi 12"),
        ("VIALE ITALIA 3/a", "Viale Italia 3/A"),
        ("viale italia 3", "Viale Italia 3"),
        ("p.zza saragat 1", "Piazza Giuseppe Saragat 1"),
        ("p.za saragat 1", "Piazza Giuseppe Saragat 1"),
        ("pza saragat 1", "Piazza Giuseppe Saragat 1"),
        ("piazza g. saragat 1", "Piazza Giuseppe Saragat 1"),
        ("v. machiavelli 21", "Via Niccolò Machiavelli 21"),
        ("Via Machiavelli, 21", "Via Niccolò Machiavelli 21"),
        ("via niccolo machiavelli 21", "Via Niccolò Machiavelli 21"),
        ("via indipendenza 4/b", "Via dell'Indipendenza 4/B"),
        ("Via dell’Indipendenza 4 b", "Via dell'Indipendenza 4/B"),
    ],
)
def test_search_finds_the_civic_number_however_it_is_written(stradario, query, expected):
    assert first_label(query) == expected


def test_search_puts_the_exact_number_first_then_numbers_that_start_with_it(stradario):
    labels = [match.label for match in address_search(query="via garibaldi 1")]

    assert labels[0] == "Via Giuseppe Garibaldi 1"
    assert labels[1:] == [
        "Via Giuseppe Garibaldi 10",
        "Via Giuseppe Garibaldi 12",
        "Via Giuseppe Garibaldi 12/A",
        "Via Giuseppe Garibaldi 12/BIS",
    ]


def test_search_puts_the_typed_exponent_before_the_other_exponents(stradario):
    labels = [match.label for match in address_search(query="via garibaldi 12 bis")]

    assert labels[:3] == [
        "Via Giuseppe Garibaldi 12/BIS",
        "Via Giuseppe Garibaldi 12",
        "Via Giuseppe Garibaldi 12/A",
    ]


def test_search_without_a_number_suggests_streets_with_a_position(stradario):
    matches = address_search(query="via roma")

    assert [match.label for match in matches] == ["Via Roma", "Via Roma Vecchia"]
    assert matches[0].kind == AddressMatchKind.STREET
    assert matches[0].id is None
    assert matches[0].latitude == pytest.approx(stradario.roma_1.latitude)


def test_search_while_typing_a_partial_word(stradario):
    assert first_label("via garib") == "Via Giuseppe Garibaldi"


def test_a_wrong_initial_does_not_match_a_first_name(stradario):
    assert address_search(query="via f. garibaldi 12") == []


def test_search_shows_the_street_when_the_number_does_not_exist(stradario):
    matches = address_search(query="viale italia 999")

    assert [(match.kind, match.label) for match in matches] == [
        (AddressMatchKind.STREET, "Viale Italia")
    ]


def test_a_street_type_that_does_not_match_falls_back_to_the_name(stradario):
    # Only «Viale Italia» exists: «via italia 3» still finds it.
    assert first_label("via italia 3") == "Viale Italia 3"


def test_search_respects_the_limit(stradario):
    assert len(address_search(query="via garibaldi 1", limit=2)) == 2


def test_a_street_with_numbers_in_its_name_keeps_them_apart_from_the_civic_number(livorno):
    novembre = StreetFactory(street_type="Piazza", name="4 Novembre")
    CivicNumberFactory(street=novembre, number=3)
    StreetFactory(street_type="Piazza", name="40 Novembre")

    assert first_label("piazza 4 novembre 3") == "Piazza 4 Novembre 3"
    assert [match.label for match in address_search(query="piazza 4 novembre")] == [
        "Piazza 4 Novembre"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Via G. Garibaldi 12", "garibaldi_12"),
        ("via garibaldi 12/A", "garibaldi_12a"),
        ("via garibaldi 12 a", "garibaldi_12a"),
        ("via garibaldi 12A", "garibaldi_12a"),
        ("via garibaldi 12/a", "garibaldi_12a"),
        ("via garibaldi 12 bis", "garibaldi_12bis"),
        ("via garibaldi 12/BIS", "garibaldi_12bis"),
        ("Via Garibaldi n. 12, 57122 Livorno", "garibaldi_12"),
        ("via garibaldi 12, Livorno (LI)", "garibaldi_12"),
        ("p.zza saragat 1", "saragat_1"),
        ("VIALE ITALIA 3/a", "italia_3a"),
        ("viale italia 3", "italia_3"),
    ],
)
def test_geocode_finds_one_civic_number(stradario, text, expected):
    result = address_geocode(text=text)

    assert result.status == GeocodeStatus.FOUND, result.reason
    assert result.civic_number == getattr(stradario, expected)


def test_geocode_prefers_the_street_named_exactly_when_the_type_is_given(stradario):
    result = address_geocode(text="via roma 1")

    assert result.found
    assert result.civic_number == stradario.roma_1


def test_geocode_is_ambiguous_between_streets_with_the_same_number(stradario):
    piazza = StreetFactory(street_type="Piazza", name="Garibaldi")
    other = CivicNumberFactory(street=piazza, number=12)

    result = address_geocode(text="garibaldi 12")

    assert result.status == GeocodeStatus.AMBIGUOUS
    assert {match.id for match in result.candidates} == {stradario.garibaldi_12.pk, other.pk}
    assert "Più strade" in result.reason


def test_geocode_is_ambiguous_when_only_numbers_with_exponents_exist(livorno):
    street = StreetFactory(street_type="Via", name="Grande")
    CivicNumberFactory(street=street, number=7, exponent="A")
    CivicNumberFactory(street=street, number=7, exponent="B")

    result = address_geocode(text="via grande 7")

    assert result.status == GeocodeStatus.AMBIGUOUS
    assert [match.number for match in result.candidates] == ["7/A", "7/B"]


def test_geocode_says_which_exponents_exist_when_the_typed_one_does_not(stradario):
    result = address_geocode(text="via garibaldi 12/C")

    assert result.status == GeocodeStatus.NOT_FOUND
    assert result.reason == "Il numero civico 12/C non risulta; esistono: 12, 12/A, 12/BIS."
    assert len(result.candidates) == 3


def test_geocode_of_an_unknown_street(stradario):
    result = address_geocode(text="via inesistente 5")

    assert result.status == GeocodeStatus.NOT_FOUND
    assert result.civic_number is None
    assert result.reason == "Nessuna strada dello stradario corrisponde a «via inesistente 5»."


def test_geocode_of_a_number_the_street_does_not_have(stradario):
    result = address_geocode(text="viale italia 999")

    assert result.status == GeocodeStatus.NOT_FOUND
    assert result.reason == "Il numero civico 999 non risulta in Viale Italia."


def test_geocode_without_a_number(stradario):
    result = address_geocode(text="viale italia")

    assert result.status == GeocodeStatus.NOT_FOUND
    assert result.reason == "Manca il numero civico."
    assert [match.label for match in result.candidates] == ["Viale Italia"]


def test_geocode_of_an_empty_text(stradario):
    result = address_geocode(text="  , ")

    assert result.status == GeocodeStatus.NOT_FOUND
    assert result.reason == "Scrivi il nome della strada e il numero civico."


def test_search_and_geocode_run_a_few_queries_whatever_the_size_of_the_stradario(
    stradario, django_assert_max_num_queries
):
    for number in range(100, 400):
        CivicNumberFactory(street=stradario.garibaldi_12.street, number=number)

    with django_assert_max_num_queries(3):
        address_search(query="via g. garibaldi 12")
    with django_assert_max_num_queries(3):
        address_geocode(text="via g. garibaldi 12")


def test_a_street_named_like_the_comune_is_still_found(stradario):
    livorno_street = StreetFactory(street_type="Via", name="Livorno")
    CivicNumberFactory(street=livorno_street, number=5)

    assert address_geocode(text="via livorno 5, Livorno").civic_number.street == livorno_street
    assert address_geocode(text="via livorno").reason == "Manca il numero civico."


def test_a_street_without_a_type_is_found_by_its_name(livorno):
    street = StreetFactory(street_type="", name="Sette Santi")
    civic = CivicNumberFactory(street=street, number=8)

    assert street.search_name == "- sette santi"
    assert address_geocode(text="sette santi 8").civic_number == civic


def test_every_street_gets_its_search_key(livorno):
    street = StreetFactory(street_type="P.zza", name="Giuseppe Saragat")

    assert street.search_name == "piazza giuseppe saragat"
    assert street.search_name == street_search_key(street_type="Piazza", name="GIUSEPPE SARAGAT")


def test_address_parse_reads_number_and_exponent():
    assert address_parse("C.so Amedeo 1 / a").number == 1
    assert address_parse("C.so Amedeo 1 / a").exponent == "A"
    assert address_parse("via 25 aprile 3").words == ("25", "aprile")
    assert address_parse("via roma").number is None
