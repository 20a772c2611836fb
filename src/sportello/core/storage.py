"""The private storage of uploaded documents: settings.STORAGES["documents"].

It lives in core because several apps keep files there (document copies, PEC attachments,
canteen diet certificates, permit papers) and core is the floor they all stand on.

A local folder outside the web root by default, an S3-compatible bucket in production (see
docs/documents.md). Nothing here ever builds a URL to a file: copies leave only through the
download views, which check who is asking and audit it.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import storages
from django.db import models
from django.utils.functional import LazyObject, empty

STORAGE_ALIAS = "documents"


class DocumentsStorage(LazyObject):
    """The storage behind the alias, looked up on first use (as Django's default_storage is),
    so that models can be imported before it is needed and tests can swap STORAGES."""

    def _setup(self) -> None:
        self._wrapped = storages[STORAGE_ALIAS]


documents_storage = DocumentsStorage()


def storage_settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "STORAGES":
        documents_storage._wrapped = empty


class DocumentFileField(models.FileField):
    """A FileField kept in the "documents" storage.

    FileField would resolve a storage given to it while the model class is built; this one is
    set afterwards and left out of migrations, so that the alias is only read when a file is.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("storage", None)
        super().__init__(*args, **kwargs)
        self.storage = documents_storage

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("storage", None)
        return name, path, args, kwargs
