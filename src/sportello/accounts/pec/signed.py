"""Signed files (.p7m, CAdES): the signed content, without checking the signature."""

from __future__ import annotations

import base64
import binascii

# OID 1.2.840.113549.1.7.2 (CMS signedData), DER-encoded.
_SIGNED_DATA_OID = bytes.fromhex("2a864886f70d010702")


def signed_content(data: bytes) -> bytes:
    """The content of a CMS signedData file (DER or BER, raw or base64); b"" if unreadable."""
    if data[:1] != b"\x30":
        try:
            data = base64.b64decode(b"".join(data.split()), validate=True)
        except (binascii.Error, ValueError):
            return b""
    try:
        return _cms_content(data)
    except (IndexError, ValueError, RecursionError):
        return b""


def _ber_element(data: bytes, position: int) -> tuple[int, int, int, int]:
    """(tag byte, start of contents, end of contents, end of element) of a BER element."""
    tag = data[position]
    position += 1
    if tag & 0x1F == 0x1F:  # high tag number: skip its bytes
        while data[position] & 0x80:
            position += 1
        position += 1
    length = data[position]
    position += 1
    if length == 0x80:  # indefinite: contents end at the end-of-contents marker
        start = position
        while data[position : position + 2] != b"\x00\x00":
            position = _ber_element(data, position)[3]
        return tag, start, position, position + 2
    if length & 0x80:
        count = length & 0x7F
        if count > 8:
            raise ValueError("BER length too long")
        length = int.from_bytes(data[position : position + count], "big")
        position += count
    end = position + length
    if end > len(data):
        raise ValueError("BER element past the end of the data")
    return tag, position, end, end


def _ber_children(data: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    children = []
    while start < end:
        element = _ber_element(data, start)
        children.append(element)
        start = element[3]
    return children


def _ber_octets(data: bytes, element: tuple[int, int, int, int]) -> bytes:
    tag, start, end, _end = element
    if tag & 0x20:  # constructed OCTET STRING: the concatenation of its pieces
        return b"".join(_ber_octets(data, child) for child in _ber_children(data, start, end))
    return data[start:end]


def _cms_content(data: bytes) -> bytes:
    # ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT SignedData }
    _tag, start, end, _end = _ber_element(data, 0)
    content_type, explicit = _ber_children(data, start, end)[:2]
    if data[content_type[1] : content_type[2]] != _SIGNED_DATA_OID:
        return b""
    signed_data = _ber_children(data, explicit[1], explicit[2])[0]
    # SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo, ... }
    encapsulated = _ber_children(data, signed_data[1], signed_data[2])[2]
    # EncapsulatedContentInfo ::= SEQUENCE { eContentType OID, eContent [0] EXPLICIT OCTET STRING }
    parts = _ber_children(data, encapsulated[1], encapsulated[2])
    if len(parts) < 2:  # detached signature: no content here
        return b""
    octets = _ber_children(data, parts[1][1], parts[1][2])[0]
    return _ber_octets(data, octets)
