"""Local and demo settings: embedded defaults, a secret key generated once into var/."""

import secrets

from sportello.config import env
from sportello.config.settings.base import *  # noqa: F403
from sportello.config.settings.base import VAR_DIR

DEBUG = env.boolean("DEBUG", False)


def _local_secret_key() -> str:
    configured = env.optional("SECRET_KEY")
    if configured:
        return configured
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _local_secret_key()

# The demo's operators log in with a password only; production requires TOTP (django-otp).
SPORTELLO_OPERATOR_2FA_REQUIRED = env.boolean("SPORTELLO_OPERATOR_2FA_REQUIRED", False)
# The demo's phone simulator is open to anyone trying Sportello on this machine.
SPORTELLO_PHONE_SIMULATOR_PUBLIC = env.boolean("SPORTELLO_PHONE_SIMULATOR_PUBLIC", True)
# The «SPID demo» identity provider, so that «Entra con SPID» works on this machine.
SPORTELLO_SPID["demo_idp"] = env.boolean("SPORTELLO_SPID_DEMO_IDP", True)  # noqa: F405
# The simulated smart card, so that «Accedi con la carta» can be tried without a card reader.
SPORTELLO_SMARTCARD_SIMULATOR = env.boolean("SPORTELLO_SMARTCARD_SIMULATOR", True)
