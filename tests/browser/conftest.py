"""Browser journeys: the `browser` and `page` fixtures live in tests/conftest.py; the demo comune
they walk through (demo town, demo seal, simulated pagoPA) is here."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from sportello.certificates.demo_seal import demo_seal_ensure
from tests.browser.demo import PASSWORD


@pytest.fixture(scope="module")
def seal_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("seal")
    demo_seal_ensure(directory=directory, organisation="Comune di Livorno")
    return directory


@pytest.fixture
def demo_comune(live_server, settings, seal_dir: Path) -> None:
    settings.SPORTELLO_SEAL = {**settings.SPORTELLO_SEAL, "backend": "demo", "demo_dir": seal_dir}
    settings.SPORTELLO_PAYMENTS_PROVIDER = "sportello.payments.providers.simulator.Simulator"
    settings.SPORTELLO_DEMO_PASSWORD = PASSWORD
    settings.SPORTELLO_PUBLIC_URL = live_server.url
    settings.SPORTELLO_SMARTCARD_SIMULATOR = True  # as in the demo (local settings)
    call_command("demo", "--citizens", "20", "--seed", "1", stdout=io.StringIO())
