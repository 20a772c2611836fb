"""Forms of citizen identity. Error messages say what to do next, in plain Italian."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from sportello.accounts.models import IdentityDocument, RequestStatus
from sportello.accounts.services import REVOCATION_CHANNELS_FOR_OPERATORS
from sportello.core.exceptions import ApplicationError
from sportello.core.forms import AccessibleFormMixin
from sportello.core.models import Office
from sportello.registry.codice_fiscale import codice_fiscale_validate


def _locked_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


class LoginForm(AccessibleFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Nome utente o password non corretti. Controlla maiuscole e minuscole. Dopo "
            "%(limit)d tentativi sbagliati l'accesso viene bloccato per %(minutes)d minuti."
        ),
        "inactive": _("Questa utenza non è attiva. Rivolgiti a uno sportello del Comune."),
        "expired": _(
            "La password temporanea è scaduta il %(date)s. Chiedi nuove credenziali a uno "
            "sportello del Comune: ricordati un documento di riconoscimento."
        ),
    }

    def get_invalid_login_error(self) -> ValidationError:
        return ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={"limit": settings.AXES_FAILURE_LIMIT, "minutes": _locked_minutes()},
        )

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if user.temporary_password_expired():
            raise ValidationError(
                self.error_messages["expired"],
                code="expired",
                params={
                    "date": formats.date_format(
                        timezone.localtime(user.password_expires_at), "DATETIME_FORMAT"
                    )
                },
            )


class OtpTokenForm(AccessibleFormMixin, forms.Form):
    token = forms.CharField(
        label=_("Codice a 6 cifre dell'app di autenticazione"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise ValidationError(_("Il codice è fatto di 6 cifre."))
        return token


class ChangePasswordForm(AccessibleFormMixin, PasswordChangeForm):
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": _(
            "La password attuale non è corretta. Al primo accesso è quella temporanea "
            "stampata sulla lettera."
        ),
    }


class ContactsForm(AccessibleFormMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Telefono"), max_length=20, required=False)


def codice_fiscale_field() -> forms.CharField:
    return forms.CharField(
        label=_("Codice fiscale"),
        max_length=16,
        min_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "off", "style": "text-transform:uppercase"}),
    )


def _clean_codice_fiscale(value: str) -> str:
    try:
        return codice_fiscale_validate(codice_fiscale=value)
    except ApplicationError as exc:
        raise ValidationError(capfirst(exc.message) + ".") from None


class OnlineRequestForm(AccessibleFormMixin, forms.Form):
    codice_fiscale = codice_fiscale_field()
    first_name = forms.CharField(label=_("Nome"), max_length=100)
    last_name = forms.CharField(label=_("Cognome"), max_length=100)
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("Ti scriviamo qui per dirti come ritirare le credenziali.")
    )
    phone = forms.CharField(label=_("Telefono (facoltativo)"), max_length=20, required=False)
    privacy = forms.BooleanField(
        label=_("Ho letto l'informativa sul trattamento dei dati personali.")
    )

    def clean_codice_fiscale(self) -> str:
        return _clean_codice_fiscale(self.cleaned_data["codice_fiscale"])


class PersonSearchForm(AccessibleFormMixin, forms.Form):
    q = forms.CharField(label=_("Codice fiscale o cognome e nome"), max_length=120, min_length=2)


class IssueForm(AccessibleFormMixin, forms.Form):
    document_type = forms.ChoiceField(
        label=_("Documento di riconoscimento esibito"),
        choices=[("", _("Scegli il documento")), *IdentityDocument.choices],
    )
    document_number = forms.CharField(label=_("Numero del documento"), max_length=30)
    document_issuer = forms.CharField(
        label=_("Rilasciato da"), max_length=120, help_text=_("Es. «Comune di Livorno»")
    )
    document_expiry = forms.DateField(
        label=_("Scadenza del documento"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    office = forms.ModelChoiceField(
        label=_("Sportello"),
        queryset=Office.objects.none(),
        required=False,
        empty_label=_("Scegli lo sportello"),
    )

    def __init__(self, *args, by_pec: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = Office.objects.filter(issues_credentials=True)
        if by_pec:  # checked on the copy attached to the PEC; nothing is handed over
            self.fields["document_type"].label = _("Documento di riconoscimento allegato")
            del self.fields["office"]

    def clean_document_expiry(self):
        expiry = self.cleaned_data["document_expiry"]
        if expiry < timezone.localdate():
            raise ValidationError(_("Il documento è scaduto: serve un documento valido."))
        return expiry


class OperatorRevokeForm(AccessibleFormMixin, forms.Form):
    channel = forms.ChoiceField(
        label=_("Come è arrivata la segnalazione"), choices=REVOCATION_CHANNELS_FOR_OPERATORS
    )
    report = forms.CharField(
        label=_("Segnalazione"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Cosa è successo, chi ha segnalato, numero di protocollo del fax o dell'e-mail."
        ),
    )


class CloseRequestForm(AccessibleFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Esito"),
        choices=[
            (RequestStatus.REJECTED, _("Respingi la richiesta (il cittadino riceve il motivo)")),
            (RequestStatus.ARCHIVED, _("Archivia: non è una richiesta di credenziali")),
        ],
    )
    outcome = forms.CharField(
        label=_("Motivo"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
