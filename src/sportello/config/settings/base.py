"""Settings shared by every environment; every value that varies comes from the environment."""

from __future__ import annotations

import importlib.util
import os
import warnings
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from sportello.config import env
from sportello.config.env import tile_origins

# pysaml2 still imports CFB from its old place in cryptography; it does not use it for SPID.
warnings.filterwarnings("ignore", message="CFB has been moved", module="saml2")
PACKAGE_DIR = Path(__file__).resolve().parents[2]
_checkout = PACKAGE_DIR.parents[1]
# A source checkout keeps var/ and .env at its root; an installed package uses the working dir.
PROJECT_DIR = Path(
    os.environ.get("SPORTELLO_HOME")
    or (_checkout if (_checkout / "pyproject.toml").exists() else Path.cwd())
)
if (PROJECT_DIR / ".env").exists():
    environ.Env.read_env(PROJECT_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.text("SPORTELLO_VAR_DIR", str(PROJECT_DIR / "var")))
SPORTELLO_ENV = env.text("SPORTELLO_ENV", "local")

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

# Session validity (seeds: every reserved session has a preset validity). The idle and absolute
# limits are enforced by sportello.accounts.middleware, which shows "Sessione scaduta"; the
# cookie itself lives a day longer so that the expiry can be explained rather than forgotten.
SPORTELLO_SESSION_IDLE_MINUTES = env.integer("SPORTELLO_SESSION_IDLE_MINUTES", 15, minimum=1)
SPORTELLO_SESSION_MAX_HOURS = env.integer("SPORTELLO_SESSION_MAX_HOURS", 8, minimum=1)
SESSION_COOKIE_AGE = (SPORTELLO_SESSION_MAX_HOURS + 24) * 3600
# Set when smart-card login runs on its own host name (deploy/nginx/smartcard.conf), so that
# the session it opens is valid on the main site too: e.g. ".comune.example.it".
SESSION_COOKIE_DOMAIN = env.optional("SESSION_COOKIE_DOMAIN")
CSRF_COOKIE_DOMAIN = SESSION_COOKIE_DOMAIN
# A cache shared by every process: verification codes wait here for the call that reads them.
# Locally a folder under var/; in production Redis (CACHE_URL=redis://host:6379/2).
CACHES = {"default": env.cache("CACHE_URL", f"filecache://{VAR_DIR / 'cache'}")}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Pages run only our own scripts (no inline script anywhere), load images only from here and
# the map's tile server (SPORTELLO_MAP_TILES, below), and cannot be framed. Inline styles are
# allowed: Bootstrap Italia's bundle writes <style> elements at run time (its font faces, with
# the static path in them, and form-validation labels) and embeds an icon font as data:.
CSP_IMAGE_SOURCES = env.items("SPORTELLO_CSP_IMAGE_SOURCES", [])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],  # completed with the tile server below
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Features no page uses are off for every page and anything it might embed.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    )
}

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

