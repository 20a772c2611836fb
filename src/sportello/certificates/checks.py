"""Start-up checks for the certificates' seal and settings, in words an IT officer can act on."""

from __future__ import annotations

import importlib.util
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from sportello.certificates.seal import BACKENDS, DEMO_P12


def _readable(path: str | None) -> bool:
    return bool(path) and Path(path).is_file()


def _seal_problems(conf: dict[str, Any]) -> list[CheckMessage]:
    backend = conf.get("backend")
    if backend not in BACKENDS:
        return [
            Error(
                f"SPORTELLO_SEAL_BACKEND={backend!r} is not a seal backend.",
                hint=f"Use one of: {', '.join(BACKENDS)}.",
                id="sportello.certificates.E001",
            )
        ]
    problems: list[CheckMessage] = []
    if backend == "demo":
        if not (Path(conf["demo_dir"]) / DEMO_P12).exists():
            problems.append(
                Warning(
                    "The demo seal for certificates has not been created: certificates cannot "
                    "be issued.",
                    hint="Run `sportello certificates_demo_seal` (make setup does).",
                    id="sportello.certificates.W001",
                )
            )
    elif backend == "pkcs12":
        if not _readable(conf.get("pkcs12_file")):
            problems.append(
                Error(
                    "SPORTELLO_SEAL_PKCS12_FILE must name the seal's PKCS#12 (.p12) file.",
                    hint="Set it to a file readable by Sportello, with "
                    "SPORTELLO_SEAL_PKCS12_PASSPHRASE (or _FILE).",
                    id="sportello.certificates.E002",
                )
            )
    elif backend == "pkcs11":
        missing = [
            f"SPORTELLO_SEAL_{name.upper()}"
            for name in ("pkcs11_module", "pkcs11_token_label", "pkcs11_key_label")
            if not conf.get(name)
        ]
        if missing:
            problems.append(
                Error(
                    f"The PKCS#11 seal needs {', '.join(missing)}.",
                    hint="Name the token's library, its label and the key's label "
                    "(and SPORTELLO_SEAL_PKCS11_PIN or _FILE).",
                    id="sportello.certificates.E003",
                )
            )
        if importlib.util.find_spec("pkcs11") is None:
            problems.append(
                Error(
                    "The PKCS#11 seal needs the python-pkcs11 package.",
                    hint="pip install 'pyHanko[pkcs11]'",
                    id="sportello.certificates.E004",
                )
            )
    for name in ("chain_file", "trust_roots_file"):
        if conf.get(name) and not _readable(conf[name]):
            problems.append(
                Error(
                    f"SPORTELLO_SEAL_{name.upper()}={conf[name]!r} is not a readable file.",
                    hint="Give the path of a PEM file with the certificates.",
                    id="sportello.certificates.E005",
                )
            )
    return problems


@register()
def certificate_settings(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    problems = _seal_problems(settings.SPORTELLO_SEAL)
    try:
        amount = Decimal(settings.SPORTELLO_CERTIFICATE_STAMP_DUTY)
        if amount <= 0:
            raise InvalidOperation
    except InvalidOperation:
        problems.append(
            Error(
                f"SPORTELLO_CERTIFICATE_STAMP_DUTY={settings.SPORTELLO_CERTIFICATE_STAMP_DUTY!r} "
                "is not an amount in euro.",
                hint="Write it like 16.00.",
                id="sportello.certificates.E006",
            )
        )
    if "certificates" not in settings.STORAGES:
        problems.append(
            Error(
                'STORAGES has no "certificates" storage for the sealed PDFs.',
                hint="Add a private storage (not under MEDIA_ROOT or the web root).",
                id="sportello.certificates.E007",
            )
        )
    return problems
