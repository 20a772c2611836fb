"""Input checks for the stradario endpoints."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sportello.places.selectors import MAX_LIMIT


class AddressSearchForm(forms.Form):
    q = forms.CharField(
        strip=True,
        min_length=2,
        max_length=200,
        error_messages={
            "required": _("Scrivi almeno 2 caratteri dell'indirizzo."),
            "min_length": _("Scrivi almeno 2 caratteri dell'indirizzo."),
            "max_length": _("L'indirizzo è troppo lungo."),
        },
    )
    limit = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_LIMIT,
        error_messages={
            "invalid": _("Il numero di risultati deve essere un numero intero."),
            "min_value": _("Chiedi almeno un risultato."),
            "max_value": _("Si possono chiedere al massimo %(limit_value)s risultati."),
        },
    )
