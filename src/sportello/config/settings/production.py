"""Production settings: refuse to start with anything insecure, and pass `check --deploy`."""

from django.core.exceptions import ImproperlyConfigured

from sportello.config import env
from sportello.config.settings.base import *  # noqa: F403
from sportello.config.settings.base import (
    ALLOWED_HOSTS,
    CACHES,
    CELERY_BROKER_URL,
    DATABASES,
    DEBUG,
    SPORTELLO_CHANNEL_LIMITS,
    SPORTELLO_PAYMENTS_PROVIDER,
    SPORTELLO_PHONE_SIMULATOR_PUBLIC,
    SPORTELLO_PUBLIC_URL,
    SPORTELLO_RATE_LIMIT_URL,
    SPORTELLO_SEAL,
    SPORTELLO_SMARTCARD_SIMULATOR,
    SPORTELLO_SPID,
)

SECRET_KEY = env.text("SECRET_KEY")

_problems = []
if DEBUG:
    _problems.append("DEBUG must be false in production")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    _problems.append("SECRET_KEY must be at least 50 random characters")
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    _problems.append("ALLOWED_HOSTS must list the site's host names (no '*')")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    _problems.append("DATABASE_URL must point to PostgreSQL (postgres://…)")
if CELERY_BROKER_URL.startswith(("filesystem://", "memory://")):
    _problems.append("CELERY_BROKER_URL must be a Redis or RabbitMQ URL (redis://, amqp://)")
if "redis" not in CACHES["default"]["BACKEND"].lower() and "memcache" not in (
    CACHES["default"]["BACKEND"].lower()
):
    # Verification codes and limits must be seen by every web and worker machine.
    _problems.append("CACHE_URL must be a shared cache (redis://…)")
if SPORTELLO_PHONE_SIMULATOR_PUBLIC:
    _problems.append("SPORTELLO_PHONE_SIMULATOR_PUBLIC must be false (it shows anyone's messages)")
if SPORTELLO_SEAL["backend"] == "demo":
    # Certificates must carry the municipality's own seal, never the one made on this machine.
    _problems.append("SPORTELLO_SEAL_BACKEND must be pkcs12 or pkcs11 (the demo seal is refused)")
if ".payments.providers.simulator." in SPORTELLO_PAYMENTS_PROVIDER:
    # The simulator lets anyone declare a notice paid.
    _problems.append("SPORTELLO_PAYMENTS_PROVIDER must be the pagoPA provider, not the simulator")
if SPORTELLO_SMARTCARD_SIMULATOR:
    _problems.append(
        "SPORTELLO_SMARTCARD_SIMULATOR must be false (the simulated card logs anyone in)"
    )
if SPORTELLO_SPID["demo_idp"]:
    _problems.append(
        "SPORTELLO_SPID_DEMO_IDP must be false (the demo identity provider logs anyone in)"
    )
if SPORTELLO_SPID["enabled"] and not SPORTELLO_SPID["base_url"]:
    # The entityID is the SP's name in the federation: it must not follow the Host header.
    SPORTELLO_SPID["base_url"] = SPORTELLO_PUBLIC_URL
if SPORTELLO_SPID["enabled"] and not SPORTELLO_SPID["base_url"].startswith("https://"):
    _problems.append("SPORTELLO_SPID_BASE_URL (or SPORTELLO_PUBLIC_URL) must be an https:// URL")
_capped = any(value for limits in SPORTELLO_CHANNEL_LIMITS.values() for value in limits.values())
if _capped and not SPORTELLO_RATE_LIMIT_URL.startswith(("redis://", "rediss://", "unix://")):
    # Caps counted per process would be multiplied by the number of workers.
    _problems.append("SPORTELLO_RATE_LIMIT_URL must be a Redis URL when provider caps are set")
if _problems:
    raise ImproperlyConfigured("Insecure production settings: " + "; ".join(_problems) + ".")

# The phone simulator shows every message sent to any number: off unless a drill needs it.
SPORTELLO_PHONE_SIMULATOR_ENABLED = env.boolean("SPORTELLO_PHONE_SIMULATOR_ENABLED", False)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
# The identity provider posts the response from its own site (see base.py).
SAML_SESSION_COOKIE_SAMESITE = "None"
CSRF_COOKIE_SECURE = True
