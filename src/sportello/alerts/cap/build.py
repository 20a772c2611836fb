"""An alert as an OASIS CAP 1.2 message: derived from the Alert row every time, never stored.

- identifier: ``urn:uuid:<Alert.identifier>``; a cancellation has its own identifier, derived
  from the alert's (UUID5), so every message keeps one stable identifier.
- sender: the civil-protection e-mail of the Municipality, else the host of the public site.
- sent: when the alert went out (``Alert.sent_at``) or was stopped (the Cancel).
- status Actual or Exercise; msgType Alert, Update (when the alert supersedes an earlier one)
  or Cancel (a stopped alert), with references to the message(s) it updates or cancels.
- one <info> per language: it-IT always, en-GB when the English texts exist.
- area: polygons (holes are left out: CAP has none, and warning more people is the safe side),
  circles, the streets as corridors around their civic numbers, and for the whole comune its
  outline plus the ISTAT geocode. The geocode is given only for the whole comune: in CAP the
  shapes and codes of an area add up, so the comune's code next to a polygon would mean "the
  whole comune".
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from lxml import etree
from shapely.geometry import Polygon

from sportello.alerts.cap.geometry import city_polygon, streets_polygons
from sportello.alerts.cap.validation import CAP_NAMESPACE
from sportello.alerts.models import Alert, AlertKind, AlertStatus
from sportello.core.selectors import municipality_get

# The words of the message around the operator's own, in the message's language (content, not
# interface strings: an Italian message says them in Italian whatever the reader's screen).
_WORDS = {
    "it": {
        "sender": "{name} - Protezione civile",
        "exercise": "ESERCITAZIONE: messaggio di prova, nessun pericolo reale.",
        "cancel": "Allerta annullata dalla protezione civile il {when}.",
        "city": "Tutto il territorio del {name}",
        "area": "Area dell'allerta",
    },
    "en": {
        "sender": "{name} - Civil protection",
        "exercise": "EXERCISE: test message, no real danger.",
        "cancel": "Alert cancelled by the civil protection on {when}.",
        "city": "The whole territory of the {name}",
        "area": "Alert area",
    },
}
CAP_LANGUAGES = {"it": "it-IT", "en": "en-GB"}
# Namespace of the identifiers derived for cancellations (fixed: changing it changes them all).
_CANCEL_NAMESPACE = uuid.UUID("5b0f4e0e-6c1c-4a7e-9d0e-2f6a6b1e7c41")
# Statuses whose alert has gone out (a stopped alert counts only if it had been sent).
PUBLISHED_STATUSES = (AlertStatus.SENDING, AlertStatus.SENT, AlertStatus.STOPPED)


class NotPublished(LookupError):
    """The alert never went out: it has no CAP message."""


@dataclass(frozen=True)
class CapReference:
    sender: str
    identifier: str
    sent: str

    def __str__(self) -> str:
        return f"{self.sender},{self.identifier},{self.sent}"


def cap_datetime(value: datetime.datetime) -> str:
    """CAP's date form: local time to the second with its offset, e.g. 2026-03-02T14:05:00+01:00
    (the schema allows neither fractions nor «Z»)."""
    local = timezone.localtime(value).replace(microsecond=0)
    return local.isoformat()


def cap_sender() -> str:
    """Who we are to CAP readers: globally unique, without spaces or commas."""
    municipality = municipality_get()
    email = (municipality.civil_protection_email if municipality else "") or ""
    if email:
        return email.strip()
    host = urlsplit(settings.SPORTELLO_PUBLIC_URL).hostname or "localhost"
    return host


def cap_identifier(alert: Alert) -> str:
    """The identifier of the alert's own message (Alert or Update)."""
    return f"urn:uuid:{alert.identifier}"


def cap_cancel_identifier(alert: Alert) -> str:
    """The identifier of the message that cancels the alert (stable, derived)."""
    return f"urn:uuid:{uuid.uuid5(_CANCEL_NAMESPACE, str(alert.identifier))}"