# --- Citizen identity ---------------------------------------------------------------------
# django-axes: 5 failures for a username from one address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = env.integer("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.integer("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "sportello.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "sportello.core.services.client_ip"
AXES_VERBOSE = False
# How login works. Each entry is a login method shown on the login page; SPID / CIE ID will be
# one more class here (and one more backend above), without touching any service.
SPORTELLO_LOGIN_METHODS = [
    "sportello.accounts.methods.SpidLogin",
    "sportello.accounts.methods.CieLogin",
    "sportello.accounts.methods.PasswordLogin",
    "sportello.accounts.methods.SmartcardLogin",
    "sportello.accounts.methods.SmartcardDemoLogin",
]
# DL 76/2020 art. 24: set to false to stop issuing new local citizen credentials (existing ones
# keep working until SPORTELLO_LOCAL_CREDENTIALS_VALID_UNTIL, if set); operators keep passwords.
SPORTELLO_LOCAL_CITIZEN_CREDENTIALS = env.boolean("SPORTELLO_LOCAL_CITIZEN_CREDENTIALS", True)
SPORTELLO_LOCAL_CREDENTIALS_VALID_UNTIL = env.optional("SPORTELLO_LOCAL_CREDENTIALS_VALID_UNTIL")
SPORTELLO_TEMPORARY_PASSWORD_DAYS = env.integer("SPORTELLO_TEMPORARY_PASSWORD_DAYS", 30, minimum=1)
# Operators: TOTP second factor (django-otp). Required by default; local demo turns it off.
SPORTELLO_OPERATOR_2FA_REQUIRED = env.boolean("SPORTELLO_OPERATOR_2FA_REQUIRED", True)
OTP_TOTP_ISSUER = env.text("OTP_TOTP_ISSUER", "Sportello")
# Smart-card login: nginx verifies the card and passes the certificate; only these addresses
# (the proxies) are believed. Empty = smart-card login off. The URL may be on its own host.
SPORTELLO_SMARTCARD_TRUSTED_PROXIES = env.items("SPORTELLO_SMARTCARD_TRUSTED_PROXIES", [])
SPORTELLO_SMARTCARD_LOGIN_URL = env.text("SPORTELLO_SMARTCARD_LOGIN_URL", "/accedi/carta/")
# The demo's simulated smart card (/accedi/carta/simulatore/): anyone picks a person of the demo
# registry and logs in as them. On in the local settings only; production refuses it.
SPORTELLO_SMARTCARD_SIMULATOR = env.boolean("SPORTELLO_SMARTCARD_SIMULATOR", False)
# SPID and CIE ID (SAML2 service provider, djangosaml2 + pysaml2; docs/accounts.md).
_spid_dir = VAR_DIR / "spid"
SPORTELLO_SPID = {
    "enabled": env.boolean("SPORTELLO_SPID_ENABLED", True),
    # The fixed address of the SP (its entityID is <base>/spid/metadata/). Unset: the address
    # the browser used (local demo only; production requires it).
    "base_url": env.optional("SPORTELLO_SPID_BASE_URL"),
    # Key and certificate (Avviso SPID n. 29 v3) signing metadata and requests.
    "key_file": Path(env.text("SPORTELLO_SPID_KEY_FILE", str(_spid_dir / "sp.key"))),
    "cert_file": Path(env.text("SPORTELLO_SPID_CERT_FILE", str(_spid_dir / "sp.crt"))),
    # The IPA code of the comune (c_e625); unset: «c_» + the cadastral code.
    "ipa_code": env.optional("SPORTELLO_SPID_IPA_CODE"),
    # Level asked of the identity provider when the service wanted has none configured.
    "level": env.integer("SPORTELLO_SPID_LEVEL", 2, minimum=1),
    # Largest difference tolerated between our clock and the identity provider's.
    "clock_skew_seconds": env.integer("SPORTELLO_SPID_CLOCK_SKEW_SECONDS", 90, minimum=0),
    # How long an AuthnRequest waits for its response.
    "request_minutes": env.integer("SPORTELLO_SPID_REQUEST_MINUTES", 15, minimum=1),
    # Identity providers: metadata files under <metadata_dir>/spid/ and /cie/, refreshed from
    # these URLs by a periodic task (e.g. AgID's registry of SPID providers).
    "metadata_dir": Path(env.text("SPORTELLO_SPID_METADATA_DIR", str(_spid_dir / "idp-metadata"))),
    "spid_metadata_urls": env.items("SPORTELLO_SPID_IDP_METADATA_URLS", []),
    "cie_metadata_urls": env.items("SPORTELLO_CIE_IDP_METADATA_URLS", []),
    "metadata_refresh_hours": env.integer("SPORTELLO_SPID_METADATA_REFRESH_HOURS", 12, minimum=1),
    # The local «SPID demo» identity provider (local settings turn it on; production refuses it).
    "demo_idp": env.boolean("SPORTELLO_SPID_DEMO_IDP", False),
    "demo_key_file": _spid_dir / "demo-idp.key",
    "demo_cert_file": _spid_dir / "demo-idp.crt",
    "xmlsec_binary": env.optional("SPORTELLO_XMLSEC_BINARY"),
}
SAML_CONFIG_LOADER = "sportello.accounts.spid.config.config_loader"
SAML_SESSION_COOKIE_NAME = "sportello_saml"
# The identity provider posts back from another site: in production (HTTPS) the cookie holding
# the pending request must be SameSite=None; over plain HTTP browsers accept only Lax (the demo
# identity provider is on the same site, so Lax is enough there).
SAML_SESSION_COOKIE_SAMESITE = "Lax"
SAML_LOGOUT_REQUEST_PREFERRED_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
# Our SAML pages have no inline script or style: djangosaml2 need not touch the CSP.
SAML_CSP_HANDLER = ""
LOGOUT_REDIRECT_URL = "/"
# Services that need a given login level (1-3), by URL namespace: "certificates:2,documents:3".
# Unlisted services accept any certified login; SPID is asked for SPORTELLO_SPID["level"].
SPORTELLO_SERVICE_LEVELS = {
    name.strip(): int(level)
    for name, _sep, level in (
        item.partition(":") for item in env.items("SPORTELLO_SERVICE_LEVELS", [])
    )
}
# PEC mailbox read for credential requests: imaps://user:password@host:993/INBOX
SPORTELLO_PEC_IMAP_URL = env.optional("SPORTELLO_PEC_IMAP_URL")
# CA bundle for the IMAP server's certificate, if not signed by a public CA.
SPORTELLO_PEC_IMAP_CA_FILE = env.optional("SPORTELLO_PEC_IMAP_CA_FILE")
SPORTELLO_PEC_POLL_SECONDS = env.integer("SPORTELLO_PEC_POLL_SECONDS", 300, minimum=30)
# Answers to PEC requests leave through the PEC provider's SMTP (smtps://user:pass@host:465).
_pec_smtp = env.optional("SPORTELLO_PEC_SMTP_URL")
SPORTELLO_PEC_SMTP = env.email("SPORTELLO_PEC_SMTP_URL", _pec_smtp) if _pec_smtp else None

