"""The CSV import of the anagrafe (see docs/registry.md): `loading.registry_import` reads the
file (`rows`), plans it against the database and the family rules (`planning`), then writes
it (`loading`). Re-exported here for callers."""

from __future__ import annotations

from sportello.registry.imports.loading import registry_import
from sportello.registry.imports.rows import RegistryImportReport

__all__ = ["RegistryImportReport", "registry_import"]