def is_published(alert: Alert) -> bool:
    """Alerts that went out; a re-confirmation campaign is a call to directory numbers, never
    a public warning (docs/cap.md)."""
    return (
        alert.kind == AlertKind.ALERT
        and alert.status in PUBLISHED_STATUSES
        and alert.sent_at is not None
    )


def alert_reference(alert: Alert) -> CapReference:
    """sender,identifier,sent of the alert's own message, as other messages refer to it."""
    if not is_published(alert):
        raise NotPublished(str(alert.identifier))
    return CapReference(cap_sender(), cap_identifier(alert), cap_datetime(alert.sent_at))


def _superseded(alert: Alert) -> Alert | None:
    """The earlier alert this one updates, once Alert has that link (see docs/cap.md)."""
    earlier = getattr(alert, "supersedes", None)
    return earlier if isinstance(earlier, Alert) and is_published(earlier) else None


def public_url(path: str) -> str:
    return settings.SPORTELLO_PUBLIC_URL.rstrip("/") + path


def alert_web_url(alert: Alert, language: str = "it") -> str | None:
    """The alert's permanent public page, if the public pages are installed."""
    with translation.override(language):
        try:
            return public_url(reverse("alerts:public_alert", args=[alert.identifier]))
        except NoReverseMatch:
            return None


def alert_cap_url(alert: Alert) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return public_url(reverse("alerts:cap_alert", args=[alert.identifier]))


# ---------------------------------------------------------------------------------------------
# Area


def _number(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def cap_polygon(ring: list[list[float]] | list[tuple[float, float]]) -> str:
    """A ring of [lon, lat] positions as CAP's «lat,lon lat,lon …», closed."""
    pairs = [f"{_number(lat)},{_number(lon)}" for lon, lat in ring]
    if pairs and pairs[0] != pairs[-1]:
        pairs.append(pairs[0])
    return " ".join(pairs)


def cap_circle(*, lon: float, lat: float, radius_m: float) -> str:
    """«lat,lon radius» with the radius in kilometres."""
    return f"{_number(lat)},{_number(lon)} {_number(radius_m / 1000)}"


def _shape_ring(shape: Polygon) -> list[tuple[float, float]]:
    return [(x, y) for x, y, *_rest in shape.exterior.coords]


def area_cap_parts(area: dict[str, Any]) -> dict[str, list[Any]]:
    """{"polygons": [...], "circles": [...], "geocodes": [(name, value)]} of an area spec."""
    polygons: list[str] = []
    circles: list[str] = []
    geocodes: list[tuple[str, str]] = []
    if area.get("city") is True:
        outline = city_polygon()
        if outline is not None:
            polygons.append(cap_polygon(_shape_ring(outline)))
        municipality = municipality_get()
        if municipality is not None and municipality.istat_code:
            geocodes.append(("ISTAT", municipality.istat_code))
        return {"polygons": polygons, "circles": circles, "geocodes": geocodes}
    for feature in (area.get("features") or {}).get("features") or []:
        geometry = feature["geometry"]
        if geometry["type"] == "Point":
            lon, lat = geometry["coordinates"][:2]
            circles.append(cap_circle(lon=lon, lat=lat, radius_m=feature["properties"]["radius"]))
        elif geometry["type"] == "Polygon":
            polygons.append(cap_polygon(geometry["coordinates"][0]))
        elif geometry["type"] == "MultiPolygon":
            polygons.extend(cap_polygon(rings[0]) for rings in geometry["coordinates"])
    for corridor in streets_polygons(area.get("streets") or []):
        polygons.append(cap_polygon(_shape_ring(corridor)))
    return {"polygons": polygons, "circles": circles, "geocodes": geocodes}


# ---------------------------------------------------------------------------------------------
# The message


def _sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CAP_NAMESPACE}}}{name}")
    if text is not None:
        element.text = text
    return element


def _texts(alert: Alert, language: str) -> dict[str, str] | None:
    if language == "it":
        return {
            "headline": alert.headline,
            "description": alert.description,
            "instruction": alert.instruction,
        }
    if not alert.headline_en.strip():
        return None
    return {
        "headline": alert.headline_en,
        # No Italian text in a block that says it is English: left out when not translated.
        "description": alert.description_en,
        "instruction": alert.instruction_en,
    }


