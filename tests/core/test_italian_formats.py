"""Dates the Italian way, one short form everywhere (07/12/2026), and «dopo 1 minuto»."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
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
