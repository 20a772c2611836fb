"""The rating at the end of a service: stars, then what went well or badly, anonymous; the
page carries the names AgID's validator looks for."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from sportello.core.models import ServiceFeedback

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_low_rating_asks_what_went_badly_and_keeps_the_answer() -> None:
    client = Client()
    step = client.post("/valutazione/", {"service": "payments", "rating": "2"})
    page = text(step)
    assert 'data-element="feedback-rating-negative"' in page
    assert "Dove hai incontrato le maggiori difficoltà?" in page
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    done = client.post(
        "/valutazione/", {"token": token, "aspect": "slow", "comment": "  troppi   passaggi "}
    )
    assert "Grazie per la tua valutazione" in text(done)
    feedback = ServiceFeedback.objects.get()
    assert (feedback.service, feedback.rating, feedback.aspect) == ("payments", 2, "slow")
    assert feedback.comment == "troppi passaggi"
    # The same token cannot rewrite the answer.
    again = client.post("/valutazione/", {"token": token, "aspect": "hard", "comment": "altro"})
    assert again.status_code == 400
    feedback.refresh_from_db()
    assert feedback.aspect == "slow"


def test_a_high_rating_asks_what_went_well() -> None:
    page = text(Client().post("/valutazione/", {"service": "payments", "rating": "5"}))
    assert 'data-element="feedback-rating-positive"' in page
    assert 'data-element="feedback-input-text"' in page
    assert page.count('data-element="feedback-rating-answer"') == 4


def test_a_rating_out_of_range_or_a_forged_token_changes_nothing() -> None:
    client = Client()
    assert client.post("/valutazione/", {"service": "payments", "rating": "9"}).status_code == 400
    assert client.post("/valutazione/", {"token": "forged", "aspect": "slow"}).status_code == 400
    assert not ServiceFeedback.objects.exists()


def test_operators_see_the_counts_by_service_and_stars(admin_client) -> None:
    for service, rating in [("certificates", 5), ("certificates", 3), ("alerts", 4)]:
        Client().post("/valutazione/", {"service": service, "rating": str(rating)})
    from sportello.core.feedback import feedback_counts

    counts = {row["service"]: row for row in feedback_counts()}
    assert counts["certificates"]["total"] == 2
    assert counts["certificates"]["average"] == 4
    assert counts["certificates"]["by_stars"] == [0, 0, 1, 0, 1]
    page = text(admin_client.get("/backoffice/core/servicefeedback/"))
    assert "Valutazioni per servizio" in page
    assert '<th scope="row">certificates</th><td>2</td><td>4,0</td>' in page
