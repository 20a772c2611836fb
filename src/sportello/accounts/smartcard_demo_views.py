"""The demo's smart-card page (like the phone simulator): choose a person and a card, and log in
as the smart-card login would after nginx has read the card. 404 unless
SPORTELLO_SMARTCARD_SIMULATOR is on; never in production."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from sportello.accounts.models import LoginMethod
from sportello.accounts.smartcard import SmartcardError, certificate_identity
from sportello.accounts.smartcard_demo import CardKind, demo_card_certificate
from sportello.accounts.spid.demo_idp import demo_identities
from sportello.accounts.views import smartcard_sign_in
from sportello.core.access import public
from sportello.core.forms import AccessibleFormMixin
from sportello.core.services import audit_record


class DemoCardForm(AccessibleFormMixin, forms.Form):
    holder = forms.ChoiceField(label=_("Di chi è la carta"), widget=forms.RadioSelect)
    kind = forms.ChoiceField(
        label=_("Quale carta"), choices=CardKind.choices, initial=CardKind.CNS,
        widget=forms.RadioSelect,
    )  # fmt: skip

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.people = {person.codice_fiscale: person for person in people}
        self.fields["holder"].choices = [
            (person.codice_fiscale, f"{person.first_name} {person.last_name} — {person.note}")
            for person in people
        ]


def _simulator_on() -> None:
    if not settings.SPORTELLO_SMARTCARD_SIMULATOR or settings.SPORTELLO_ENV == "production":
        raise Http404


@public
@never_cache
def demo_card(request: HttpRequest) -> HttpResponse:
    _simulator_on()
    form = DemoCardForm(request.POST or None, people=demo_identities())
    if request.method == "POST" and form.is_valid():
        person = form.people[form.cleaned_data["holder"]]
        certificate = demo_card_certificate(
            kind=form.cleaned_data["kind"],
            codice_fiscale=person.codice_fiscale,
            first_name=person.first_name,
            last_name=person.last_name,
        )
        try:
            identity = certificate_identity(certificate=certificate)
        except SmartcardError as error:
            audit_record(
                action="smartcard_refused",
                request=request,
                channel=LoginMethod.SMARTCARD,
                detail={"reason": str(error.message), "simulated": True},
            )
            return render(
                request, "accounts/smartcard_error.html", {"message": error.message}, status=403
            )
        return smartcard_sign_in(request, identity=identity)
    return render(
        request,
        "accounts/smartcard_demo.html",
        {"form": form, "next": request.GET.get("next", "")},
        status=400 if form.errors else 200,
    )
