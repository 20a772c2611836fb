"""The operators' upload of a CAP message received from another authority."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sportello.alerts.cap.reading import MAX_CAP_BYTES
from sportello.core.forms import AccessibleFormMixin


class CapUploadForm(AccessibleFormMixin, forms.Form):
    message = forms.FileField(
        label=gettext_lazy("Messaggio CAP (file XML)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,.cap,application/cap+xml,text/xml"}),
        help_text=gettext_lazy(
            "Il file CAP 1.2 ricevuto dall'ente (Regione, Dipartimento della protezione civile), "
            "al massimo 1 MB. Diventa una bozza: niente viene inviato."
        ),
    )

    def clean_message(self) -> bytes:
        upload: UploadedFile = self.cleaned_data["message"]
        if upload.size is not None and upload.size > MAX_CAP_BYTES:
            raise forms.ValidationError(
                _(
                    "Il file è troppo grande: un messaggio CAP sta in 1 MB. Controlla di aver "
                    "scelto il file giusto."
                )
            )
        content = upload.read(MAX_CAP_BYTES + 1)
        if len(content) > MAX_CAP_BYTES:
            raise forms.ValidationError(_("Il file è troppo grande: un messaggio CAP sta in 1 MB."))
        # Told by content, not by name: XML starts with «<» (after a byte-order mark and blanks).
        start = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if start != b"<":
            raise forms.ValidationError(
                _(
                    "Il file non è XML: un messaggio CAP è un file XML che inizia con «<». "
                    "Scegli il file .xml ricevuto dall'ente."
                )
            )
        return content
