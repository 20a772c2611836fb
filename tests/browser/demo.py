"""What every browser journey on the demo comune does: log in with the demo's password, check a
page as an accessibility auditor would, pay in the simulated pagoPA checkout."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

PASSWORD = "Sportello-Demo-2026"  # noqa: S105 - the demo's published password


def log_in(page: Page, username: str = "cittadino") -> None:
    page.get_by_label("Nome utente", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Accedi", exact=True).click()


def tick(box: Locator) -> None:
    """Ticks a box or picks a radio as a keyboard user does (focus, Space). Bootstrap Italia
    draws the box under its label: a forced click at the input's place could land on the label's
    link or on a layout still moving, and leave the box as it was."""
    if not box.is_checked():
        box.focus()
        box.press("Space")
    expect(box).to_be_checked()


def accessible(page: Page) -> None:
    """axe-core finds nothing, and at 320 px nothing scrolls sideways (WCAG 1.4.10)."""
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(size)
    assert width <= 320, f"{page.url} scrolls sideways at 320 px ({width} px wide)"


def pay_in_checkout(page: Page, *, audit: bool = True) -> None:
    """From our payment summary through the simulated checkout to «Pagamento eseguito»; with
    `audit`, each of the three pages is checked with accessible()."""
    expect(page.get_by_role("heading", name="Riepilogo del pagamento")).to_be_visible()
    if audit:
        accessible(page)
    page.get_by_role("button", name="Conferma e paga con pagoPA").click()
    pay_in_simulator(page, audit=audit)


def pay_in_simulator(page: Page, *, audit: bool = True) -> None:
    """From the simulated pagoPA checkout to «Pagamento eseguito» (each page checked with
    accessible() when `audit`)."""
    expect(page.get_by_role("heading", name="Simulatore pagoPA")).to_be_visible()
    if audit:
        accessible(page)
    page.get_by_role("button", name=re.compile(r"^Paga € ")).click()
    expect(page.get_by_role("heading", name="Pagamento eseguito")).to_be_visible()
    if audit:
        accessible(page)
