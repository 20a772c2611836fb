"""What pysaml2 needs on this machine, for our service provider and for the demo identity
provider alike: the xmlsec1 program and the attribute maps."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings

ATTRIBUTE_MAPS = Path(__file__).resolve().parent / "attribute_maps"


def xmlsec_binary() -> str | None:
    return settings.SPORTELLO_SPID["xmlsec_binary"] or shutil.which("xmlsec1")
