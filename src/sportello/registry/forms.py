"""Citizens' forms of the anagrafe: reporting an error in one's registry data."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sportello.core.forms import AccessibleFormMixin
from sportello.registry.models import CorrectionTopic
from sportello.registry.services.corrections import CORRECTION_TEXT_MAX


class CorrectionRequestForm(AccessibleFormMixin, forms.Form):
    topic = forms.ChoiceField(
        label=_("Quale dato è sbagliato"),
        choices=[("", _("Scegli…")), *CorrectionTopic.choices],
        error_messages={"required": _("Scegli quale dato è sbagliato.")},
    )
    text = forms.CharField(
        label=_("Che cosa è sbagliato e qual è il dato giusto"),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": CORRECTION_TEXT_MAX}),
        strip=True,
        help_text=_(
            "Per esempio: «Il mio secondo nome è Maria, non Marta». Non scrivere password o "
            "dati di altre persone che non fanno parte della tua famiglia."
        ),
        error_messages={"required": _("Descrivi l'errore che hai trovato.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].error_messages["invalid_choice"] = _("Scegli un dato dall'elenco.")
