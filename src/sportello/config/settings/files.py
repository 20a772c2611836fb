"""Where files are kept: static files, media, and the private storages of documents and
certificates."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from sportello.config import env
from sportello.config.settings.paths import PACKAGE_DIR, VAR_DIR

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.text("STATIC_ROOT", str(VAR_DIR / "static")))
# Leaflet and Leaflet.draw come from the django-leaflet package's static files (served by us, no
# CDN). Only its files are used: the app itself would need GeoDjango and GDAL.
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    Path(importlib.util.find_spec("leaflet").submodule_search_locations[0]) / "static",
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.text("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DJANGO_BOOTSTRAP_ITALIA_USE_CDN = False

# --- Registry documents and certificates (issue 7) -----------------------------------------
# Copies of citizens' documents (docs/documents.md): a private storage, never under the web
# root. "filesystem": a folder (SPORTELLO_DOCUMENTS_DIR); "s3": an S3-compatible bucket through
# django-storages, private objects, credentials from these variables or boto3's usual chain.
SPORTELLO_DOCUMENTS_STORAGE = env.text("SPORTELLO_DOCUMENTS_STORAGE", "filesystem")
if SPORTELLO_DOCUMENTS_STORAGE == "s3":
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.text("SPORTELLO_DOCUMENTS_S3_BUCKET"),
            "endpoint_url": env.optional("SPORTELLO_DOCUMENTS_S3_ENDPOINT_URL"),
            "region_name": env.optional("SPORTELLO_DOCUMENTS_S3_REGION"),
            "access_key": env.optional("SPORTELLO_DOCUMENTS_S3_ACCESS_KEY_ID"),
            "secret_key": env.optional("SPORTELLO_DOCUMENTS_S3_SECRET_ACCESS_KEY"),
            "location": env.text("SPORTELLO_DOCUMENTS_S3_PREFIX", "documents"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif SPORTELLO_DOCUMENTS_STORAGE == "filesystem":
    STORAGES["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env.text("SPORTELLO_DOCUMENTS_DIR", str(VAR_DIR / "private" / "documents")),
            "file_permissions_mode": 0o640,
            "directory_permissions_mode": 0o750,
        },
    }
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"SPORTELLO_DOCUMENTS_STORAGE={SPORTELLO_DOCUMENTS_STORAGE!r} is not valid: expected "
        "filesystem or s3."
    )
# Certificates (docs/certificates.md). Sealed PDFs live in their own private storage, never
# under the web root: only the certificates app hands them out, to whom may have them.
STORAGES["certificates"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {
        "location": env.text(
            "SPORTELLO_CERTIFICATES_DIR", str(VAR_DIR / "private" / "certificates")
        ),
        "file_permissions_mode": 0o640,
        "directory_permissions_mode": 0o750,
    },
}
