"""Settings shared by every environment; every value that varies comes from the environment."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sportello.config import env
from sportello.config.settings.paths import *  # noqa: F403
from sportello.config.settings.paths import PACKAGE_DIR, VAR_DIR

DEBUG = env.boolean("DEBUG", False)
ALLOWED_HOSTS = env.items("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
# The reverse proxies in front of Django (addresses or networks, outermost first; one nginx on
# this machine: 127.0.0.1). Their X-Forwarded-For names the client that every limit and lockout
# counts by (core.services.client_ip); without them each request counts as its own address.
SPORTELLO_TRUSTED_PROXIES = env.items("SPORTELLO_TRUSTED_PROXIES", [])
CSRF_TRUSTED_ORIGINS = env.items("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "bootstrap_italia_template",
    "sportello.core",
    "sportello.places",
    "sportello.registry",
    "sportello.accounts",
    "sportello.channels",
    "sportello.alerts",
    "sportello.documents",
    "sportello.payments",
    "sportello.certificates",
    "sportello.canteen",
    "sportello.permits",
    "sportello.demo",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "djangosaml2",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # SPID / CIE ID: the pending AuthnRequests live in their own cookie (djangosaml2).
    "djangosaml2.middleware.SamlSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy (django-csp) and Permissions-Policy (django-permissions-policy).
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Expired sessions end here, before any view runs ("Sessione scaduta").
    "sportello.accounts.middleware.SessionValidityMiddleware",
    # First-access password change and operators' second factor come before anything else.
    "sportello.accounts.middleware.AccessRulesMiddleware",
    # Last, as django-axes asks: turns a lockout into the page that explains it.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sportello.config.urls"
WSGI_APPLICATION = "sportello.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sportello.core.context_processors.municipality",
            ],
        },
    },
]

DATABASES = {"default": env.database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sportello.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the Celery worker read while the other writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.integer("DATABASE_CONN_MAX_AGE", 0, minimum=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A cache shared by every process: verification codes wait here for the call that reads them.
# Locally a folder under var/; in production Redis (CACHE_URL=redis://host:6379/2).
CACHES = {"default": env.cache("CACHE_URL", f"filecache://{VAR_DIR / 'cache'}")}

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses locked-out username+IP pairs before any backend runs. Login
# methods are pluggable: SPID/CIE ID is one more backend here and in SPORTELLO_LOGIN_METHODS.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "sportello.accounts.backends.PasswordBackend",
    "sportello.accounts.backends.SmartcardBackend",
    "sportello.accounts.backends.SpidBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "sportello.accounts.validators.UserAttributeSimilarityValidator",
        "OPTIONS": {
            "user_attributes": ["username", "first_name", "last_name", "email", "codice_fiscale"]
        },
    },
    {
        "NAME": "sportello.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "sportello.accounts.validators.PersonalDataValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        "NAME": "sportello.accounts.validators.PasswordHistoryValidator",
        "OPTIONS": {"remembered": 5},
    },
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:account"

LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italiano")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# English pages keep Italian conventions for dates (day/month/year) and the 24-hour clock.
FORMAT_MODULE_PATH = ["sportello.formats"]
TIME_ZONE = env.text("TIME_ZONE", "Europe/Rome")
USE_I18N = True
USE_TZ = True

_email = env.email("EMAIL_URL", "consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.text("DEFAULT_FROM_EMAIL", "Sportello <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -------------------------------------------------------------------------------
# The embedded default is kombu's filesystem transport: messages are files under var/broker,
# shared by every process on this machine, with no server to run (docs/architecture.md).
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = env.text("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _folder in ("queue", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
CELERY_RESULT_BACKEND = env.optional("CELERY_RESULT_BACKEND")
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
# One queue per kind of work, so that a slow medium never holds up a fast one.
CELERY_TASK_QUEUES_NAMES = [
    "default",
    "voice",
    "sms_fax",
    "email",
    # Bulk sends (alerts), one queue per medium: channels.dispatch.QUEUES.
    "dispatch_voice",
    "dispatch_sms",
    "dispatch_fax",
    "dispatch_email",
]
CELERY_TASK_ROUTES = {
    "sportello.channels.tasks.voice_*": {"queue": "voice"},
    "sportello.channels.tasks.sms_*": {"queue": "sms_fax"},
    "sportello.channels.tasks.fax_*": {"queue": "sms_fax"},
    "sportello.*.tasks.email_*": {"queue": "email"},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.text("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Logins are in the audit log; these libraries' progress chatter is not needed.
        "axes": {"level": "WARNING"},
        # The embedded broker (filesystem://) has no host: kombu's «No hostname was supplied»
        # is noise a newcomer cannot act on.
        "kombu.connection": {"level": "ERROR"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "xmlschema": {"level": "WARNING"},
        "saml2": {"level": "WARNING"},
        # «pikepdf C++ to Python logger bridge initialized», at every start of every command.
        "pikepdf": {"level": "WARNING"},
    },
}

# The rest, one module per subject; each reads its own variables.
from sportello.config.settings.channels import *  # noqa: E402, F403
from sportello.config.settings.files import *  # noqa: E402, F403
from sportello.config.settings.identity import *  # noqa: E402, F403
from sportello.config.settings.security import *  # noqa: E402, F403
from sportello.config.settings.services import *  # noqa: E402, F403
