"""The citizens' services: REST API, documents, certificates, permits, legal pages, payments."""

from __future__ import annotations

from sportello.config import env
from sportello.config.settings.paths import VAR_DIR

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

# Largest copy a clerk may upload, in bytes (nginx's client_max_body_size must allow it).
SPORTELLO_DOCUMENT_MAX_BYTES = env.integer(
    "SPORTELLO_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024
)
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
