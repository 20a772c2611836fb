"""The subscription form: who, which numbers (of the right kind), where, how to be warned."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sportello.alerts.models import AlertLanguage
from sportello.channels.phones import phone_e164, phone_kind, phone_refusal, phone_written_well
from sportello.core.forms import AccessibleFormMixin
from sportello.places.selectors import (
    address_geocode,
    civic_number_get,
    street_civic_numbers_near,
)


def _phone(value: str, *, kind: str | None, label: str, to_call: bool = True) -> str:
    """The number in E.164, if the system may call it (`to_call`) and it is of `kind`."""
    if not phone_written_well(value):
        raise ValidationError(
            _("%(label)s: scrivi il numero solo con cifre, senza lettere.") % {"label": label}
        )
    number = phone_e164(value)
    if number is None:
        raise ValidationError(
            _("%(label)s: il numero non sembra valido. Scrivilo con il prefisso, es. 333 123 4567.")
            % {"label": label}
        )
    refusal = phone_refusal(number) if to_call else None
    if refusal:
        raise ValidationError(refusal)
    if kind == "mobile" and phone_kind(number) != "mobile":
        raise ValidationError(
            _("Questo non è un numero di cellulare: scrivilo nel campo del fisso.")
        )
    if kind == "landline" and phone_kind(number) != "landline":
        raise ValidationError(_("Questo non è un numero fisso: il cellulare va nel suo campo."))
    return number


class SubscriptionForm(AccessibleFormMixin, forms.Form):
    first_name = forms.CharField(label=_("Nome"), max_length=100)
    last_name = forms.CharField(label=_("Cognome"), max_length=100)
    mobile = forms.CharField(
        label=_("Cellulare"),
        max_length=30,
        help_text=_("Ti chiameremo subito a questo numero per leggerti un codice di verifica."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    address = forms.CharField(
        label=_("Indirizzo di casa con numero civico"),
        max_length=200,
        help_text=_(
            "Es. «Via Grande 10». Serve per avvisarti dei pericoli proprio nella tua zona."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "data-address-search": "/stradario/cerca/"}
        ),
    )
    civic_number_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    address_detail = forms.CharField(label=_("Scala, interno"), max_length=60, required=False)
    landline = forms.CharField(
        label=_("Telefono fisso"),
        max_length=30,
        required=False,
        help_text=_("Solo se non è sull'elenco telefonico pubblico."),
    )
    language = forms.ChoiceField(label=_("Lingua degli avvisi"), choices=AlertLanguage.choices)
    deaf = forms.BooleanField(label=_("Sono una persona sorda"), required=False)
    fax = forms.CharField(label=_("Numero di fax"), max_length=30, required=False)
    sms_instead_of_voice_requested = forms.BooleanField(
        label=_("Preferisco ricevere SMS invece delle chiamate vocali"),
        required=False,
        help_text=_(
            "La richiesta è valutata dall'ufficio di protezione civile, che ti risponde per e-mail."
        ),
    )
    privacy = forms.BooleanField(
        label=_(
            "Ho letto l'informativa sul trattamento dei dati e acconsento al trattamento per "
            "ricevere gli avvisi."
        )
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.civic_number = None
        self.address_candidates = []

    def clean_mobile(self) -> str:
        return _phone(self.cleaned_data["mobile"], kind="mobile", label=_("Cellulare"))

    def clean_landline(self) -> str:
        value = self.cleaned_data["landline"].strip()
        return _phone(value, kind="landline", label=_("Telefono fisso")) if value else ""

    def clean_fax(self) -> str:
        value = self.cleaned_data["fax"].strip()
        return _phone(value, kind=None, label=_("Fax")) if value else ""

    def subscription_data(self):
        """What the services need, from a valid form (web, API or paper)."""
        from sportello.alerts.services.subscriptions import SubscriptionData

        data = self.cleaned_data
        return SubscriptionData(
            first_name=data["first_name"],
            last_name=data["last_name"],
            mobile=data["mobile"],
            email=data["email"],
            civic_number=self.civic_number,
            address_detail=data["address_detail"],
            landline=data["landline"],
            fax=data["fax"],
            language=data["language"],
            deaf=data["deaf"],
            sms_instead_of_voice_requested=data["sms_instead_of_voice_requested"],
        )

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("civic_number_id")
        if chosen:
            self.civic_number = civic_number_get(civic_number_id=chosen)
        if self.civic_number is None and cleaned.get("address"):
            result = address_geocode(text=cleaned["address"])
            if result.found:
                self.civic_number = result.civic_number
            else:
                self.address_candidates = [c for c in result.candidates if c.id][:8]
                streets = [c for c in result.candidates if c.id is None]
                if not self.address_candidates and streets:
                    # A number the street does not have: offer its nearest ones.
                    typed = re.search(r"\d+", cleaned["address"])
                    self.address_candidates = street_civic_numbers_near(
                        street_id=streets[0].street_id, number=int(typed.group()) if typed else 1
                    )
                message = result.reason or _("Indirizzo non trovato nello stradario.")
                if self.address_candidates:
                    message = _("%(reason)s Scegli il tuo indirizzo tra questi:") % {
                        "reason": message
                    }
                self.add_error("address", message)
        if cleaned.get("sms_instead_of_voice_requested") and not cleaned.get("deaf"):
            self.add_error(
                "sms_instead_of_voice_requested",
                _("Gli SMS al posto delle chiamate sono previsti per le persone sorde."),
            )
        return cleaned


class CodeForm(AccessibleFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Codice di 6 cifre che hai sentito nella chiamata"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )

    def __init__(self, *args, by_sms: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if by_sms:
            self.fields["code"].label = _("Codice di 6 cifre che hai ricevuto per SMS")

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise ValidationError(_("Il codice è fatto di 6 cifre."))
        return code


class ManageStartForm(AccessibleFormMixin, forms.Form):
    mobile = forms.CharField(
        label=_("Il cellulare con cui ti sei iscritto"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_mobile(self) -> str:
        return _phone(self.cleaned_data["mobile"], kind="mobile", label=_("Cellulare"))


class ManageForm(AccessibleFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    address = forms.CharField(label=_("Indirizzo di casa con numero civico"), max_length=200)
    address_detail = forms.CharField(label=_("Scala, interno"), max_length=60, required=False)
    landline = forms.CharField(label=_("Telefono fisso"), max_length=30, required=False)
    fax = forms.CharField(label=_("Numero di fax"), max_length=30, required=False)
    language = forms.ChoiceField(label=_("Lingua degli avvisi"), choices=AlertLanguage.choices)

    def clean_landline(self) -> str:
        value = self.cleaned_data["landline"].strip()
        return _phone(value, kind="landline", label=_("Telefono fisso")) if value else ""

    def clean_fax(self) -> str:
        value = self.cleaned_data["fax"].strip()
        return _phone(value, kind=None, label=_("Fax")) if value else ""

    def clean_address(self):
        result = address_geocode(text=self.cleaned_data["address"])
        if not result.found:
            raise ValidationError(result.reason or _("Indirizzo non trovato nello stradario."))
        self.civic_number = result.civic_number
        return self.cleaned_data["address"]


class PaperSubscriptionForm(SubscriptionForm):
    """The web form's fields, plus what the office records for a paper form. The paper form is
    for people without internet: the e-mail may be missing."""

    autocomplete_own_data = False  # the clerk types the citizen's paper form

    protocol_number = forms.CharField(label=_("Numero di protocollo del modulo"), max_length=40)
    verification = forms.ChoiceField(
        label=_("Verifica del cellulare"),
        choices=[
            ("call", _("Il sistema chiama il cittadino, che conferma premendo 1")),
            ("attestation", _("Ho verificato io il numero con il cittadino (allo sportello)")),
        ],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].required = False
        self.fields["email"].help_text = _("Se il modulo ne riporta una.")


class PaperDeregistrationForm(AccessibleFormMixin, forms.Form):
    number = forms.CharField(label=_("Numero di telefono da cancellare"), max_length=30)
    protocol_number = forms.CharField(label=_("Numero di protocollo del modulo"), max_length=40)

    def clean_number(self) -> str:
        # Any number that may be on file can be deleted, callable or not.
        return _phone(self.cleaned_data["number"], kind=None, label=_("Numero"), to_call=False)
