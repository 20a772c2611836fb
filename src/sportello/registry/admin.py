"""Back-office screens for the anagrafe: persons and registry families.

The forms check with the same service functions as every other write, and saving goes through
the services, so that the back-office cannot store what the import would refuse. Django's admin
log records each change with the clerk who made it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sportello.core.exceptions import ApplicationError
from sportello.registry.models import Family, Person
from sportello.registry.selectors import family_head, person_get_by_codice_fiscale
from sportello.registry.services import (
    PERSONAL_FIELDS,
    UPDATABLE_FIELDS,
    family_create,
    family_create_check,
    person_create,
    person_membership_check,
    person_update,
    person_validate,
)


def _add_application_error(form: forms.Form, error: ApplicationError) -> None:
    field = error.extra.get("field")
    form.add_error(field if field in form.fields else None, error.message)


class PersonAdminForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = [*UPDATABLE_FIELDS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Either is enough: the other is found from the data of python-codicefiscale.
        for name in ("birth_place", "birth_place_code"):
            if name in self.fields:
                self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if any(field in self.errors for field in PERSONAL_FIELDS):
            return cleaned
        try:
            data = person_validate(**{field: cleaned.get(field) for field in PERSONAL_FIELDS})
        except ApplicationError as error:
            _add_application_error(self, error)
            return cleaned
        cleaned.update(data.as_fields())
        current = self.instance if self.instance.pk else None
        membership = (cleaned.get("family"), cleaned.get("relationship") or "")
        residence = cleaned.get("residence")
        unchanged = current is not None and (
            (membership[0].pk if membership[0] else None, membership[1], residence)
            == (current.family_id, current.relationship, current.residence)
        )
        if not unchanged:
            try:
                cleaned["residence"] = person_membership_check(
                    person=current,
                    family=membership[0],
                    relationship=membership[1],
                    residence=residence,
                )
            except ApplicationError as error:
                _add_application_error(self, error)
        return cleaned


class FamilyAddForm(forms.ModelForm):
    head_codice_fiscale = forms.CharField(
        label=_("codice fiscale dell'intestatario"),
        max_length=16,
        help_text=_("La persona deve essere già in anagrafe e risiedere a un numero civico."),
    )

    class Meta:
        model = Family
        fields = ["code"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        code, head_code = cleaned.get("code"), cleaned.get("head_codice_fiscale")
        if not code or not head_code:
            return cleaned
        head = person_get_by_codice_fiscale(codice_fiscale=head_code)
        if head is None:
            self.add_error("head_codice_fiscale", _("nessuna persona con questo codice fiscale"))
            return cleaned
        try:
            cleaned["code"] = family_create_check(code=code, head=head)
        except ApplicationError as error:
            field = error.extra.get("field")
            self.add_error("head_codice_fiscale" if field == "head" else None, error.message)
        cleaned["head"] = head
        return cleaned


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    form = PersonAdminForm
    list_display = ("last_name", "first_name", "codice_fiscale", "birth_date", "family")
    list_filter = ("civil_status", "sex")
    search_fields = ("=codice_fiscale", "last_name")
    raw_id_fields = ("residence", "family")
    list_select_related = ("family",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "codice_fiscale",
                    ("last_name", "first_name"),
                    ("sex", "birth_date"),
                    ("birth_place", "birth_place_code"),
                    ("citizenship", "civil_status"),
                    "date_of_death",
                )
            },
        ),
        (_("Famiglia e residenza"), {"fields": (("family", "relationship"), "residence")}),
        (None, {"fields": ("residence_detail", ("created_at", "updated_at"))}),
    )

    def save_model(
        self, request: HttpRequest, obj: Person, form: forms.ModelForm, change: bool
    ) -> None:
        data = {field: form.cleaned_data.get(field) for field in UPDATABLE_FIELDS}
        data["relationship"] = data["relationship"] or ""
        data["residence_detail"] = data["residence_detail"] or ""
        if change:
            person_update(person=obj, data=data)
        else:
            obj.pk = person_create(**data).pk
        obj.refresh_from_db()


class MemberInline(admin.TabularInline):
    """The people on the scheda; membership is changed from each person's page."""

    model = Person
    fk_name = "family"
    fields = ("codice_fiscale", "last_name", "first_name", "birth_date", "relationship")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("componente")
    verbose_name_plural = _("componenti")


@admin.register(Family)
class FamilyAdmin(admin.ModelAdmin):
    list_display = ("code", "head", "member_count", "created_at")
    search_fields = ("code", "=members__codice_fiscale", "members__last_name")
    inlines = [MemberInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Family]:
        return super().get_queryset(request).annotate(member_count=Count("members"))

    def get_form(self, request: HttpRequest, obj: Family | None = None, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = FamilyAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Family | None = None) -> list[str]:
        return ["code"] if obj is not None else ["code", "head_codice_fiscale"]

    def get_inlines(self, request: HttpRequest, obj: Family | None) -> list[Any]:
        return self.inlines if obj is not None else []

    @admin.display(description=_("intestatario"))
    def head(self, family: Family) -> str:
        head = family_head(family=family)
        return str(head) if head else "—"

    @admin.display(description=_("componenti"), ordering="member_count")
    def member_count(self, family: Family) -> int:
        return family.member_count  # type: ignore[attr-defined]

    def save_model(
        self, request: HttpRequest, obj: Family, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.pk = family_create(code=form.cleaned_data["code"], head=form.cleaned_data["head"]).pk
        obj.refresh_from_db()
