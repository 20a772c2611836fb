"""Shared fixtures and the rule for tests that need a server.

A test marked `postgres` or `redis` runs when that server answers on this machine and is
skipped with a visible reason otherwise; under CI=true a missing server fails the test instead,
because CI must exercise them.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator

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


# --- Browser tests: Playwright driving Debian's Chromium against a live test server ----------
# One browser per module (two sync Playwright instances at once in one thread would clash). Not
# one per session: while Playwright runs, its event loop counts as running in this thread, and
# later tests whose code calls asyncio.run (pyHanko's sealing) would fail. Skipped with a reason
# without Chromium; under CI=true they must run.

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Playwright's sync API runs an event loop in this thread; the live server and the ORM calls
# made by fixtures are ordinary synchronous Django, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser() -> Iterator:
    if not os.path.exists(CHROMIUM):
        message = "Chromium is not installed (apt-get install chromium)"
        if ON_CI:
            pytest.fail(f"{message}, and CI=true requires it", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def csp_watch(page) -> list[str]:
    """What the Content-Security-Policy blocks on `page` (Chromium says so on the console)."""
    blocked: list[str] = []

    def seen(message) -> None:
        if "Content Security Policy" in message.text:
            where = message.location or {}
            blocked.append(
                f"{message.text[:260]} (at {where.get('url')}:{where.get('lineNumber')})"
            )

    page.on("console", seen)
    return blocked


def csp_assert_none(blocked: list[str]) -> None:
    """Every page must work under the Content-Security-Policy: anything blocked fails."""
    if blocked:
        pytest.fail("Blocked by the Content-Security-Policy:\n" + "\n".join(sorted(set(blocked))))


@pytest.fixture
def page(browser, live_server) -> Iterator:
    context = browser.new_context(base_url=live_server.url, locale="it-IT")
    page = context.new_page()
    page.failed_requests = []  # type: ignore[attr-defined]
    page.on(
        "response",
        lambda response: (
            response.status >= 400
            and page.failed_requests.append(f"{response.status} {response.url}")
        ),  # type: ignore[attr-defined]
    )
    blocked = csp_watch(page)
    yield page
    context.close()
    csp_assert_none(blocked)


# --- SPID / CIE ID: the SP's and the demo IdP's keys, made once under var/test-spid ------------


@pytest.fixture(scope="session", autouse=True)
def spid_keys() -> None:
    """Keys for the SAML service provider and the demo identity provider (kept between runs:
    a 3072-bit key takes a second to make)."""
    from pathlib import Path

    from django.conf import settings

    from sportello.accounts.spid.certificates import SpSubject, key_and_certificate_ensure

    spid = settings.SPORTELLO_SPID
    for key_file, cert_file, name in (
        (spid["key_file"], spid["cert_file"], "Comune di prova"),
        (spid["demo_key_file"], spid["demo_cert_file"], "SPID demo"),
    ):
        key_and_certificate_ensure(
            key_file=Path(key_file),
            cert_file=Path(cert_file),
            subject=SpSubject(
                organization_name=name,
                common_name=name,
                entity_id="http://testserver/spid/metadata/",
                ipa_code="c_e625",
                locality="Livorno",
            ),
        )


# --- The PostgreSQL pass runs only what touches the database --------------------------------
# `make test` runs the suite on SQLite, then again on PostgreSQL with SPORTELLO_DB_TESTS_ONLY=1:
# a test that uses no database (no django_db mark, no database fixture, no postgres/redis mark)
# would only repeat itself there, so that pass leaves it out and says how many.
DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def _touches_the_database(item: pytest.Item) -> bool:
    if any(item.get_closest_marker(name) for name in ("django_db", "postgres", "redis")):
        return True
    return bool(DB_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("SPORTELLO_DB_TESTS_ONLY") != "1":
        return
    left_out = [item for item in items if not _touches_the_database(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if _touches_the_database(item)]
        config.stash[_LEFT_OUT] = len(left_out)


_LEFT_OUT = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    left_out = config.stash.get(_LEFT_OUT, 0)
    if left_out:
        terminalreporter.write_line(
            f"{left_out} tests that use no database ran in the SQLite pass only "
            "(SPORTELLO_DB_TESTS_ONLY=1)."
        )


@pytest.fixture(autouse=True)
def _italian_by_default() -> Iterator[None]:
    """Every test starts in Italian: a test that switched to English must not leak it into the
    next test of the same process (e-mails and tasks render in the active language)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _civic_points_of_this_test() -> None:
    """Each process keeps the civic numbers' coordinates in memory and rebuilds them when the
    stradario's counter moves. A test's rollback winds that counter back on SQLite, so the next
    test may build a different stradario with the same counter: start each test without them."""
    from sportello.places.areas import civic_points

    civic_points._points.clear()


@pytest.fixture(autouse=True)
def _empty_local_cache() -> None:
    """The tests' cache lives in the process: after a rollback, ids come back for other rows,
    and an entry cached for «person 1» by an earlier test must not answer for this one."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    cache = caches["default"]
    if isinstance(cache, LocMemCache):
        cache.clear()
