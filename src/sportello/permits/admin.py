"""Back-office for the mobility office's configuration: zones (area as an alert's area spec),
permit types with their fee tables, and the cameras' tokens."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from sportello.core.exceptions import ApplicationError
from sportello.permits.models import CameraToken, Permit, PermitType, Zone
from sportello.permits.services import (
    permit_type_fees_check,
    zone_area_set,
    zone_windows_parse,
    zone_windows_text,
)


class ZoneForm(forms.ModelForm):
    class Meta:
        model = Zone
        fields = ["code", "name", "kind", "hours_text", "windows", "area", "active"]
        help_texts = {
            "area": _(
                'Come l\'area di un\'allerta: {"features": GeoJSON, "streets": [{"street": id, '
                '"from": 1, "to": 99, "parity": "all"}]}.'
            )
        }

    def clean_windows(self):
        """The same checks as the office's zone page (days 1-7, HH:MM, start before end)."""
        windows = self.cleaned_data["windows"]
        try:
            return zone_windows_parse(zone_windows_text(windows))
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from error
        except (AttributeError, KeyError, TypeError) as error:
            raise forms.ValidationError(
                _(
                    'Le fasce orarie si scrivono come [{"days": [1, 2, 3, 4, 5], "start": '
                    '"08:00", "end": "20:00"}].'
                )
            ) from error


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin):
    form = ZoneForm
    list_display = ["name", "kind", "code", "civic_count", "active"]

    def save_model(self, request, obj, form, change) -> None:
        area = obj.area
        obj.save()
        try:
            zone_area_set(zone=obj, area=area, by=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)


class PermitTypeForm(forms.ModelForm):
    class Meta:
        model = PermitType
        fields = [
            "zone",
            "kind",
            "title",
            "fees",
            "handling_fee",
            "validity_months",
            "residents_only",
            "office_check",
            "category",
            "active",
        ]

    def clean_fees(self):
        try:
            return permit_type_fees_check(self.cleaned_data["fees"])
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from error


@admin.register(PermitType)
class PermitTypeAdmin(admin.ModelAdmin):
    form = PermitTypeForm
    list_display = ["title", "zone", "kind", "fees_text", "handling_fee", "office_check", "active"]

    @admin.display(description=_("tariffe"))
    def fees_text(self, obj: PermitType) -> str:
        return json.dumps(obj.fees)


@admin.register(Permit)
class PermitAdmin(admin.ModelAdmin):
    list_display = ["code", "plate", "zone", "status", "valid_from", "valid_until"]
    list_filter = ["status", "zone"]
    search_fields = ["code", "plate", "holder__codice_fiscale"]
    readonly_fields = [field.name for field in Permit._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CameraToken)
class CameraTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["created_at", "last_used_at"]
    fields = ["name", "zones", "revoked_at", "created_at", "last_used_at"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            from sportello.permits.services import camera_token_create

            token, raw = camera_token_create(name=obj.name)
            obj.pk, obj.token_sha256, obj.created_at = (
                token.pk,
                token.token_sha256,
                token.created_at,
            )
            messages.warning(
                request,
                _("Chiave per «%(name)s»: %(token)s — copiala ora, non sarà più mostrata.")
                % {"name": obj.name, "token": raw},
            )
            return
        super().save_model(request, obj, form, change)
