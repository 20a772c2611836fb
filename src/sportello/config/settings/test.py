"""Test settings: fast hashing, in-memory e-mail; the database comes from TEST_DATABASE_URL."""

from sportello.config import env
from sportello.config.settings.base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret"  # noqa: S105
DATABASES = {"default": env.database("TEST_DATABASE_URL", "sqlite:///:memory:")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Every file storage (default, documents, certificates…) in memory; static files from the apps.
STORAGES = {
    **{alias: {"BACKEND": "django.core.files.storage.InMemoryStorage"} for alias in STORAGES},  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
LANGUAGE_CODE = "it"
# Serve static files from the apps' folders, as runserver would: no collectstatic in tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Operators' TOTP is off by default in tests; the tests of the second factor turn it on.
SPORTELLO_OPERATOR_2FA_REQUIRED = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# SPID / CIE: keys and metadata in a folder of this test run; the demo IdP on.
_test_spid = VAR_DIR / "test-spid"  # noqa: F405
SPORTELLO_SPID = {  # noqa: F405
    **SPORTELLO_SPID,  # noqa: F405
    "demo_idp": True,
    "key_file": _test_spid / "sp.key",
    "cert_file": _test_spid / "sp.crt",
    "demo_key_file": _test_spid / "demo-idp.key",
    "demo_cert_file": _test_spid / "demo-idp.crt",
    "metadata_dir": _test_spid / "idp-metadata",
}
