"""The summary before confirming (Designers Italia's Modello Comuni): a citizen service that
commits to something shows, after the form, what will be sent and what it costs, with
«Modifica» (back to the form, filled) and «Conferma». No JavaScript and nothing kept on the
server: the summary page carries the answers in hidden fields and they are checked again."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

EDIT = "modifica"
CONFIRM = "conferma"


@dataclass(frozen=True)
class SummaryRow:
    label: str
    value: str


def summary_step(request: HttpRequest) -> str:
    """Which step a POST is: «edit» (back to the form), «confirm», or «summary» (first send)."""
    if request.method != "POST":
        return "form"
    if EDIT in request.POST:
        return "edit"
    if CONFIRM in request.POST:
        return "confirm"
    return "summary"


def summary_hidden_fields(form) -> list[tuple[str, str]]:
    """The form's answers as (name, value) pairs for the summary page's hidden inputs."""
    pairs: list[tuple[str, str]] = []
    for name in form.fields:
        key = form.add_prefix(name)
        for value in form.data.getlist(key) if hasattr(form.data, "getlist") else []:
            pairs.append((key, value))
    return pairs
