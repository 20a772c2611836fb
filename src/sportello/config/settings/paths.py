"""Where Sportello lives: the package, the project folder (with its .env) and var/."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import environ

from sportello.config import env

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
