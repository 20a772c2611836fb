"""Dates the Italian way, one short form everywhere (07/12/2026), and «dopo 1 minuto»."""

from __future__ import annotations

import datetime
import io
import re
from html import unescape
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

SRC = Path(__file__).resolve().parents[2] / "src" / "sportello"


def test_no_template_writes_its_own_short_date() -> None:
    offenders = [
        str(path.relative_to(SRC))
        for path in [*SRC.rglob("*.html"), *SRC.rglob("*.txt")]
        if "j/m/Y" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_the_short_form_has_two_digit_day_and_month() -> None:
    with translation.override("it"):
        text = render_to_string(
            "registry/email/correction_status.txt",
            {
                "correction": type(
                    "C",
                    (),
                    {
                        "status": "in_progress",
                        "created_at": datetime.datetime(2026, 12, 7, 13, 56),
                        "get_topic_display": "nome",
                        "get_status_display": "in lavorazione",
                        "answer": "",
                    },
                )()
            },
        )
    assert "07/12/2026" in text


@pytest.mark.django_db
def test_one_minute_is_singular(settings) -> None:
    settings.SPORTELLO_SESSION_IDLE_MINUTES = 1
    page = Client().get("/sessione-scaduta/").content.decode()
    assert "dopo 1 minuto senza attività" in page


# What a reader would see as a wrong date, amount or count on an Italian page or message.
_CAPITAL_DAYS = "Lunedì|Martedì|Mercoledì|Giovedì|Venerdì|Sabato|Domenica"
_CAPITAL_MONTHS = (
    "Gennaio|Febbraio|Marzo|Aprile|Maggio|Giugno|Luglio|Agosto|Settembre|Ottobre|Novembre|Dicembre"
)
WRONG_FORMS = {
    "a day name with a capital": re.compile(rf"\b(?:{_CAPITAL_DAYS}) \d{{1,2}}\b"),
    "a month name with a capital": re.compile(rf"\b\d{{1,2}} (?:{_CAPITAL_MONTHS}) \d{{4}}"),
    "a short date without its zero": re.compile(r"(?<![\d/.])(?:\d/\d{1,2}|\d{1,2}/\d)/\d{4}\b"),
    "the euro sign after the amount": re.compile(r"\d(?:,\d\d)? ?€"),
    "no space after the euro sign": re.compile(r"€\d"),
    "EUR instead of €": re.compile(r"\d ?EUR\b|\bEUR ?\d"),
    "a decimal point in an amount": re.compile(r"€ \d+\.\d\d\b"),
    "one in the plural": re.compile(r"\b1 (?:minuti|ore|giorni|mesi|settimane|secondi)\b"),
}

_SKIP = re.compile(r"/(esci|logout|admin|api|static|media)/|\.(pdf|csv|xml|json|png|svg)$|/pdf/")


def wrong_forms(text: str) -> list[str]:
    return [
        f"{name}: «{match.group()}»"
        for name, pattern in WRONG_FORMS.items()
        for match in pattern.finditer(text)
    ]


def _visible_text(html: str) -> str:
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def _crawl(client: Client, start: list[str], limit: int = 150) -> dict[str, str]:
    """The pages a person reaches by following links from `start` (GET only, same site)."""
    seen: dict[str, str | None] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen or _SKIP.search(path):
            continue
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            seen[path] = None
            continue
        html = response.content.decode()
        seen[path] = _visible_text(html)
        for link in re.findall(r'href="(/[^"#]*)"', html):
            link = unescape(link)
            if link.startswith("/en/") or link in seen:
                continue
            queue.append(link)
    return {path: text for path, text in seen.items() if text is not None}


@pytest.mark.django_db
def test_no_page_or_message_of_the_demo_writes_a_date_or_an_amount_the_wrong_way(
    settings, mailoutbox
) -> None:
    from sportello.accounts.models import User
    from sportello.channels.models import Delivery

    settings.SPORTELLO_PAYMENTS_PROVIDER = "sportello.payments.providers.simulator.Simulator"
    call_command("demo", "--citizens", "20", "--seed", "1", stdout=io.StringIO())
    call_command("canteen_day", stdout=io.StringIO())
    problems: list[str] = []
    with translation.override("it"):
        pages = _crawl(Client(), ["/", "/allerta/", "/allerta/avvisi/"])
        for username in ("cittadino", "sportello", "scuola", "ragioneria", "protezionecivile"):
            client = Client()
            client.force_login(User.objects.get(username=username))
            pages.update(
                _crawl(client, ["/operatori/mensa/cucina/", "/area-personale/", "/operatori/", "/"])
            )
    for path, text in pages.items():
        problems += [f"{path}: {problem}" for problem in wrong_forms(text)]
    for delivery in Delivery.objects.all():
        payload = delivery.payload or {}
        text = " ".join(str(payload.get(key, "")) for key in ("subject", "text", "body", "html"))
        problems += [f"{delivery.purpose} ({delivery.medium}): {p}" for p in wrong_forms(text)]
    for message in mailoutbox:
        problems += [f"e-mail «{message.subject}»: {p}" for p in wrong_forms(message.body)]
    # The pages of the report are among those read: the kitchen's day, the history.
    assert {"/operatori/mensa/cucina/", "/certificati/", "/pagamenti/"} <= set(pages)
    assert re.search(r"Pasti di \w+ \d", pages["/operatori/mensa/cucina/"])
    assert not problems, "\n".join(problems)


def test_the_scan_recognises_the_wrong_forms() -> None:
    assert wrong_forms("Lunedì 7 Dicembre 2026, 7/12/2026, 16,00 €, €16, 16 EUR, € 16.00, 1 minuti")
    assert (
        len(
            wrong_forms(
                "Lunedì 7 Dicembre 2026, 7/12/2026, 16,00 €, €16, 16 EUR, € 16.00, 1 minuti"
            )
        )
        == 8
    )
    assert (
        wrong_forms("lunedì 7 dicembre 2026, 13:56 · 07/12/2026 · € 1.234,50 · dopo 1 minuto") == []
    )
