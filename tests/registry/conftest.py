"""Fixtures for registry tests."""

from __future__ import annotations

import pytest

from .factories import CivicNumberFactory, StreetFactory


@pytest.fixture
def stradario() -> None:
    """Via Grande 1, 2 and 12/A; Piazza del Municipio 1, with the national code CIV-P1."""
    grande = StreetFactory(street_type="Via", name="Grande")
    CivicNumberFactory(street=grande, number=1)
    CivicNumberFactory(street=grande, number=2)
    CivicNumberFactory(street=grande, number=12, exponent="A")
    municipio = StreetFactory(street_type="Piazza", name="del Municipio")
    CivicNumberFactory(street=municipio, number=1, code="CIV-P1")
