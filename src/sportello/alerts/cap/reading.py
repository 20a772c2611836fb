"""A CAP 1.2 message read from its XML (checked against the schema first) into plain data."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from lxml import etree

from sportello.alerts.cap.validation import (
    CAP_NAMESPACE,
    CAP_NS,
    XmlRefused,
    cap_element_errors,
    xml_read,
)
from sportello.core.exceptions import ApplicationError

MAX_CAP_BYTES = 1024 * 1024


@dataclass
class CapArea:
    description: str
    polygons: list[str] = field(default_factory=list)
    circles: list[str] = field(default_factory=list)
    geocodes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class CapInfo:
    language: str
    category: str
    event: str
    urgency: str
    severity: str
    certainty: str
    onset: datetime.datetime | None
    expires: datetime.datetime | None
    headline: str
    description: str
    instruction: str
    areas: list[CapArea]

    @property
    def italian(self) -> bool:
        return self.language.lower().startswith("it")

    @property
    def english(self) -> bool:
        return self.language.lower().startswith("en")


@dataclass
class CapMessage:
    identifier: str
    sender: str
    sent: datetime.datetime
    status: str
    msg_type: str
    references: str
    note: str
    infos: list[CapInfo]

    @property
    def expires(self) -> datetime.datetime | None:
        """When the last of its <info> blocks expires (None: one of them never does)."""
        ends = [info.expires for info in self.infos]
        if not ends or any(end is None for end in ends):
            return None
        return max(ends)  # type: ignore[type-var]


def _text(parent: etree._Element, name: str) -> str:
    element = parent.find(f"cap:{name}", CAP_NS)
    return (element.text or "").strip() if element is not None else ""


def _texts(parent: etree._Element, name: str) -> list[str]:
    return [(e.text or "").strip() for e in parent.findall(f"cap:{name}", CAP_NS)]


def _moment(text: str) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(text) if text else None


def _pairs(parent: etree._Element, name: str) -> list[tuple[str, str]]:
    return [
        (_text(element, "valueName"), _text(element, "value"))
        for element in parent.findall(f"cap:{name}", CAP_NS)
    ]


def cap_refusal(errors: list[str]) -> ApplicationError:
    return ApplicationError(
        _(
            "Il file non è un messaggio CAP 1.2 valido: non è stato importato nulla. Errori "
            "trovati controllandolo con lo schema CAP 1.2:"
        ),
        extra={"errors": errors},
    )


def cap_read(xml: bytes) -> CapMessage:
    """The message in `xml`, checked against the CAP 1.2 schema first (ApplicationError with the
    schema errors in extra["errors"] otherwise)."""
    if len(xml) > MAX_CAP_BYTES:
        raise ApplicationError(_("Il file è troppo grande: un messaggio CAP sta in 1 MB."))
    try:
        root = xml_read(xml)
    except XmlRefused as error:
        raise ApplicationError(
            _("Il file non è XML leggibile: non è stato importato nulla."),
            extra={"errors": [str(error)]},
        ) from error
    if root.tag != f"{{{CAP_NAMESPACE}}}alert" and etree.QName(root).localname == "alert":
        raise ApplicationError(
            _(
                "Il messaggio usa un'altra versione di CAP (%(namespace)s): si importano solo "
                "messaggi CAP 1.2. Chiedi all'ente che lo ha emesso la versione 1.2."
            )
            % {"namespace": etree.QName(root).namespace or "?"}
        )
    errors = cap_element_errors(root)
    if errors:
        raise cap_refusal(errors)
    infos = []
    for element in root.findall("cap:info", CAP_NS):
        areas = [
            CapArea(
                description=_text(area, "areaDesc"),
                polygons=_texts(area, "polygon"),
                circles=_texts(area, "circle"),
                geocodes=_pairs(area, "geocode"),
            )
            for area in element.findall("cap:area", CAP_NS)
        ]
        infos.append(
            CapInfo(
                language=_text(element, "language") or "en-US",  # the schema's default
                category=_texts(element, "category")[0],
                event=_text(element, "event"),
                urgency=_text(element, "urgency"),
                severity=_text(element, "severity"),
                certainty=_text(element, "certainty"),
                onset=_moment(_text(element, "onset") or _text(element, "effective")),
                expires=_moment(_text(element, "expires")),
                headline=_text(element, "headline"),
                description=_text(element, "description"),
                instruction=_text(element, "instruction"),
                areas=areas,
            )
        )
    return CapMessage(
        identifier=_text(root, "identifier"),
        sender=_text(root, "sender"),
        sent=_moment(_text(root, "sent")),  # type: ignore[arg-type]
        status=_text(root, "status"),
        msg_type=_text(root, "msgType"),
        references=_text(root, "references"),
        note=_text(root, "note"),
        infos=infos,
    )
