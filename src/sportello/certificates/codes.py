"""Public certificate codes: 12 random characters of Crockford's base 32 (60 bits), shown in
groups of four (e.g. 7KQ2-M9XD-4RTB). Unguessable, short enough to type from a printout, and
forgiving when typed: case, spaces, dashes and the look-alikes O/I/L are accepted."""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U
LENGTH = 12
_CODE = re.compile(rf"^[{ALPHABET}]{{{LENGTH}}}$")
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def code_generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def code_normalize(text: str) -> str | None:
    """The stored form of a typed code, or None if it cannot be one."""
    cleaned = re.sub(r"[\s\-.]", "", (text or "")[:40]).upper().translate(_LOOK_ALIKES)
    return cleaned if _CODE.match(cleaned) else None
