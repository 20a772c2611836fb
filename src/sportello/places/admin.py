"""Back-office screens for the stradario: streets and civic numbers."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from sportello.places.models import CivicNumber, Street
from sportello.places.services.streets import street_problem, street_update


class StreetAdminForm(forms.ModelForm):
    class Meta:
        model = Street
        fields = ("street_type", "name", "code", "postal_code")

    def clean(self) -> dict:
        cleaned = super().clean()
        problem = street_problem(
            street_type=cleaned.get("street_type") or "",
            name=cleaned.get("name") or "",
            code=cleaned.get("code"),
            postal_code=cleaned.get("postal_code") or "",
        )
        if problem:
            raise forms.ValidationError(problem[:1].upper() + problem[1:] + ".")
        return cleaned


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    form = StreetAdminForm
    list_display = ("street", "code", "postal_code", "civic_numbers_count")
    search_fields = ("name", "street_type", "search_name", "code")
    readonly_fields = ("search_name",)
    fields = ("street_type", "name", "code", "postal_code", "search_name")

    @admin.display(description=_("strada"), ordering="name")
    def street(self, obj: Street) -> str:
        return obj.full_name

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(civic_numbers_total=Count("civic_numbers"))

    @admin.display(description=_("numeri civici"), ordering="civic_numbers_total")
    def civic_numbers_count(self, obj: Street) -> int:
        return obj.civic_numbers_total

    def save_model(self, request, obj: Street, form, change: bool) -> None:
        # The search key is kept by the service: every edit goes through it.
        street_update(
            street=obj,
            street_type=obj.street_type,
            name=obj.name,
            code=obj.code,
            postal_code=obj.postal_code,
        )


@admin.register(CivicNumber)
class CivicNumberAdmin(admin.ModelAdmin):
    list_display = ("__str__", "code", "zone", "postal_code", "latitude", "longitude")
    list_filter = ("zone",)
    list_select_related = ("street",)
    search_fields = ("street__name", "street__search_name", "code")
    raw_id_fields = ("street",)
    ordering = ("street__name", "number", "exponent")
