"""Citizen forms: errors added after validation are tied to their field with the id of the
message; the error summary lists every error with a link to its field; the browser fills in the
person's own data (autocomplete tokens) but not in forms a clerk fills for someone else."""

from __future__ import annotations

from sportello.accounts.forms import ContactsForm, OnlineRequestForm
from sportello.alerts.forms import CodeForm, PaperSubscriptionForm, SubscriptionForm


def test_an_error_added_by_the_view_is_tied_to_its_field() -> None:
    form = CodeForm({"code": "123456"})
    assert form.is_valid()
    form.add_error("code", "Il codice non è giusto.")
    widget = form["code"].as_widget()
    assert 'aria-describedby="id_code-error"' in widget
    assert 'aria-invalid="true"' in widget
    assert "id_code_error" not in widget


def test_the_code_field_has_the_focus_on_arrival() -> None:
    assert "autofocus" in CodeForm()["code"].as_widget()


def test_the_error_summary_lists_every_error_with_its_field() -> None:
    form = OnlineRequestForm({"first_name": "", "last_name": "", "email": "nope"})
    assert not form.is_valid()
    targets = [target for target, _label, _message in form.error_summary()]
    assert targets[:4] == ["id_codice_fiscale", "id_first_name", "id_last_name", "id_email"]


def test_autocomplete_tokens_on_the_persons_own_data() -> None:
    request = OnlineRequestForm()
    assert 'autocomplete="given-name"' in request["first_name"].as_widget()
    assert 'autocomplete="family-name"' in request["last_name"].as_widget()
    assert 'autocomplete="email"' in request["email"].as_widget()
    assert 'autocomplete="tel"' in request["phone"].as_widget()
    contacts = ContactsForm()
    assert 'autocomplete="tel"' in contacts["phone"].as_widget()
    subscription = SubscriptionForm()
    assert 'autocomplete="address-line2"' in subscription["address_detail"].as_widget()
    # A clerk copying a paper form: the browser must not offer the clerk's own data.
    paper = PaperSubscriptionForm()
    for name in ("first_name", "email", "mobile"):
        assert 'autocomplete="off"' in paper[name].as_widget(), name
