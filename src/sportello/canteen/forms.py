"""Forms of the canteen pages: the parent's enrolment steps, top-up and absence, and the school
office's filters and actions. They check shape only; the rules live in the services."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sportello.canteen.models import (
    DietKind,
    DietOption,
    EnrolmentStatus,
    MovementKind,
    SchoolClass,
)

OTHER = "altro"
THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


def amount_normalise(text: str) -> str:
    """«12.500,50», «12500,50», «12500.50» and «12.500» all as «12500.50» / «12500»."""
    text = text.strip().replace("€", "").replace(" ", "")
    if "," in text:
        return text.replace(".", "").replace(",", ".")
    if THOUSANDS.match(text):
        return text.replace(".", "")
    return text


class ChildForm(forms.Form):
    """Step 1: which child — one of the family's minors, or one not resident here."""

    child = forms.ChoiceField(label=_("Chi vuoi iscrivere?"), widget=forms.RadioSelect)
    fiscal_code = forms.CharField(
        label=_("Codice fiscale del bambino"), required=False, max_length=16
    )
    first_name = forms.CharField(label=_("Nome"), required=False, max_length=100)
    last_name = forms.CharField(label=_("Cognome"), required=False, max_length=100)
    birth_date = forms.DateField(
        label=_("Data di nascita"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Scrivi la data di nascita nella forma gg/mm/aaaa.")},
    )

    def __init__(self, *args, minors=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["child"].choices = [
            (
                str(person.pk),
                f"{person.first_name} {person.last_name} ({person.birth_date:%d/%m/%Y})",
            )
            for person in minors
        ] + [(OTHER, _("Un figlio che non risiede nel Comune (inserisci i suoi dati)"))]

    def clean(self):
        data = super().clean()
        if data.get("child") == OTHER and not data.get("fiscal_code"):
            self.add_error("fiscal_code", _("Scrivi il codice fiscale del bambino."))
        return data


class EnrolmentForm(forms.Form):
    """Step 2: school and class, diet, ISEE, the rules (a draft may be saved incomplete)."""

    school_class = forms.ModelChoiceField(
        label=_("Scuola e classe"),
        queryset=SchoolClass.objects.select_related("school"),
        required=False,
        empty_label=_("Scegli la scuola e la classe"),
    )
    diet_kind = forms.ChoiceField(
        label=_("Dieta"), choices=DietKind.choices, widget=forms.RadioSelect, initial=DietKind.NONE
    )
    diet_option = forms.ModelChoiceField(
        label=_("Dieta etica o religiosa"),
        queryset=DietOption.objects.filter(active=True),
        required=False,
        empty_label=_("Scegli la dieta"),
    )
    diet_notes = forms.CharField(
        label=_("Indicazioni del medico (allergie, intolleranze)"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300, "class": "form-control"}),
    )
    diet_certificate = forms.FileField(
        label=_("Certificato medico (PDF o JPEG, al massimo 5 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg"}),
    )
    no_isee = forms.BooleanField(
        label=_("Non presento l'ISEE (si applica la tariffa massima)"), required=False
    )
    isee_value = forms.CharField(
        label=_("Valore ISEE in euro"),
        required=False,
        max_length=14,
        help_text=_("Come nell'attestazione, per esempio 12500,00."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    dsu_protocol = forms.CharField(
        label=_("Numero di protocollo della DSU"),
        required=False,
        max_length=40,
        help_text=_("Per esempio INPS-ISEE-2026-00012345A-00."),
    )
    rules_accepted = forms.BooleanField(
        label=_("Ho letto e accetto il regolamento del servizio di refezione scolastica"),
        required=False,
    )

    def clean_isee_value(self) -> Decimal | None:
        text = amount_normalise(self.cleaned_data.get("isee_value") or "")
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(
                _("Il valore ISEE deve essere un numero, per esempio 12500,00.")
            ) from None
        if not value.is_finite():
            raise forms.ValidationError(_("Il valore ISEE deve essere un numero."))
        if value < 0:
            raise forms.ValidationError(_("Il valore ISEE non può essere negativo."))
        if value != value.quantize(Decimal("0.01")) or value >= Decimal("100000000"):
            raise forms.ValidationError(_("Il valore ISEE ha al massimo due decimali."))
        return value


class ConfirmForm(forms.Form):
    pass


class TopUpForm(forms.Form):
    amount = forms.CharField(
        label=_("Importo della ricarica in euro"),
        max_length=10,
        help_text=_("Almeno 5 euro; per esempio 20 o 35,50."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def clean_amount(self) -> str:
        return amount_normalise(self.cleaned_data["amount"])


class AbsenceForm(forms.Form):
    day = forms.DateField(
        label=_("Giorno di assenza"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Scrivi il giorno nella forma gg/mm/aaaa.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["day"].initial = timezone.localdate()


class OfficeFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Stato"),
        required=False,
        choices=[("", _("tutte"))]
        + [choice for choice in EnrolmentStatus.choices if choice[0] != EnrolmentStatus.DRAFT],
    )
    search = forms.CharField(
        label=_("Cognome, codice fiscale o protocollo"), required=False, max_length=40
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo del rifiuto (lo legge la famiglia)"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300, "class": "form-control"}),
    )


class DayForm(forms.Form):
    day = forms.DateField(
        label=_("Giorno"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Scrivi il giorno nella forma gg/mm/aaaa.")},
    )


class OfficeAbsenceForm(DayForm):
    protocol = forms.CharField(label=_("Protocollo dell'iscrizione"), max_length=30)


class MovementForm(forms.Form):
    """A refund or a correction of a child's credit by the office."""

    kind = forms.ChoiceField(
        label=_("Tipo"),
        choices=[
            (MovementKind.REFUND, _("Rimborso (accredito)")),
            (MovementKind.CORRECTION, _("Correzione (in più o in meno)")),
        ],
    )
    amount = forms.DecimalField(
        label=_("Importo in euro (negativo per togliere)"),
        max_digits=8,
        decimal_places=2,
        localize=True,
        error_messages={"invalid": _("Scrivi un importo in euro, per esempio 3,60 o -3,60.")},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    note = forms.CharField(label=_("Motivo (lo legge la famiglia)"), max_length=200)

    def clean_amount(self) -> int:
        return int(self.cleaned_data["amount"] * 100)
