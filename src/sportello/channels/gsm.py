"""How a text travels as SMS: in the GSM 7-bit alphabet (3GPP TS 23.038) when every character is
in it, in UCS-2 otherwise, and in how many parts, as a handset and an SMSC count them.

GSM-7: 160 septets in one SMS, 153 per part of a concatenated one (the 6-octet header takes 7
septets); a character of the extension table (€, [, ], {, }, ~, ^, |, \\, form feed) is sent as
ESC plus a code and counts twice. UCS-2: 70 UTF-16 code units, 67 per part; a character outside
the BMP (an emoji) takes two. A part never ends inside an escape sequence or a surrogate pair.

Not smpplib.gsm: it splits the encoded octets, cutting an escape sequence in two, and its table
has "`" where the alphabet has "§".
"""

from __future__ import annotations

from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]
GSM7: Encoding = "GSM-7"
UCS2: Encoding = "UCS-2"

# The default alphabet, in code order. 0x1B is the escape to the extension table, not a
# character: the NUL-like placeholder below keeps the positions and is never matched.
_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\ufffeÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_BASIC = {char: code for code, char in enumerate(_BASIC) if char != "\ufffe"}
GSM_EXTENSION = {
    "\f": 0x0A,
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}
ESCAPE = 0x1B

# (one message, one part of a concatenated message), in septets or UTF-16 code units.
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}
MAX_PARTS = 255  # the concatenation header counts parts in one octet


def sms_encoding(text: str) -> Encoding:
    if all(char in GSM_BASIC or char in GSM_EXTENSION for char in text):
        return GSM7
    return UCS2


def _cost(char: str, encoding: Encoding) -> int:
    if encoding == GSM7:
        return 2 if char in GSM_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def sms_length(text: str) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes."""
    encoding = sms_encoding(text)
    return sum(_cost(char, encoding) for char in text)


def sms_segments(text: str) -> list[str]:
    """The text as the parts it is sent in: one when it fits a single SMS."""
    encoding = sms_encoding(text)
    single, part = LIMITS[encoding]
    if sum(_cost(char, encoding) for char in text) <= single:
        return [text]
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for char in text:
        cost = _cost(char, encoding)
        if used + cost > part:
            parts.append("".join(current))
            current, used = [], 0
        current.append(char)
        used += cost
    parts.append("".join(current))
    return parts


def sms_segment_count(text: str) -> int:
    return len(sms_segments(text))


def gsm_encode(text: str) -> bytes:
    """GSM-7 unpacked, one septet per octet, as SMPP sends it with data_coding 0."""
    out = bytearray()
    for char in text:
        if char in GSM_BASIC:
            out.append(GSM_BASIC[char])
        elif char in GSM_EXTENSION:
            out += bytes((ESCAPE, GSM_EXTENSION[char]))
        else:
            raise ValueError(f"{char!r} is not in the GSM 7-bit alphabet")
    return bytes(out)


def gsm_decode(data: bytes) -> str:
    basic = {code: char for char, code in GSM_BASIC.items()}
    extension = {code: char for char, code in GSM_EXTENSION.items()}
    chars: list[str] = []
    escaped = False
    for code in data:
        if escaped:
            chars.append(extension.get(code, " "))  # an unknown escape shows as a space
            escaped = False
        elif code == ESCAPE:
            escaped = True
        else:
            chars.append(basic[code])
    return "".join(chars)


def sms_encode(text: str) -> tuple[Encoding, list[bytes]]:
    """The encoding and each part's bytes (GSM-7 unpacked or UTF-16BE), without headers."""
    encoding = sms_encoding(text)
    parts = sms_segments(text)
    if len(parts) > MAX_PARTS:
        raise ValueError(f"Il testo richiede {len(parts)} SMS, al massimo {MAX_PARTS}.")
    if encoding == GSM7:
        return encoding, [gsm_encode(part) for part in parts]
    return encoding, [part.encode("utf-16-be") for part in parts]
