"""Browser tests: Playwright driving Debian's Chromium against a live test server.

Skipped with a reason when Chromium is not installed; under CI=true they must run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ON_CI = os.environ.get("CI", "").lower() == "true"

# Playwright's sync API runs an event loop in this thread; the live server and the ORM calls
# made by fixtures are ordinary synchronous Django, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
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
    yield page
    context.close()
