"""Forms of the payment pages: the cart's summary, and the operators' filters and actions."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sportello.payments.hooks import payment_services
from sportello.payments.models import PaymentOption, PositionStatus


class CartConfirmForm(forms.Form):
    option = forms.TypedMultipleChoiceField(coerce=int, widget=forms.MultipleHiddenInput)
    email = forms.EmailField(
        label=_("E-mail a cui mandare la ricevuta"),
        required=False,
        help_text=_(
            "pagoPA ti manda qui la ricevuta; il Comune la conferma allo stesso indirizzo."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, option_ids: list[int] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(pk, pk) for pk in (option_ids or [])]
        if self.data:
            choices = [(value, value) for value in self.data.getlist("option")]
        self.fields["option"].choices = choices


class PositionFilterForm(forms.Form):
    service = forms.ChoiceField(label=_("Servizio"), required=False)
    status = forms.ChoiceField(
        label=_("Stato"),
        required=False,
        choices=[("", _("tutti"))] + list(PositionStatus.choices),
    )
    debtor = forms.CharField(
        label=_("Debitore (codice fiscale o nome)"), required=False, max_length=70
    )
    created_from = forms.DateField(
        label=_("Creata dal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Creata fino al"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("tutti"))] + [
            (service.key, service.label) for service in payment_services()
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            raise forms.ValidationError(_("La data iniziale viene dopo quella finale."))
        return data


class InvalidateForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo dell'annullamento"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Resta nel registro e si vede nella posizione."),
    )


class OfflinePaymentForm(forms.Form):
    option = forms.ModelChoiceField(label=_("Avviso pagato"), queryset=PaymentOption.objects.none())
    paid_on = forms.DateField(
        label=_("Data del pagamento"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(
        label=_("Dove e come è stato pagato"),
        max_length=300,
        help_text=_("Per esempio: «sportello URP, quietanza n. 123» o «bonifico, CRO 456»."),
    )

    def __init__(self, *args, options=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["option"].queryset = (
            options if options is not None else PaymentOption.objects.none()
        )
        self.fields["option"].label_from_instance = lambda option: (
            f"{option.notice_number_display} — {option.description}"
        )
        self.fields["paid_on"].initial = timezone.localdate()


class AnomalyResolveForm(forms.Form):
    note = forms.CharField(
        label=_("Che cosa è stato fatto"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Per esempio: «rimborsato con bonifico del 10/12» o «doppio invio, nessuna azione»."
        ),
    )
