"""Start-up checks for the private storage of document copies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from sportello.core.storage import STORAGE_ALIAS


def _inside(path: Path, folder: str | Path | None) -> bool:
    if not folder:
        return False
    path, folder = path.resolve(), Path(folder).resolve()
    return path == folder or folder in path.parents


@register()
def documents_storage_private(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    config = settings.STORAGES.get(STORAGE_ALIAS)
    if config is None:
        return [
            Error(
                f'STORAGES has no "{STORAGE_ALIAS}" storage: copies of documents cannot be kept.',
                hint="Define it in the settings (base.py does, from SPORTELLO_DOCUMENTS_STORAGE).",
                id="sportello.documents.E001",
            )
        ]
    location = config.get("OPTIONS", {}).get("location")
    if config["BACKEND"].endswith("FileSystemStorage") and location:
        for name in ("MEDIA_ROOT", "STATIC_ROOT"):
            if _inside(Path(location), getattr(settings, name, None)):
                return [
                    Error(
                        f"The documents storage ({location}) is inside {name}, which the web "
                        "server may publish: anyone could download the copies.",
                        hint="Set SPORTELLO_DOCUMENTS_DIR to a folder outside MEDIA_ROOT and "
                        "STATIC_ROOT (the default is var/private/documents).",
                        id="sportello.documents.E002",
                    )
                ]
    return []
