"""Fax through a HylaFAX server: the page images are submitted with HylaFAX's own client,
`sendfax`, and the server's modems do the dialling.

settings.SPORTELLO_HYLAFAX = {
    "host": "fax.comune.example.it",  # required
    "port": 4559,                     # optional, HylaFAX's client-server port
    "owner": "sportello",             # optional: the job owner, the login hosts.hfaxd allows
    "sendfax": "/usr/bin/sendfax",    # optional: found on PATH otherwise
    "timeout": 60,                    # optional: seconds to wait for the submission
}
The server must let this host in without a password (a line in its etc/hosts.hfaxd).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings

from sportello.channels.base import ChannelError, DeliveryStatus, NotConfigured, ProviderResult
from sportello.channels.fax import fax_render_for
from sportello.channels.models import Delivery
from sportello.channels.phones import phone_callable, phone_e164

_REQUEST_ID = re.compile(r"request id is (\d+)")
# A server reply in sendfax's messages ("460 Failed to submit job", "Login failed: 500 ...").
_SERVER_REPLY = re.compile(r"(?:^|: )([45])\d\d ", re.MULTILINE)
# What the client rejects before any server is asked: retrying cannot change it.
_CLIENT_REFUSALS = ("Null destination", "Can not open file", "Unused options")


class HylaFax:
    name = "hylafax"

    def send(self, delivery: Delivery) -> ProviderResult:
        config = _config()
        number = phone_e164(delivery.to)
        if number is None or not phone_callable(number):
            raise ChannelError(f"Numero di fax non valido: {delivery.to}", permanent=True)
        document = fax_render_for(delivery)
        command = [
            config["sendfax"],
            "-n",  # no cover page: the document carries its own
            "-m",  # fine resolution, as the page images are
            "-s",
            "a4",
            "-o",
            config["owner"],
            "-i",
            f"sportello-{delivery.pk}",
            "-h",
            config["host"],
        ]
        tsi = phone_e164(delivery.sender) if delivery.sender else None
        if tsi:
            command += ["-S", tsi]  # the station identifier the receiving machine prints
        with tempfile.TemporaryDirectory(prefix="sportello-fax-") as folder:
            page_images = Path(folder) / f"fax-{delivery.pk}.tif"
            page_images.write_bytes(document.tiff)
            command += ["-d", number, str(page_images)]
            job_id = _submit(command, timeout=config["timeout"])
        return ProviderResult(provider_id=job_id, status=DeliveryStatus.SENT)


def _config() -> dict[str, Any]:
    config = getattr(settings, "SPORTELLO_HYLAFAX", None) or {}
    if not config.get("host"):
        raise NotConfigured("HylaFAX non configurato: manca SPORTELLO_HYLAFAX['host'].")
    sendfax = shutil.which(config.get("sendfax") or "sendfax")
    if sendfax is None:
        raise NotConfigured("HylaFAX: il programma sendfax non è installato (hylafax-client).")
    host = config["host"] + (f":{config['port']}" if config.get("port") else "")
    return {
        "host": host,
        "sendfax": sendfax,
        "owner": config.get("owner") or "sportello",
        "timeout": config.get("timeout") or 60,
    }


def _submit(command: list[str], *, timeout: float) -> str:
    """Submit and return the job id. A new session and no input: should the server ask for a
    password, sendfax must not wait for one on a terminal."""
    try:
        completed = subprocess.run(  # noqa: S603 - a fixed program, arguments as a list
            command,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise ChannelError(f"HylaFAX non ha risposto entro {timeout} s") from error
    output = f"{completed.stdout}\n{completed.stderr}"
    found = _REQUEST_ID.search(output)
    if completed.returncode == 0 and found:
        return found.group(1)
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    last = lines[-1] if lines else f"sendfax uscito con codice {completed.returncode}"
    reply = _SERVER_REPLY.search(output)
    permanent = (reply is not None and reply.group(1) == "5") or any(
        refusal in output for refusal in _CLIENT_REFUSALS
    )
    # Anything else (no route to the server, 4xx, a scheduler down) may pass: retry.
    raise ChannelError(f"HylaFAX: {last}", permanent=permanent)
