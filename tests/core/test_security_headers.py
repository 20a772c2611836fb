"""Every page says what the browser may load and use: our own scripts only, the map's tiles,
no framing (Content-Security-Policy); no camera, microphone, location… (Permissions-Policy)."""

from __future__ import annotations

import pytest
from django.test import Client

from sportello.config.env import tile_origins

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.parametrize("url", ["/", "/allerta/iscrizione/", "/api/docs/", "/accedi/"])
def test_pages_allow_only_our_own_scripts(url: str) -> None:
    response = Client().get(url)

    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy.get("script-src", [])
    features = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in features


def test_the_map_tiles_server_is_allowed_for_images() -> None:
    policy = directives(Client().get("/").headers["Content-Security-Policy"])

    assert "https://tile.openstreetmap.org" in policy["img-src"]
    assert tile_origins("https://{s}.tiles.example.org/{z}/{x}/{y}.png") == [
        "https://*.tiles.example.org"
    ]
    assert tile_origins("") == []


def test_swagger_ui_starts_from_a_script_of_its_own() -> None:
    page = Client().get("/api/docs/").content.decode()
    script = Client().get("/api/docs/?script=")

    assert "<script>" not in page and "/api/docs/?script=" in page
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
