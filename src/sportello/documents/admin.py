"""Back-office of document copies: registry clerks upload a copy for a person (the content is
checked), correct its kind and description, open it (audited) or remove it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sportello.core.exceptions import ApplicationError
from sportello.documents.content import max_megabytes
from sportello.documents.models import DocumentCopy
from sportello.documents.services import (
    document_copy_check,
    document_copy_create,
    document_copy_delete,
    document_copy_update,
)


class DocumentCopyAddForm(forms.ModelForm):
    class Meta:
        model = DocumentCopy
        fields = ["person", "kind", "description", "file"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "PDF, JPEG o PNG, al massimo %(max)s MB. Il tipo si riconosce dal contenuto, non dal "
            "nome del file."
        ) % {"max": max_megabytes()}

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return upload
        try:
            document_copy_check(file=upload, size=upload.size)
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from error
        return upload


@admin.register(DocumentCopy)
class DocumentCopyAdmin(admin.ModelAdmin):
    list_display = (
        "uploaded_at",
        "person",
        "kind",
        "description",
        "content_type",
        "size_display",
        "uploaded_by",
    )
    list_filter = ("kind", "content_type", "uploaded_at")
    search_fields = ("=person__codice_fiscale", "person__last_name")
    list_select_related = ("person", "uploaded_by")
    raw_id_fields = ("person",)
    readonly_fields = (
        "person",
        "download_link",
        "content_type",
        "size_display",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    )
    change_fields = (
        "person",
        ("kind", "description"),
        "download_link",
        ("content_type", "size_display"),
        "sha256",
        ("uploaded_by", "uploaded_at"),
    )

    def get_form(self, request: HttpRequest, obj: DocumentCopy | None = None, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = DocumentCopyAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request: HttpRequest, obj: DocumentCopy | None = None) -> Any:
        return self.change_fields if obj is not None else DocumentCopyAddForm.Meta.fields

    def get_readonly_fields(self, request: HttpRequest, obj: DocumentCopy | None = None) -> Any:
        return self.readonly_fields if obj is not None else ()

    @admin.display(description=_("dimensione"), ordering="size")
    def size_display(self, copy: DocumentCopy) -> str:
        return filesizeformat(copy.size)

    @admin.display(description=_("file"))
    def download_link(self, copy: DocumentCopy) -> str:
        url = reverse("documents:backoffice_download", args=[copy.pk])
        return format_html('<a href="{}">{}</a>', url, _("Scarica (l'accesso viene registrato)"))

    def save_model(
        self, request: HttpRequest, obj: DocumentCopy, form: forms.ModelForm, change: bool
    ) -> None:
        data = form.cleaned_data
        if change:
            document_copy_update(copy=obj, kind=data["kind"], description=data["description"])
            return
        upload = data["file"]
        obj.pk = document_copy_create(
            person=data["person"],
            kind=data["kind"],
            description=data["description"],
            file=upload,
            size=upload.size,
            uploaded_by=request.user,
        ).pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: DocumentCopy) -> None:
        document_copy_delete(copy=obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[DocumentCopy]) -> None:
        for copy in queryset:
            document_copy_delete(copy=copy, by=request.user)
