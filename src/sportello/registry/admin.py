"""Back-office screens for the anagrafe: persons with their identity documents, registry
families, and the error reports citizens send.

The forms check with the same service functions as every other write, and saving goes through
the services, so that the back-office cannot store what the import would refuse. Django's admin
log records each change with the clerk who made it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sportello.core.exceptions import ApplicationError
from sportello.registry.models import (
    CorrectionRequest,
    CorrectionStatus,
    Family,
    FamilyKind,
    IdentityDocument,
    Person,
)
from sportello.registry.selectors import family_head, person_get_by_codice_fiscale
from sportello.registry.services.corrections import (
    correction_answer_check,
    correction_request_handle,
)
from sportello.registry.services.documents import (
    identity_document_delete,
    identity_document_record,
    identity_document_validate,
)
from sportello.registry.services.families import family_create, family_create_check
from sportello.registry.services.persons import (
    person_create,
    person_membership_check,
    person_update,
)
from sportello.registry.services.validation import (
    FACT_FIELDS,
    PERSONAL_FIELDS,
    UPDATABLE_FIELDS,
    person_facts_validate,
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
        if any(field in self.errors for field in FACT_FIELDS):
            return cleaned
        try:
            facts = person_facts_validate(
                birth_date=data.birth_date,
                citizenship=data.citizenship,
                civil_status=data.civil_status,
                civil_status_date=cleaned.get("civil_status_date"),
                civil_status_place=cleaned.get("civil_status_place") or "",
                cohabitation_contract_date=cleaned.get("cohabitation_contract_date"),
                aire=bool(cleaned.get("aire")),
                aire_country=cleaned.get("aire_country") or "",
            )
        except ApplicationError as error:
            _add_application_error(self, error)
            return cleaned
        cleaned.update(facts.as_fields())
        current = self.instance if self.instance.pk else None
        membership = (cleaned.get("family"), cleaned.get("relationship") or "")
        residence = cleaned.get("residence")
        unchanged = current is not None and (
            (membership[0].pk if membership[0] else None, membership[1], residence, facts.aire)
            == (current.family_id, current.relationship, current.residence, current.aire)
        )
        if not unchanged:
            try:
                cleaned["residence"] = person_membership_check(
                    person=current,
                    family=membership[0],
                    relationship=membership[1],
                    residence=residence,
                    aire=facts.aire,
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
        fields = ["code", "kind"]

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


IDENTITY_DOCUMENT_FIELDS = ["kind", "number", "issued_on", "expires_on", "issued_by"]


class IdentityDocumentForm(forms.ModelForm):
    class Meta:
        model = IdentityDocument
        fields = IDENTITY_DOCUMENT_FIELDS

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors or cleaned.get("DELETE"):
            return cleaned
        try:
            cleaned.update(
                identity_document_validate(
                    person=self.instance.person,
                    **{name: cleaned.get(name) for name in IDENTITY_DOCUMENT_FIELDS},
                )
            )
        except ApplicationError as error:
            _add_application_error(self, error)
        return cleaned


class IdentityDocumentInline(admin.TabularInline):
    model = IdentityDocument
    form = IdentityDocumentForm
    formset = BaseInlineFormSet
    extra = 0
    verbose_name = _("documento d'identità")
    verbose_name_plural = _("documenti d'identità")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    form = PersonAdminForm
    list_display = ("last_name", "first_name", "codice_fiscale", "birth_date", "family")
    list_filter = ("civil_status", "sex", "aire", "family__kind")
    inlines = [IdentityDocumentInline]
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
                    ("civil_status_date", "civil_status_place"),
                    "cohabitation_contract_date",
                    "date_of_death",
                )
            },
        ),
        (
            _("Famiglia e residenza"),
            {"fields": (("family", "relationship"), "residence", ("aire", "aire_country"))},
        ),
        (None, {"fields": ("residence_detail", ("created_at", "updated_at"))}),
    )

    def save_model(
        self, request: HttpRequest, obj: Person, form: forms.ModelForm, change: bool
    ) -> None:
        data = {field: form.cleaned_data.get(field) for field in UPDATABLE_FIELDS}
        for name in ("relationship", "residence_detail", "civil_status_place", "aire_country"):
            data[name] = data[name] or ""
        data["aire"] = bool(data["aire"])
        if change:
            person_update(person=obj, data=data)
        else:
            obj.pk = person_create(**data).pk
        obj.refresh_from_db()

    def get_inlines(self, request: HttpRequest, obj: Person | None) -> list[Any]:
        # Documents are checked against the person's birth date: added once the person exists.
        return self.inlines if obj is not None else []

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool
    ) -> None:
        if formset.model is not IdentityDocument:
            super().save_formset(request, form, formset, change)
            return
        documents = formset.save(commit=False)
        for document in formset.deleted_objects:
            identity_document_delete(document=document)
        for document in documents:
            identity_document_record(
                person=form.instance,
                kind=document.kind,
                number=document.number,
                issued_on=document.issued_on,
                expires_on=document.expires_on,
                issued_by=document.issued_by,
                document=document if document.pk else None,
            )


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
    list_display = ("code", "kind", "head", "member_count", "created_at")
    list_filter = ("kind",)
    search_fields = ("code", "=members__codice_fiscale", "members__last_name")
    inlines = [MemberInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Family]:
        return super().get_queryset(request).annotate(member_count=Count("members"))

    def get_form(self, request: HttpRequest, obj: Family | None = None, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = FamilyAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Family | None = None) -> list[str]:
        return ["code", "kind"] if obj is not None else ["code", "kind", "head_codice_fiscale"]

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
        obj.pk = family_create(
            code=form.cleaned_data["code"],
            head=form.cleaned_data["head"],
            kind=form.cleaned_data.get("kind") or FamilyKind.FAMILY,
        ).pk
        obj.refresh_from_db()


class CorrectionRequestForm(forms.ModelForm):
    class Meta:
        model = CorrectionRequest
        fields = ["status", "answer"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "answer": _(
                "La legge il cittadino, nella sua pagina e nell'e-mail che riceve quando lo "
                "stato cambia. Obbligatoria per chiudere o respingere."
            )
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            cleaned["answer"] = correction_answer_check(
                status=cleaned.get("status") or "", answer=cleaned.get("answer") or ""
            )
        except ApplicationError as error:
            _add_application_error(self, error)
        return cleaned


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(admin.ModelAdmin):
    """The registry office's queue of error reports: take one in hand, correct the person's
    data (link to their page), then close it with an answer; the citizen is told by e-mail."""

    form = CorrectionRequestForm
    list_display = ("created_at", "person", "topic", "status", "handled_by", "closed_at")
    list_filter = ("status", "topic", "created_at")
    search_fields = ("=person__codice_fiscale", "person__last_name")
    list_select_related = ("person", "handled_by")
    readonly_fields = (
        "person_link",
        "author",
        "topic",
        "text",
        "created_at",
        "handled_by",
        "closed_at",
    )
    fields = (
        "person_link",
        ("topic", "created_at"),
        "text",
        "author",
        "status",
        "answer",
        ("handled_by", "closed_at"),
    )
    actions = ["take_in_hand"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # citizens send them, from their own page

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # what a citizen asked and what they were told stays on record

    @admin.display(description=_("persona"))
    def person_link(self, correction: CorrectionRequest) -> str:
        url = reverse("admin:registry_person_change", args=[correction.person_id])
        return format_html('<a href="{}">{}</a>', url, correction.person)

    def save_model(
        self, request: HttpRequest, obj: CorrectionRequest, form: forms.ModelForm, change: bool
    ) -> None:
        correction_request_handle(
            correction=obj,
            status=form.cleaned_data["status"],
            answer=form.cleaned_data["answer"],
            by=request.user,
        )
        obj.refresh_from_db()

    @admin.action(
        description=_("Prendi in carico le segnalazioni selezionate"),
        permissions=["change"],
    )
    def take_in_hand(self, request: HttpRequest, queryset: QuerySet[CorrectionRequest]) -> None:
        taken = 0
        for correction in queryset.filter(status=CorrectionStatus.NEW):
            correction_request_handle(
                correction=correction,
                status=CorrectionStatus.IN_PROGRESS,
                answer=correction.answer,
                by=request.user,
            )
            taken += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d segnalazione presa in carico.",
                "%(count)d segnalazioni prese in carico.",
                taken,
            )
            % {"count": taken},
            messages.SUCCESS,
        )
