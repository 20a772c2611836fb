"""The identity providers' metadata, fetched from the federations into the folder the SP reads.

Each URL in SPORTELLO_SPID["spid_metadata_urls"] / ["cie_metadata_urls"] (for SPID, AgID's
registry of providers; for CIE ID, the Ministry's IdP metadata) is downloaded over HTTPS and
written to <metadata_dir>/<protocol>/<hash of the URL>.xml only if it is SAML2 metadata naming
at least one identity provider: a broken download never replaces a good file. The SP notices the
new file by its modification time (accounts.spid.config).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import requests
from django.conf import settings
from saml2.mdstore import InMemoryMetaData

from sportello.accounts.models import LoginMethod

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 30
MAX_BYTES = 20 * 1024 * 1024


class MetadataError(Exception):
    pass


def idp_entities(xml: bytes) -> list[str]:
    """Entity IDs of the identity providers in SAML2 metadata; MetadataError if it is not."""
    try:
        text = xml.decode("utf-8")
        parsed = InMemoryMetaData(attrc=[], metadata=text)
        parsed.load()
    except Exception as error:  # pysaml2 raises many kinds on bad XML
        raise MetadataError(f"not SAML2 metadata: {error}") from error
    found = [entity_id for entity_id, entity in parsed.items() if entity.get("idpsso_descriptor")]
    if not found:
        raise MetadataError("no identity provider in the metadata")
    return found


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def idp_metadata_refresh() -> dict[str, int]:
    """Download every configured metadata URL; returns how many files were updated or failed."""
    spid = settings.SPORTELLO_SPID
    report = {"updated": 0, "failed": 0}
    sources = [(LoginMethod.SPID, url) for url in spid["spid_metadata_urls"]] + [
        (LoginMethod.CIE, url) for url in spid["cie_metadata_urls"]
    ]
    for protocol, url in sources:
        try:
            response = requests.get(url, timeout=TIMEOUT_SECONDS)
            response.raise_for_status()
            data = response.content[: MAX_BYTES + 1]
            if len(data) > MAX_BYTES:
                raise MetadataError("metadata larger than 20 MB")
            entities = idp_entities(data)
        except (requests.RequestException, MetadataError) as error:
            logger.warning("IdP metadata from %s not updated: %s", url, error)
            report["failed"] += 1
            continue
        name = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
        _write_atomically(Path(spid["metadata_dir"]) / protocol / f"{name}.xml", data)
        logger.info("IdP metadata from %s: %d identity providers", url, len(entities))
        report["updated"] += 1
    return report
