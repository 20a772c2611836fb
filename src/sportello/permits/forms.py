"""Forms of the permits' pages: the application, the plate change, the public check and the
office's decision."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sportello.core.forms import AccessibleFormMixin
from sportello.permits.models import VehicleOwnership, ZoneKind

DOCUMENT_HELP = _("PDF, JPEG o PNG, al massimo 10 MB. Va bene una foto fatta con il telefono.")


class ApplicationForm(AccessibleFormMixin, forms.Form):
    permit_type = forms.TypedChoiceField(
        label=_("Permesso"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Scegli il permesso che ti serve.")},
    )
    plate = forms.CharField(
        label=_("Targa del veicolo"),
        max_length=20,
        help_text=_("Per esempio AB 123 CD. Spazi e trattini non contano."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        error_messages={"required": _("Scrivi la targa del veicolo.")},
    )
    plate_foreign = forms.BooleanField(label=_("Targa estera"), required=False)
    ownership = forms.ChoiceField(
        label=_("Il veicolo è"),
        choices=VehicleOwnership.choices,
        widget=forms.RadioSelect,
        initial=VehicleOwnership.FAMILY,
    )
    owner = forms.TypedChoiceField(
        label=_("Intestatario (persona della tua famiglia anagrafica)"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    registration_document = forms.FileField(
        label=_("Carta di circolazione (libretto)"), help_text=DOCUMENT_HELP
    )
    contract_document = forms.FileField(
        label=_("Contratto di leasing o noleggio, o dichiarazione dell'azienda"),
        required=False,
        help_text=_("Solo se il veicolo è aziendale o in leasing/noleggio. ") + DOCUMENT_HELP,
    )
    supporting_document = forms.FileField(
        label=_("Documento che dà diritto al permesso (CUDE, attestato di assistenza, visura)"),
        required=False,
        help_text=_("Solo per i permessi verificati dall'ufficio. ") + DOCUMENT_HELP,
    )

    def __init__(self, *args, permit_types=(), family=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["permit_type"].choices = [
            (item.pk, f"{item.title} — {item.zone.name}") for item in permit_types
        ]
        self.fields["owner"].choices = [("", _("scegli"))] + [
            (person.pk, f"{person.first_name} {person.last_name}") for person in family
        ]

    @property
    def rest(self) -> forms.Form:
        """The same form without its radio choices (drawn as fieldsets by the page), for the
        shared field template."""
        return _Without(self, ("permit_type", "ownership"))


class _Without:
    """A view of a bound form that leaves out some fields (for includes/form_fields.html)."""

    def __init__(self, form: forms.Form, names: tuple[str, ...]) -> None:
        self._form, self._names = form, names

    def visible_fields(self):
        return [field for field in self._form.visible_fields() if field.name not in self._names]

    def hidden_fields(self):
        return self._form.hidden_fields()

    @property
    def non_field_errors(self):
        return []  # shown once, above the choices

    @property
    def prefix(self):
        return self._form.prefix


class PlateChangeForm(AccessibleFormMixin, forms.Form):
    plate = forms.CharField(
        label=_("Nuova targa"),
        max_length=20,
        help_text=_("Per esempio AB 123 CD."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    plate_foreign = forms.BooleanField(label=_("Targa estera"), required=False)
    ownership = forms.ChoiceField(
        label=_("Il nuovo veicolo è"),
        choices=VehicleOwnership.choices,
        widget=forms.RadioSelect,
    )
    owner = forms.TypedChoiceField(
        label=_("Intestatario (persona della tua famiglia anagrafica)"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    registration_document = forms.FileField(
        label=_("Carta di circolazione del nuovo veicolo"), help_text=DOCUMENT_HELP
    )
    contract_document = forms.FileField(
        label=_("Contratto di leasing o noleggio, o dichiarazione dell'azienda"),
        required=False,
        help_text=_(
            "Solo se il nuovo veicolo è aziendale o in leasing/noleggio: l'ufficio mobilità lo "
            "verifica prima di cambiare la targa. "
        )
        + DOCUMENT_HELP,
    )

    def __init__(self, *args, family=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("scegli"))] + [
            (person.pk, f"{person.first_name} {person.last_name}") for person in family
        ]

    @property
    def rest(self) -> forms.Form:
        """The form without its radio choice (drawn as a fieldset by the page)."""
        return _Without(self, ("ownership",))


class CheckForm(AccessibleFormMixin, forms.Form):
    targa = forms.CharField(label=_("Targa"), max_length=20)
    codice = forms.CharField(
        label=_("Codice del permesso"),
        max_length=12,
        help_text=_("Stampato sul permesso, per esempio ABCD-EF23."),
    )


class DecisionForm(AccessibleFormMixin, forms.Form):
    """Accept (one button, no reason) or reject (a reason for the citizen)."""

    decision = forms.ChoiceField(
        choices=[("accept", _("Accetta")), ("reject", _("Respingi"))],
        widget=forms.HiddenInput,
        initial="reject",
    )
    reason = forms.CharField(
        label=_("Motivo del rifiuto (lo legge il cittadino)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RevokeForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Motivo della revoca"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ZoneForm(AccessibleFormMixin, forms.Form):
    code = forms.SlugField(label=_("Codice"), max_length=30, help_text=_("Es. ztl-centro."))
    name = forms.CharField(label=_("Nome"), max_length=100)
    kind = forms.ChoiceField(label=_("Tipo"), choices=ZoneKind.choices)
    hours_text = forms.CharField(
        label=_("Orari"), max_length=200, required=False, help_text=_("Es. tutti i giorni, 0-24.")
    )
    windows = forms.CharField(
        label=_("Fasce orarie delle telecamere"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_(
            "Una fascia per riga: i giorni (1 = lunedì … 7 = domenica; «1-5», «6,7») e l'orario, "
            "es. «1-6 08:00-20:00». Tutto il giorno: «1-7 00:00-24:00». Vuoto: telecamere "
            "sempre accese."
        ),
    )
    active = forms.BooleanField(label=_("Attiva"), required=False, initial=True)
    shapes = forms.CharField(
        label=_("Confini senza mappa (coordinate o GeoJSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_(
            "Un vertice per riga, «latitudine, longitudine»; una riga vuota inizia un altro "
            "poligono. Oppure incolla un GeoJSON (WGS84). Si aggiunge a quanto è disegnato "
            "sulla mappa."
        ),
    )
    streets = forms.CharField(
        label=_("Strade e numeri civici"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=_(
            "Una strada per riga, come nello stradario: «Via Grande, 1-99, dispari», "
            "«Piazza Cavour», «Via Roma, 20-»."
        ),
    )

    # What is drawn on the map (a GeoJSON FeatureCollection written by alerts/area.js); the
    # page draws it as the hidden input the map script looks for.
    features = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        # Ids of our own: the map script looks for id_features and id_streets (its JSON).
        kwargs.setdefault("auto_id", "zone_%s")
        super().__init__(*args, **kwargs)

    @property
    def general(self) -> _Only:
        return _Only(self, ("code", "name", "kind", "hours_text", "windows", "active"))

    @property
    def coordinates(self) -> _Only:
        return _Only(self, ("shapes",))

    @property
    def street_lines(self) -> _Only:
        return _Only(self, ("streets",))


class _Only(_Without):
    """A view of a bound form with only some of its fields (for includes/form_fields.html)."""

    def visible_fields(self):
        return [field for field in self._form.visible_fields() if field.name in self._names]

    def hidden_fields(self):
        return []


class FeesForm(AccessibleFormMixin, forms.Form):
    fees = forms.CharField(
        label=_("Tariffe per 1°, 2°, 3° veicolo… (euro)"),
        max_length=200,
        help_text=_("Es. «0; 60; 150»: l'ultima vale anche per i veicoli seguenti."),
    )
    handling_fee = forms.DecimalField(
        label=_("Diritti di istruttoria (euro)"), min_value=0, decimal_places=2, required=False
    )
    active = forms.BooleanField(label=_("Attivo"), required=False)


class CameraTokenForm(AccessibleFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Chi usa la chiave"),
        max_length=100,
        help_text=_("Per esempio «Varchi ZTL centro» o «Ufficio verbali»."),
        error_messages={
            "required": _("Scrivi chi usa la chiave, per esempio «Varchi ZTL centro».")
        },
    )
    zones = forms.MultipleChoiceField(
        label=_("Zone"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Nessuna scelta: tutte le zone."),
    )

    def __init__(self, *args, zones=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zones"].choices = [(zone.code, f"{zone.kind} {zone.name}") for zone in zones]