# --- Channels (docs/channels.md) -------------------------------------------------------------
# One provider per medium, by dotted path. The simulator keeps everything on this machine and
# shows it on the phone simulator page; production names real providers here.
SPORTELLO_CHANNELS = {
    "voice": env.text(
        "SPORTELLO_VOICE_PROVIDER", "sportello.channels.providers.simulator.Simulator"
    ),
    "sms": env.text("SPORTELLO_SMS_PROVIDER", "sportello.channels.providers.simulator.Simulator"),
    "fax": env.text("SPORTELLO_FAX_PROVIDER", "sportello.channels.providers.simulator.Simulator"),
    "email": env.text("SPORTELLO_EMAIL_PROVIDER", "sportello.channels.providers.email.DjangoEmail"),
}
# Numbers of these countries (ISO 3166 codes) are the only ones ever called or texted.
SPORTELLO_CALLABLE_COUNTRIES = env.items("SPORTELLO_CALLABLE_COUNTRIES", ["IT"])
# The phone simulator page: anyone may open it in the demo (local settings), only the alert
# roles elsewhere; production has none unless it is switched on for a drill.
SPORTELLO_PHONE_SIMULATOR_ENABLED = env.boolean("SPORTELLO_PHONE_SIMULATOR_ENABLED", True)
SPORTELLO_PHONE_SIMULATOR_PUBLIC = env.boolean("SPORTELLO_PHONE_SIMULATOR_PUBLIC", False)
# The address the outside world (Twilio, Kannel) uses to reach our webhooks, e.g.
# https://sportello.comune.example.it — signatures are computed on it.
SPORTELLO_PUBLIC_URL = env.text("SPORTELLO_PUBLIC_URL", "http://127.0.0.1:8000")
# Twilio (voice and SMS): account and token; webhooks are verified with the token.
TWILIO_ACCOUNT_SID = env.optional("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env.optional("TWILIO_AUTH_TOKEN")
# Answering-machine detection: a verification code is never read into voicemail.
TWILIO_MACHINE_DETECTION = env.boolean("TWILIO_MACHINE_DETECTION", True)
# SMS over SMPP 3.4 to the operator's SMSC (smpplib); `sportello smpp_listen` takes receipts.
SPORTELLO_SMPP = (
    {
        "host": env.text("SPORTELLO_SMPP_HOST"),
        "port": env.integer("SPORTELLO_SMPP_PORT", 2775, minimum=1),
        "system_id": env.text("SPORTELLO_SMPP_SYSTEM_ID", ""),
        "password": env.text("SPORTELLO_SMPP_PASSWORD", ""),
        "system_type": env.text("SPORTELLO_SMPP_SYSTEM_TYPE", ""),
        "window": env.integer("SPORTELLO_SMPP_WINDOW", 10, minimum=1),
    }
    if env.optional("SPORTELLO_SMPP_HOST")
    else None
)
# SMS through Kannel's HTTP sendsms; delivery reports come back to /canali/kannel/.
SPORTELLO_KANNEL = (
    {
        "url": env.text("SPORTELLO_KANNEL_URL"),
        "username": env.text("SPORTELLO_KANNEL_USERNAME", ""),
        "password": env.text("SPORTELLO_KANNEL_PASSWORD", ""),
    }
    if env.optional("SPORTELLO_KANNEL_URL")
    else None
)
# Fax through a HylaFAX server (sendfax): the host must let us in by address (hosts.hfaxd).
SPORTELLO_HYLAFAX = (
    {
        "host": env.text("SPORTELLO_HYLAFAX_HOST"),
        "port": env.integer("SPORTELLO_HYLAFAX_PORT", 4559, minimum=1),
        "owner": env.text("SPORTELLO_HYLAFAX_OWNER", "sportello"),
    }
    if env.optional("SPORTELLO_HYLAFAX_HOST")
    else None
)
# Fax through an e-mail-to-fax gateway: its SMTP, our sender, its domain ({number}@domain).
SPORTELLO_FAX_EMAIL = (
    {
        "smtp_url": env.text("SPORTELLO_FAX_EMAIL_SMTP_URL"),
        "sender": env.text("SPORTELLO_FAX_EMAIL_SENDER", ""),
        "domain": env.text("SPORTELLO_FAX_EMAIL_DOMAIN", ""),
        "attach": env.text("SPORTELLO_FAX_EMAIL_ATTACH", "pdf"),
    }
    if env.optional("SPORTELLO_FAX_EMAIL_SMTP_URL")
    else None
)
# Key of the suppression list's hashes (numbers that asked to be removed). Set it once and keep
# it: with another key the list no longer recognises the numbers. Defaults to SECRET_KEY.
SPORTELLO_SUPPRESSION_KEY = env.optional("SPORTELLO_SUPPRESSION_KEY")

# --- REST API (/api/, OpenAPI at /api/schema/, docs at /api/docs/) ----------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sportello API",
    "DESCRIPTION": "Alert subscriptions for citizens, operators and the municipality's app; "
    "the plate list of the ZTL/ZSC gates' cameras.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our own static files (no CDN: works offline, tells no third party).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Sportello --------------------------------------------------------------------------
# Demo municipality: accounts created by `sportello demo` use this password (local only).
SPORTELLO_DEMO_PASSWORD = env.text("SPORTELLO_DEMO_PASSWORD", "Sportello-Demo-2026")

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
# Largest copy a clerk may upload, in bytes (nginx's client_max_body_size must allow it).
SPORTELLO_DOCUMENT_MAX_BYTES = env.integer(
    "SPORTELLO_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024
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
# The municipality's electronic seal (PAdES). "demo": the certificate made by `sportello
# certificates_demo_seal` under var/seal/ (refused in production); "pkcs12": a .p12 file and its
# passphrase; "pkcs11": a key on a token or HSM (needs python-pkcs11).
SPORTELLO_SEAL = {
    "backend": env.text("SPORTELLO_SEAL_BACKEND", "demo"),
    "demo_dir": VAR_DIR / "seal",
    "pkcs12_file": env.optional("SPORTELLO_SEAL_PKCS12_FILE"),
    "pkcs12_passphrase": env.optional("SPORTELLO_SEAL_PKCS12_PASSPHRASE"),
    "pkcs11_module": env.optional("SPORTELLO_SEAL_PKCS11_MODULE"),
    "pkcs11_token_label": env.optional("SPORTELLO_SEAL_PKCS11_TOKEN_LABEL"),
    "pkcs11_key_label": env.optional("SPORTELLO_SEAL_PKCS11_KEY_LABEL"),
    "pkcs11_cert_label": env.optional("SPORTELLO_SEAL_PKCS11_CERT_LABEL"),
    "pkcs11_pin": env.optional("SPORTELLO_SEAL_PKCS11_PIN"),
    # PEM files: intermediate certificates to embed; the roots uploaded PDFs are checked against
    # (the demo CA when unset with the demo seal).
    "chain_file": env.optional("SPORTELLO_SEAL_CHAIN_FILE"),
    "trust_roots_file": env.optional("SPORTELLO_SEAL_TRUST_ROOTS_FILE"),
    # An RFC 3161 time-stamping service makes the seal PAdES-B-T instead of B-B.
    "tsa_url": env.optional("SPORTELLO_SEAL_TSA_URL"),
}
# Imposta di bollo on a certificate unless an exemption applies (DPR 642/1972, tariffa art. 4).
SPORTELLO_CERTIFICATE_STAMP_DUTY = env.text("SPORTELLO_CERTIFICATE_STAMP_DUTY", "16.00")
# Taxonomy code (pagoPA) of the stamp duty collected on certificates with a digital stamp.
SPORTELLO_CERTIFICATE_STAMP_CATEGORY = env.text(
    "SPORTELLO_CERTIFICATE_STAMP_CATEGORY", "9/0101108TS/"
)
# Days a citizen has to pay the stamp duty of a certificate requested online.
SPORTELLO_CERTIFICATE_PAYMENT_DAYS = env.integer(
    "SPORTELLO_CERTIFICATE_PAYMENT_DAYS", 30, minimum=1
)
# Public verification: code look-ups and uploads allowed per client address in the window.
SPORTELLO_CERTIFICATE_VERIFY_LIMIT = env.integer(
    "SPORTELLO_CERTIFICATE_VERIFY_LIMIT", 30, minimum=1
)
SPORTELLO_CERTIFICATE_VERIFY_WINDOW = env.integer(
    "SPORTELLO_CERTIFICATE_VERIFY_WINDOW", 600, minimum=1
)
# Online credential requests: at most so many per client address and per e-mail address in
# the window (seconds); the acknowledgement goes to an address at most once in the window.
SPORTELLO_CREDENTIAL_REQUEST_PER_CLIENT = env.integer(
    "SPORTELLO_CREDENTIAL_REQUEST_PER_CLIENT", 5, minimum=1
)
SPORTELLO_CREDENTIAL_REQUEST_PER_ADDRESS = env.integer(
    "SPORTELLO_CREDENTIAL_REQUEST_PER_ADDRESS", 3, minimum=1
)
SPORTELLO_CREDENTIAL_REQUEST_WINDOW = env.integer(
    "SPORTELLO_CREDENTIAL_REQUEST_WINDOW", 24 * 3600, minimum=60
)
SPORTELLO_CERTIFICATE_UPLOAD_MAX_BYTES = env.integer(
    "SPORTELLO_CERTIFICATE_UPLOAD_MAX_BYTES", 5 * 1024 * 1024, minimum=1024
)

# --- ZTL / ZSC permits (docs/permits.md) ----------------------------------------------------
# Days a citizen has to pay a permit's notice; days before (and after) the end in which a
# permit can be renewed; days a permit lasts after the registry shows the holder moved out.
SPORTELLO_PERMIT_PAYMENT_DAYS = env.integer("SPORTELLO_PERMIT_PAYMENT_DAYS", 30, minimum=1)
SPORTELLO_PERMIT_RENEWAL_DAYS = env.integer("SPORTELLO_PERMIT_RENEWAL_DAYS", 60, minimum=1)
SPORTELLO_PERMIT_MOVE_GRACE_DAYS = env.integer("SPORTELLO_PERMIT_MOVE_GRACE_DAYS", 30, minimum=0)
# The public check (plate + code): checks allowed per client address in the window, so that
# codes cannot be tried by the million (the address as core.services.client_ip finds it).
SPORTELLO_PERMIT_CHECK_LIMIT = env.integer("SPORTELLO_PERMIT_CHECK_LIMIT", 30, minimum=1)
SPORTELLO_PERMIT_CHECK_WINDOW = env.integer("SPORTELLO_PERMIT_CHECK_WINDOW", 600, minimum=1)

# --- Alert dispatch (issue 5) --------------------------------------------------------------
# Providers' capacity, shared by all workers (channels.limits): messages (or new calls) per
# second and simultaneous lines, per medium. Empty = uncapped (the simulator).
SPORTELLO_CHANNEL_LIMITS = {
    "voice": {
        "rate": env.integer("SPORTELLO_VOICE_RATE", 0),
        "lines": env.integer("SPORTELLO_VOICE_LINES", 0),
    },
    "sms": {"rate": env.integer("SPORTELLO_SMS_RATE", 0)},
    "fax": {"lines": env.integer("SPORTELLO_FAX_LINES", 0)},
    "email": {"rate": env.integer("SPORTELLO_EMAIL_RATE", 0)},
}
# Where those limits are counted: redis://… in production (one budget for every worker on every
# machine); memory:// counts per process (one machine, one worker).
SPORTELLO_RATE_LIMIT_URL = env.text("SPORTELLO_RATE_LIMIT_URL", "memory://")
# A line is held at most this long if the end of a call is never reported.
SPORTELLO_LINE_HOLD_SECONDS = env.integer("SPORTELLO_LINE_HOLD_SECONDS", 600)
# Average length of an alert call, for the time estimates.
SPORTELLO_CALL_SECONDS = env.integer("SPORTELLO_CALL_SECONDS", 40)
# Rows a worker claims at once (uncapped media), workers queued per medium and dispatch, and how
# long a claimed row may stay "sending" before the watchdog asks the provider about it.
SPORTELLO_DISPATCH_BATCH = env.integer("SPORTELLO_DISPATCH_BATCH", 2000)
SPORTELLO_DISPATCH_WORKERS = {
    "voice": env.integer("SPORTELLO_DISPATCH_WORKERS_VOICE", 2),
    "sms": env.integer("SPORTELLO_DISPATCH_WORKERS_SMS", 2),
    "fax": env.integer("SPORTELLO_DISPATCH_WORKERS_FAX", 1),
    "email": env.integer("SPORTELLO_DISPATCH_WORKERS_EMAIL", 2),
}
SPORTELLO_DISPATCH_LEASE_SECONDS = env.integer("SPORTELLO_DISPATCH_LEASE_SECONDS", 120)
SPORTELLO_DISPATCH_WATCHDOG_SECONDS = env.integer("SPORTELLO_DISPATCH_WATCHDOG_SECONDS", 30)
# Unanswered or busy calls: attempts in all, minutes between them, then an SMS to mobiles.
SPORTELLO_VOICE_ATTEMPTS = env.integer("SPORTELLO_VOICE_ATTEMPTS", 3)
SPORTELLO_VOICE_RETRY_MINUTES = env.integer("SPORTELLO_VOICE_RETRY_MINUTES", 5)
SPORTELLO_SMS_FALLBACK = env.boolean("SPORTELLO_SMS_FALLBACK", True)
# Subscriptions never verified are deleted (with their codes) after this many hours.
SPORTELLO_PENDING_SUBSCRIPTION_HOURS = env.integer(
    "SPORTELLO_PENDING_SUBSCRIPTION_HOURS", 72, minimum=1
)
# Four-eyes rule: an alert goes out only after a second operator approves it.
SPORTELLO_ALERT_FOUR_EYES = env.boolean("SPORTELLO_ALERT_FOUR_EYES", False)
# Phone simulator: seconds a call rings before "no answer"; with CALL_SECONDS set, every call is
# answered and ends after that many seconds by itself (benchmarks, unattended drills).
SPORTELLO_SIMULATOR_RING_SECONDS = env.integer("SPORTELLO_SIMULATOR_RING_SECONDS", 120)
SPORTELLO_SIMULATOR_CALL_SECONDS = env.integer("SPORTELLO_SIMULATOR_CALL_SECONDS", 0)
# Map tiles of the alert console (Leaflet URL template, e.g. the comune's own tile server) and
# their attribution (HTML). "none" shows no tiles: the map then draws the stradario's civic
# numbers as dots, which is enough to draw an area offline.
_map_tiles = env.text("SPORTELLO_MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
SPORTELLO_MAP_TILES = "" if _map_tiles.strip().lower() == "none" else _map_tiles
SPORTELLO_MAP_ATTRIBUTION = env.text(
    "SPORTELLO_MAP_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
)
CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += [
    *tile_origins(SPORTELLO_MAP_TILES),
    *CSP_IMAGE_SOURCES,
]
# Legal pages (Modello Comuni): the full privacy notice on the comune's site, the comune's
# accessibility statement on AgID's platform, and where to report a disservice (the comune's own
# service if it has one; otherwise the page of this site that explains how).
SPORTELLO_PRIVACY_NOTICE_URL = env.text("SPORTELLO_PRIVACY_NOTICE_URL", "")
SPORTELLO_ACCESSIBILITY_STATEMENT_URL = env.text(
    "SPORTELLO_ACCESSIBILITY_STATEMENT_URL", "https://form.agid.gov.it/"
)
SPORTELLO_REPORT_INEFFICIENCY_URL = env.text("SPORTELLO_REPORT_INEFFICIENCY_URL", "")
SPORTELLO_CAP_FEEDS = env.items("SPORTELLO_CAP_FEEDS", [])  # CAP/Atom/RSS URLs polled (docs/cap.md)

# --- Payments with pagoPA (docs/payments.md) --------------------------------------------------
# The provider: the simulator (a local checkout page, receipts delivered by the worker) or the
# real platform, sportello.payments.providers.pagopa.PagoPA (GPD, receipts API, Checkout).
SPORTELLO_PAYMENTS_PROVIDER = env.text(
    "SPORTELLO_PAYMENTS_PROVIDER", "sportello.payments.providers.simulator.Simulator"
)
# The comune's segregation code (2 digits, from its pagoPA set-up): part of every IUV.
SPORTELLO_PAGOPA_SEGREGATION_CODE = env.text("SPORTELLO_PAGOPA_SEGREGATION_CODE", "47")
# The treasury account credited by default (a demo IBAN that only passes the check digits).
SPORTELLO_PAGOPA_IBAN = env.text("SPORTELLO_PAGOPA_IBAN", "IT17J0100513900000000012345")
SPORTELLO_PAGOPA_GPD_URL = env.text(
    "SPORTELLO_PAGOPA_GPD_URL", "https://api.platform.pagopa.it/gpd/debt-positions-service/v1"
)
SPORTELLO_PAGOPA_RECEIPTS_URL = env.text(
    "SPORTELLO_PAGOPA_RECEIPTS_URL",
    "https://api.platform.pagopa.it/gpd/payments-receipts-service/v1",
)
SPORTELLO_PAGOPA_CHECKOUT_URL = env.text(
    "SPORTELLO_PAGOPA_CHECKOUT_URL", "https://api.platform.pagopa.it/checkout/ec/v1"
)
# Subscription keys of pagoPA's API products (secrets: _FILE variants accepted).
SPORTELLO_PAGOPA_GPD_KEY = env.optional("SPORTELLO_PAGOPA_GPD_KEY")
SPORTELLO_PAGOPA_CHECKOUT_KEY = env.optional("SPORTELLO_PAGOPA_CHECKOUT_KEY")
SPORTELLO_PAGOPA_TIMEOUT = env.integer("SPORTELLO_PAGOPA_TIMEOUT", 10, minimum=1)
# Retries of a call answered 429 or 5xx (or not answered), with exponential backoff.
SPORTELLO_PAGOPA_RETRIES = env.integer("SPORTELLO_PAGOPA_RETRIES", 3, minimum=0)
SPORTELLO_PAGOPA_BACKOFF = float(env.text("SPORTELLO_PAGOPA_BACKOFF", "0.5"))
# How often the receipts API is read for payments made anywhere (bank, tobacconist, app).
SPORTELLO_PAGOPA_POLL_SECONDS = env.integer("SPORTELLO_PAGOPA_POLL_SECONDS", 300, minimum=30)
# Simulator: seconds before the receipt arrives, and whether it then arrives a second time (as
# pagoPA may send it), to show that a repeated receipt changes nothing.
SPORTELLO_PAGOPA_SIMULATOR_RECEIPT_DELAY = env.integer(
    "SPORTELLO_PAGOPA_SIMULATOR_RECEIPT_DELAY", 2, minimum=0
)
SPORTELLO_PAGOPA_SIMULATOR_DUPLICATE = env.boolean("SPORTELLO_PAGOPA_SIMULATOR_DUPLICATE", True)
