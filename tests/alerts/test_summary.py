"""Summary before confirming (Modello Comuni): the subscription form leads to a page that shows
what will be registered and how the person will be warned; nothing is recorded and nobody is
called until «Conferma»; «Modifica» goes back to the form as it was filled."""

from __future__ import annotations

import re

from django.test import Client

from sportello.alerts.models import Subscription
from sportello.channels.models import Delivery
from tests.alerts.helpers import MOBILE, form


def _filled(town, **overrides) -> dict[str, str]:
    fields = form(town, **overrides)
    del fields["conferma"]
    return fields


def _hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))


def test_the_summary_shows_what_will_be_registered_and_records_nothing(town) -> None:
    response = Client().post(
        "/allerta/iscrizione/",
        _filled(
            town, landline="0586 123456", deaf="on", fax="0586 654321", address_detail="int. 3"
        ),
    )
    page = response.content.decode()

    assert response.status_code == 200
    assert "Riepilogo dell'iscrizione" in page
    summary = page[page.index('data-element="service-summary"') :]
    for shown in (
        "Maria Bianchi",
        f"{town.street.full_name} {town.label}, int. 3",
        "+39 333 123 4567 (cellulare)",
        "+39 0586 123456 (fisso)",
        "+39 0586 654321 (fax)",
        "maria@example.it",
        "una chiamata vocale al cellulare +39 333 123 4567",
        "un fax al +39 0586 654321",
        "un&#x27;e-mail a maria@example.it",
    ):
        assert shown in summary, shown
    assert ">Conferma</button>" in page and ">Modifica</button>" in page
    assert not Subscription.objects.exists()
    assert not Delivery.objects.filter(to=MOBILE).exists()


def test_confirm_from_the_summary_registers_and_calls(
    town, django_capture_on_commit_callbacks
) -> None:
    client = Client()
    page = client.post("/allerta/iscrizione/", _filled(town)).content.decode()
    hidden = _hidden(page)
    assert hidden["civic_number_id"] == str(town.pk)  # the address as shown, not looked up again

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/allerta/iscrizione/", {**hidden, "conferma": "1"})

    assert response.status_code == 302 and response["Location"] == "/allerta/iscrizione/verifica/"
    assert Subscription.objects.get().civic_number == town
    assert Delivery.objects.filter(to=MOBILE, purpose="verification").count() == 1


def test_modifica_goes_back_to_the_form_as_it_was_filled(town) -> None:
    client = Client()
    hidden = _hidden(
        client.post("/allerta/iscrizione/", _filled(town, first_name="Mariella")).content.decode()
    )

    page = client.post("/allerta/iscrizione/", {**hidden, "modifica": "1"}).content.decode()

    assert "<h1>Iscriviti all'allerta</h1>" in page and "Riepilogo dell'iscrizione" not in page
    assert 'value="Mariella"' in page and 'value="maria@example.it"' in page
    assert f'value="{town.street.full_name} {town.label}"' in page
    assert "invalid-feedback" not in page  # nothing to correct yet
    assert not Subscription.objects.exists()
