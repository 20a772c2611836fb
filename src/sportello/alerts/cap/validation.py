"""Reading XML safely and checking it against the OASIS CAP 1.2 schema (schema/CAP-v1.2.xsd).

Every CAP message we publish and every one we receive passes through here. The parser never
loads a DTD, resolves an entity or touches the network: a message is data from outside.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_NS = {"cap": CAP_NAMESPACE}
CAP_CONTENT_TYPE = "application/cap+xml; charset=utf-8"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "CAP-v1.2.xsd"
# An error list longer than this is cut: the first errors say what is wrong.
MAX_ERRORS = 20


class XmlRefused(ValueError):
    """The bytes are not XML we are willing to read (syntax error, DTD, empty)."""


def xml_parser() -> etree.XMLParser:
    """A parser for untrusted XML: no DTD, no entities, no network, no huge trees."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def xml_read(content: bytes) -> etree._Element:
    """The root element of `content`; XmlRefused (with the line) when it is not plain XML."""
    if not content or not content.strip():
        raise XmlRefused("empty document")
    try:
        tree = etree.fromstring(content, parser=xml_parser()).getroottree()
    except etree.XMLSyntaxError as error:
        line = getattr(error, "lineno", None) or getattr(error, "position", (0,))[0]
        raise XmlRefused(f"line {line}: {error.msg}") from error
    if tree.docinfo.doctype:
        # CAP needs no DTD; one in a received message is an attempt at entity tricks.
        raise XmlRefused("a DOCTYPE declaration is not allowed")
    return tree.getroot()


@lru_cache(maxsize=1)
def cap_schema() -> etree.XMLSchema:
    """The OASIS CAP 1.2 schema, parsed once per process."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), parser=xml_parser()))


def cap_element_errors(root: etree._Element) -> list[str]:
    """Schema errors of an already parsed <alert> element; empty when it is valid."""
    schema = cap_schema()
    if schema.validate(root):
        return []
    errors = [f"line {entry.line}: {entry.message}" for entry in schema.error_log]
    if len(errors) > MAX_ERRORS:
        errors = [*errors[:MAX_ERRORS], f"… {len(errors) - MAX_ERRORS} more"]
    return errors or ["not a valid CAP 1.2 message"]


def cap_validate(xml: bytes) -> list[str]:
    """Errors of `xml` as a CAP 1.2 message (syntax first, then the schema); [] when valid."""
    try:
        root = xml_read(xml)
    except XmlRefused as error:
        return [str(error)]
    return cap_element_errors(root)