def _info(
    root: etree._Element,
    alert: Alert,
    *,
    language: str,
    texts: dict[str, str],
    area: dict[str, list[Any]],
) -> None:
    municipality = municipality_get()
    name = municipality.name if municipality else ""
    words = _WORDS[language]
    info = _sub(root, "info")
    _sub(info, "language", CAP_LANGUAGES[language])
    _sub(info, "category", alert.category)
    _sub(info, "event", alert.event or texts["headline"])
    _sub(info, "urgency", alert.urgency)
    _sub(info, "severity", alert.severity)
    _sub(info, "certainty", alert.certainty)
    if alert.onset:
        _sub(info, "onset", cap_datetime(alert.onset))
    if alert.expires:
        _sub(info, "expires", cap_datetime(alert.expires))
    if name:
        _sub(info, "senderName", words["sender"].format(name=name))
    _sub(info, "headline", texts["headline"])
    if texts["description"].strip():
        _sub(info, "description", texts["description"])
    if texts["instruction"].strip():
        _sub(info, "instruction", texts["instruction"])
    web = alert_web_url(alert, language)
    if web:
        _sub(info, "web", web)
    if municipality is not None and municipality.civil_protection_email:
        _sub(info, "contact", municipality.civil_protection_email)
    if not (area["polygons"] or area["circles"] or area["geocodes"] or alert.area_description):
        return
    area_element = _sub(info, "area")
    description = alert.area_description
    if (alert.area or {}).get("city") is True and name:
        description = words["city"].format(name=name)
    _sub(area_element, "areaDesc", description or words["area"])
    for polygon in area["polygons"]:
        _sub(area_element, "polygon", polygon)
    for circle in area["circles"]:
        _sub(area_element, "circle", circle)
    for value_name, value in area["geocodes"]:
        geocode = _sub(area_element, "geocode")
        _sub(geocode, "valueName", value_name)
        _sub(geocode, "value", value)


def alert_cap_element(alert: Alert) -> etree._Element:
    """The <alert> element of the alert's current message: its Alert/Update while it is out, its
    Cancel once stopped. NotPublished for an alert that never went out."""
    if not is_published(alert):
        raise NotPublished(str(alert.identifier))
    cancelled = alert.status == AlertStatus.STOPPED
    root = etree.Element(f"{{{CAP_NAMESPACE}}}alert", nsmap={None: CAP_NAMESPACE})
    sender = cap_sender()
    earlier = _superseded(alert)
    if cancelled:
        identifier = cap_cancel_identifier(alert)
        sent = cap_datetime(alert.stopped_at or alert.sent_at)
        msg_type = "Cancel"
        references = [alert_reference(alert)]
    else:
        identifier = cap_identifier(alert)
        sent = cap_datetime(alert.sent_at)
        msg_type = "Update" if earlier is not None else "Alert"
        references = [alert_reference(earlier)] if earlier is not None else []
    _sub(root, "identifier", identifier)
    _sub(root, "sender", sender)
    _sub(root, "sent", sent)
    _sub(root, "status", "Exercise" if alert.exercise else "Actual")
    _sub(root, "msgType", msg_type)
    _sub(root, "scope", "Public")
    notes = []
    if alert.exercise:
        notes.append(_WORDS["it"]["exercise"])
    if cancelled:
        when = timezone.localtime(alert.stopped_at or alert.sent_at)
        notes.append(_WORDS["it"]["cancel"].format(when=when.strftime("%d/%m/%Y %H:%M")))
    if notes:
        _sub(root, "note", " ".join(notes))
    if references:
        _sub(root, "references", " ".join(str(reference) for reference in references))
    area = area_cap_parts(alert.area or {})
    for language in ("it", "en"):
        texts = _texts(alert, language)
        if texts is not None:
            _info(root, alert, language=language, texts=texts, area=area)
    return root


def alert_cap_xml(alert: Alert) -> bytes:
    """The alert's current CAP 1.2 message as UTF-8 XML (see alert_cap_element)."""
    return etree.tostring(
        alert_cap_element(alert), xml_declaration=True, encoding="UTF-8", pretty_print=True
    )
