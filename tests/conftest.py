"""Shared fixtures and the rule for tests that need a server.

A test marked `postgres` or `redis` runs when that server answers on this machine and is
skipped with a visible reason otherwise; under CI=true a missing server fails the test instead,
because CI must exercise them.
"""

from __future__ import annotations

import os
import socket

import pytest

ON_CI = os.environ.get("CI", "").lower() == "true"
SERVERS = {
    "postgres": ("127.0.0.1", 5432),
    "redis": ("127.0.0.1", 6379),
}


def server_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def pytest_runtest_setup(item: pytest.Item) -> None:
    for name, (host, port) in SERVERS.items():
        if item.get_closest_marker(name) is None:
            continue
        if server_answers(host, port):
            continue
        message = f"{name} is not reachable on {host}:{port}"
        if ON_CI:
            pytest.fail(f"{message}, and CI=true requires it", pytrace=False)
        pytest.skip(message)
