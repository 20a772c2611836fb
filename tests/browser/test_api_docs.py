"""The API's documentation (Swagger UI at /api/docs/) works under the Content-Security-Policy:
it loads the schema and lists the operations (the `page` fixture fails on anything blocked)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_swagger_ui_lists_the_operations(page: Page) -> None:
    page.set_default_timeout(15_000)

    page.goto("/api/docs/")

    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.locator("#swagger-ui")).to_contain_text("/api/v1/allerta/iscrizioni/nuova/")
    assert page.failed_requests == []  # type: ignore[attr-defined]
