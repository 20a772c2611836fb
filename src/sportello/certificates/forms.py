"""Forms of the certificates service: the request, the self-declaration, the public checks."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from sportello.certificates.kinds import CertificateKind
from sportello.certificates.stamp_duty import EXEMPTIONS, stamp_duty_amount
from sportello.core.forms import AccessibleFormMixin
from sportello.core.money import euro_text


class CertificateRequestForm(AccessibleFormMixin, forms.Form):
    # Every kind is accepted here and the page offers only those that apply: the service refuses
    # the others with a message that says why (a crafted request gets the same answer).
    kind = forms.ChoiceField(
        label=_("Certificato"),
        choices=CertificateKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Scegli il certificato che ti serve.")},
    )
    use = forms.CharField(
        label=_("Uso"),
        max_length=150,
        help_text=_(
            "A cosa ti serve il certificato, come verrà scritto sul documento: per esempio "
            "«pratica di mutuo», «uso pensione», «iscrizione all'asilo nido»."
        ),
        error_messages={"required": _("Scrivi per quale uso ti serve il certificato.")},
    )
    exemption = forms.ChoiceField(
        label=_("Imposta di bollo"),
        required=False,
        help_text=_(
            "Il certificato è esente dal bollo solo per gli usi previsti dalla legge: se scegli "
            "un'esenzione, usalo solo per quello. I certificati di nascita, matrimonio e unione "
            "civile sono sempre esenti."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        pay = _("Nessuna esenzione: pago il bollo di %(amount)s") % {
            "amount": euro_text(stamp_duty_amount())
        }
        self.fields["exemption"].choices = [
            ("", pay),
            *[(item.code, f"{item.label} ({item.reference})") for item in EXEMPTIONS],
        ]


class StampReceiptForm(AccessibleFormMixin, forms.Form):
    """On the summary of a request with bollo: where pagoPA sends the receipt."""

    prefix = "ricevuta"

    email = forms.EmailField(
        label=_("E-mail a cui mandare la ricevuta"),
        required=False,
        help_text=_(
            "pagoPA ti manda qui la ricevuta; il Comune la conferma allo stesso indirizzo."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class SelfDeclarationForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Dichiarazione"),
        choices=CertificateKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Scegli che cosa vuoi dichiarare.")},
    )


class VerifyCodeForm(AccessibleFormMixin, forms.Form):
    # No length limit here: a code too long is "not found", like any other wrong code.
    code = forms.CharField(
        label=_("Codice del certificato"),
        widget=forms.TextInput(attrs={"maxlength": 40, "autocomplete": "off"}),
        help_text=_("Lo trovi in fondo al certificato, per esempio 7KQ2-M9XD-4RTB."),
        error_messages={"required": _("Scrivi il codice stampato sul certificato.")},
    )


class VerifyDocumentForm(AccessibleFormMixin, forms.Form):
    document = forms.FileField(
        label=_("Il certificato in PDF"),
        help_text=_("Il file PDF ricevuto, così com'è (al massimo %(size)s)."),
        error_messages={"required": _("Scegli il file PDF del certificato.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        limit = settings.SPORTELLO_CERTIFICATE_UPLOAD_MAX_BYTES
        field = self.fields["document"]
        field.help_text = field.help_text % {"size": filesizeformat(limit)}
        field.widget.attrs["accept"] = "application/pdf,.pdf"

    def clean_document(self):
        document = self.cleaned_data["document"]
        limit = settings.SPORTELLO_CERTIFICATE_UPLOAD_MAX_BYTES
        if document.size > limit:
            raise forms.ValidationError(
                _("Il file è troppo grande: al massimo %(size)s.") % {"size": filesizeformat(limit)}
            )
        document.seek(0)
        if not document.read(5).startswith(b"%PDF-"):
            raise forms.ValidationError(_("Il file non è un PDF: carica il certificato in PDF."))
        document.seek(0)
        return document
