"""The area form of the alert console: the drawn shapes (a hidden GeoJSON kept by the map), the
streets chosen so far, and the inputs that add to them without the map (pasted coordinates or
GeoJSON, an uploaded file, a street with a range of numbers)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sportello.core.forms import AccessibleFormMixin
from sportello.places.areas.geojson import features_from_text, geojson_load
from sportello.places.areas.spec import EMPTY_COLLECTION, MAX_UPLOAD_BYTES, Parity
from sportello.places.models import Street
from sportello.places.normalize import fold
from sportello.places.selectors import AddressMatch, address_search


class AreaForm(AccessibleFormMixin, forms.Form):
    city = forms.BooleanField(
        required=False,
        label=gettext_lazy("Tutto il Comune"),
        help_text=gettext_lazy(
            "Avvisa tutti gli iscritti e i contatti del Comune: zone e strade sotto non contano."
        ),
    )
    features = forms.CharField(required=False, widget=forms.HiddenInput)
    streets = forms.CharField(required=False, widget=forms.HiddenInput)
    pasted = forms.CharField(
        required=False,
        max_length=MAX_UPLOAD_BYTES,
        label=gettext_lazy("Coordinate o GeoJSON"),
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "Un punto per riga, «latitudine, longitudine» (es. 43.5512, 10.3105): il poligono "
            "passa per i punti e si chiude tornando al primo. Una riga vuota separa due "
            "poligoni. Per un cerchio, una riga sola con il raggio in metri: "
            "«43.5512, 10.3105, 500». Oppure incolla un GeoJSON."
        ),
    )
    upload = forms.FileField(
        required=False,
        label=gettext_lazy("File GeoJSON"),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json"}),
        help_text=gettext_lazy(
            "Poligoni o multipoligoni (FeatureCollection, Feature o geometria), al massimo 2 MB."
        ),
    )
    street = forms.CharField(
        required=False,
        max_length=200,
        label=gettext_lazy("Strada"),
        help_text=gettext_lazy("Scrivi il nome e scegli tra i suggerimenti, es. «Via Grande»."),
    )
    street_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    number_from = forms.IntegerField(
        required=False, min_value=1, label=gettext_lazy("Dal numero civico")
    )
    number_to = forms.IntegerField(required=False, min_value=1, label=gettext_lazy("Al numero"))
    parity = forms.ChoiceField(
        required=False,
        choices=Parity.choices,
        initial=Parity.ALL,
        label=gettext_lazy("Quali numeri"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.street_candidates: list[AddressMatch] = []
        self.fields["street"].widget.attrs.update(
            {"autocomplete": "off", "data-address-search": "/stradario/cerca/"}
        )

    def clean_features(self) -> dict[str, Any]:
        text = self.cleaned_data["features"].strip()
        if not text:
            return dict(EMPTY_COLLECTION)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationError(
                _("Il disegno sulla mappa non si legge: ricarica la pagina e ridisegna l'area.")
            ) from error
        if not isinstance(data, dict) or not isinstance(data.get("features"), list):
            raise ValidationError(
                _("Il disegno sulla mappa non si legge: ricarica la pagina e ridisegna l'area.")
            )
        return data

    def clean_streets(self) -> list[Any]:
        text = self.cleaned_data["streets"].strip()
        if not text:
            return []
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            data = None
        if not isinstance(data, list):
            raise ValidationError(_("L'elenco delle strade non si legge: ricarica la pagina."))
        return data

    def clean_pasted(self) -> dict[str, Any] | None:
        text = self.cleaned_data["pasted"].strip()
        return features_from_text(text) if text else None

    def clean_upload(self) -> dict[str, Any] | None:
        upload = self.cleaned_data.get("upload")
        if not upload:
            return None
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("Il file è troppo grande: al massimo 2 MB. Semplifica le aree o dividile.")
            )
        return geojson_load(upload.read())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        low, high = data.get("number_from"), data.get("number_to")
        if low is not None and high is not None and low > high:
            self.add_error(
                "number_to", _("Il secondo numero deve essere uguale o maggiore del primo.")
            )
        return data

    def street_entry(self) -> dict[str, Any] | None:
        """The street to add, {"street": id, "from", "to", "parity"}; None when no street was
        typed. Several matching streets leave `street_candidates` to choose from."""
        data = self.cleaned_data
        street_id = data.get("street_id")
        typed = data.get("street", "").strip()
        if street_id is None and not typed:
            if data.get("number_from") or data.get("number_to"):
                self.add_error("street", _("Scrivi la strada dei numeri civici."))
            return None
        street = Street.objects.filter(pk=street_id).first() if street_id else None
        if street is None:
            street = self._street_resolve(typed)
        if street is None:
            return None
        return {
            "street": street.pk,
            "from": data.get("number_from"),
            "to": data.get("number_to"),
            "parity": data.get("parity") or Parity.ALL,
        }

    def _street_resolve(self, typed: str) -> Street | None:
        matches = address_search(query=typed, limit=10)
        by_street: dict[int, AddressMatch] = {}
        for match in matches:
            by_street.setdefault(match.street_id, match)
        exact = [m for m in by_street.values() if fold(m.street) == fold(typed)]
        if len(exact) == 1 or len(by_street) == 1:
            chosen = exact[0] if len(exact) == 1 else next(iter(by_street.values()))
            return Street.objects.filter(pk=chosen.street_id).first()
        if not by_street:
            self.add_error(
                "street",
                _("Nessuna strada dello stradario si chiama «%(typed)s»: controlla il nome.")
                % {"typed": typed},
            )
            return None
        self.street_candidates = list(by_street.values())
        self.add_error("street", _("Più strade corrispondono: scegli quale qui sotto."))
        return None
