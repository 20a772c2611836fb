"""Citizen identity: login methods, lockout, SPID and CIE ID, credential requests, the PEC
mailbox (sportello.accounts)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sportello.config import env
from sportello.config.settings.paths import VAR_DIR

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
