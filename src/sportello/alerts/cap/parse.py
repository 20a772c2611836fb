"""A CAP 1.2 message from an upstream authority (regional civil protection, the national system)
turned into a *draft* alert for an operator to review and send: never sent by itself.

The message is checked against the schema first; then the Italian <info> (else the first) gives
the content, the English one the English texts. Its area is mapped onto the comune: polygons and
circles become the area spec's features (shapes wholly outside the comune are left out, shapes
larger than the comune are cut to its territory), a geocode with our ISTAT code means the whole
comune, and an area holding every civic number becomes the whole comune. The result is checked
by alerts.targeting.area_clean like any area an operator draws.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import shapely
import shapely.errors
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from lxml import etree
from shapely.geometry import mapping

from sportello.alerts.cap.validation import (
    CAP_NAMESPACE,
    CAP_NS,
    XmlRefused,
    cap_element_errors,
    xml_read,
)
from sportello.alerts.models import (
    Alert,
    AlertCategory,
    AlertCertainty,
    AlertSeverity,
    AlertStatus,
    AlertUrgency,
)
from sportello.alerts.texts import alert_draft_save
from sportello.core.exceptions import ApplicationError
from sportello.core.selectors import municipality_get
from sportello.core.services import audit_record
from sportello.places.areas.civic_points import civic_points
from sportello.places.areas.labels import area_summary
from sportello.places.areas.selection import area_civic_count
from sportello.places.areas.shapes import circle_polygon, feature_shape, territory
from sportello.places.areas.spec import MAX_RADIUS_M
from sportello.places.areas.validation import area_clean

MAX_CAP_BYTES = 1024 * 1024
# Once a message was imported from a feed it is never imported again: remembered this long
# (and for good in the Alert's source fields once they exist, see docs/cap.md).
SEEN_SECONDS = 90 * 24 * 3600
SEEN_KEY = "sportello.alerts.cap.seen.{digest}"
# The login that imported drafts are "created by" when no operator uploaded them (polling).
IMPORT_USERNAME = "importazione-cap"
_HEADLINE_MAX = 160
_EVENT_MAX = 120
_AREA_DESCRIPTION_MAX = 250
_ISTAT_NAME = re.compile(r"istat", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------
# Reading


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


# ---------------------------------------------------------------------------------------------
# The area


def _coordinates(token: str) -> tuple[float, float] | None:
    """«lat,lon» -> (lon, lat), None when it is not two numbers."""
    parts = token.split(",")
    if len(parts) != 2:
        return None
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    return lon, lat


def _polygon_feature(text: str, *, number: int, where: str) -> dict[str, Any]:
    ring = []
    for token in text.split():
        position = _coordinates(token)
        if position is None:
            raise ApplicationError(
                _(
                    "Il poligono %(number)s dell'area «%(area)s» ha una coppia di coordinate "
                    "scritta male («%(token)s»): CAP vuole «latitudine,longitudine» separate da "
                    "spazi. Non è stato importato nulla."
                )
                % {"number": number, "area": where, "token": token[:40]}
            )
        ring.append([position[0], position[1]])
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {},
    }


def _circle_feature(text: str, *, number: int, where: str) -> dict[str, Any]:
    parts = text.split()
    position = _coordinates(parts[0]) if len(parts) == 2 else None
    try:
        radius_km = float(parts[1]) if position is not None else None
    except ValueError:
        radius_km = None
    if position is None or radius_km is None:
        raise ApplicationError(
            _(
                "Il cerchio %(number)s dell'area «%(area)s» è scritto male («%(text)s»): CAP "
                "vuole «latitudine,longitudine raggio in km». Non è stato importato nulla."
            )
            % {"number": number, "area": where, "text": text[:60]}
        )
    lon, lat = position
    if radius_km * 1000 > MAX_RADIUS_M:
        # A regional circle: as a polygon, to be cut to the comune below.
        polygon = circle_polygon(lon=lon, lat=lat, radius=radius_km * 1000)
        return {
            "type": "Feature",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[list(p) for p in polygon.exterior.coords]],
            },
            "properties": {},
        }
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {"radius": radius_km * 1000},
    }


def _as_lists(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_as_lists(item) for item in value]
    return value


def _polygon_features(shape: shapely.Geometry) -> list[dict[str, Any]]:
    """The polygonal parts of a shapely geometry as features (lines and points are dropped)."""
    parts = list(getattr(shape, "geoms", [shape]))
    features = []
    for part in parts:
        if part.geom_type in ("Polygon", "MultiPolygon") and not part.is_empty:
            geometry = mapping(part)
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": geometry["type"],
                        "coordinates": _as_lists(geometry["coordinates"]),
                    },
                    "properties": {},
                }
            )
    return features


def _well_formed(feature: dict[str, Any]) -> bool:
    """A circle, or a polygon whose ring is closed with at least 3 vertices, as CAP requires
    (shapely would close an open ring silently)."""
    if feature["geometry"]["type"] == "Point":
        return True
    (ring,) = feature["geometry"]["coordinates"]
    return len(ring) >= 4 and ring[0] == ring[-1]


@dataclass
class MappedArea:
    area: dict[str, Any]
    notes: list[str]
    description: str


def _istat(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return digits.zfill(6) if digits else ""


def cap_area_map(areas: list[CapArea]) -> MappedArea:
    """The area spec of the comune that the message's areas cover; ApplicationError when they
    are outside the comune or malformed. An area that cannot be placed (only codes we do not
    know) gives an empty spec and a note: the operator chooses the area."""
    municipality = municipality_get()
    ours = _istat(municipality.istat_code) if municipality and municipality.istat_code else ""
    description = "; ".join(area.description for area in areas if area.description)
    features: list[dict[str, Any]] = []
    for area in areas:
        where = area.description or "?"
        if ours and any(
            _ISTAT_NAME.search(name) and _istat(value) == ours for name, value in area.geocodes
        ):
            # Shapes and codes of an area add up: our code alone means the whole comune.
            return MappedArea({"city": True}, [], description)
        for number, text in enumerate(area.polygons, start=1):
            features.append(_polygon_feature(text, number=number, where=where))
        for number, text in enumerate(area.circles, start=1):
            features.append(_circle_feature(text, number=number, where=where))
    if not features:
        return MappedArea(
            {},
            [
                _(
                    "Il messaggio non descrive l'area con poligoni, cerchi o il codice ISTAT del "
                    "Comune: scegli tu l'area prima di inviare l'allerta."
                )
            ],
            description,
        )
    land = territory()
    kept: list[dict[str, Any]] = []
    left_out = 0
    for feature in features:
        if not _well_formed(feature):
            kept.append(feature)  # never repaired: area_clean says what is wrong with it
            continue
        try:
            shape = feature_shape(feature)
        except (ValueError, TypeError, IndexError, shapely.errors.ShapelyError):
            kept.append(feature)
            continue
        if land is None or not shapely.is_valid(shape):
            kept.append(feature)
            continue
        if not shape.intersects(land):
            left_out += 1
            continue
        if feature["geometry"]["type"] != "Point" and not land.contains(shape):
            kept.extend(_polygon_features(shape.intersection(land)))
        else:
            kept.append(feature)
    name = municipality.name if municipality else _("il Comune")
    if not kept:
        raise ApplicationError(
            _(
                "L'area del messaggio («%(area)s») è tutta fuori dal territorio del %(name)s: "
                "non riguarda il Comune e non è stato importato nulla."
            )
            % {"area": description or "?", "name": name}
        )
    notes = []
    if left_out:
        notes.append(
            ngettext(
                "%(count)s area del messaggio è fuori dal territorio del Comune ed è stata "
                "lasciata fuori.",
                "%(count)s aree del messaggio sono fuori dal territorio del Comune e sono state "
                "lasciate fuori.",
                left_out,
            )
            % {"count": left_out}
        )
    area = {"features": {"type": "FeatureCollection", "features": kept}}
    try:
        cleaned = area_clean(area)
    except ValidationError as error:
        raise ApplicationError(
            _("L'area del messaggio non si può usare: non è stato importato nulla."),
            extra={"errors": list(error.messages)},
        ) from error
    total = len(civic_points())
    if total and area_civic_count(cleaned) == total:
        notes.append(
            _(
                "L'area del messaggio comprende tutti i numeri civici: la bozza è per tutto il "
                "Comune."
            )
        )
        return MappedArea({"city": True}, notes, description)
    return MappedArea(cleaned, notes, description)


# ---------------------------------------------------------------------------------------------
# The draft


@dataclass
class CapImport:
    alert: Alert
    message: CapMessage
    notes: list[str]
    # A Cancel: `alert` is the draft made from the cancelled message (withdrawn if not sent).
    cancelled: bool = False


def _alert_has(field_name: str) -> bool:
    try:
        Alert._meta.get_field(field_name)
    except FieldDoesNotExist:
        return False
    return True


def _seen_key(sender: str, identifier: str) -> str:
    digest = hashlib.sha256(f"{sender}\n{identifier}".encode()).hexdigest()
    return SEEN_KEY.format(digest=digest)


def cap_imported_alert(*, sender: str, identifier: str) -> Alert | None:
    """The draft a message already became, if it is still there."""
    if _alert_has("source_identifier"):
        return Alert.objects.filter(source_sender=sender, source_identifier=identifier).first()
    pk = cache.get(_seen_key(sender, identifier))
    return Alert.objects.filter(pk=pk).first() if pk else None


def cap_seen(*, sender: str, identifier: str) -> bool:
    """Whether this message was ever imported (even if its draft was deleted since)."""
    return (
        cache.get(_seen_key(sender, identifier)) is not None
        or cap_imported_alert(sender=sender, identifier=identifier) is not None
    )


def cap_import_user() -> Any:
    """The login recorded as author of drafts imported by polling: inactive, cannot log in."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=IMPORT_USERNAME,
        defaults={"first_name": "Importazione CAP", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _choice(value: str, choices: type, default: str) -> str:
    return value if value in choices.values else default


def _content(info: CapInfo, english: CapInfo | None) -> dict[str, Any]:
    headline = info.headline or info.event
    values: dict[str, Any] = {
        "event": _cut(info.event, _EVENT_MAX),
        "category": _choice(info.category, AlertCategory, AlertCategory.OTHER),
        "urgency": _choice(info.urgency, AlertUrgency, AlertUrgency.UNKNOWN),
        "severity": _choice(info.severity, AlertSeverity, AlertSeverity.UNKNOWN),
        "certainty": _choice(info.certainty, AlertCertainty, AlertCertainty.UNKNOWN),
        "headline": _cut(headline, _HEADLINE_MAX),
        "description": info.description or headline,
        "instruction": info.instruction,
        "onset": info.onset,
        "expires": info.expires,
    }
    if english is not None and (english.headline or english.event):
        english_headline = english.headline or english.event
        values.update(
            headline_en=_cut(english_headline, _HEADLINE_MAX),
            description_en=english.description or english_headline,
            instruction_en=english.instruction,
        )
    return values


# Marks the Italian fields of a draft imported without Italian texts (see cap_import).
TO_TRANSLATE = "[DA TRADURRE]"


def _merged(infos: list[CapInfo], notes: list[str]) -> CapInfo | None:
    """One block for the draft from every <info> of a language, none dropped: the first's
    headline and figures, every block's description and instruction in order, all areas."""
    if not infos:
        return None
    if len(infos) == 1:
        return infos[0]
    first = infos[0]
    notes.append(
        _(
            "Il messaggio ha %(count)d blocchi di testo in «%(language)s»: la bozza li riporta "
            "tutti, uno dopo l'altro. Controlla che il testo si legga bene."
        )
        % {"count": len(infos), "language": first.language}
    )

    def joined(name: str, with_headline: bool) -> str:
        parts = []
        for info in infos:
            text = getattr(info, name).strip()
            title = (info.headline or info.event).strip()
            if text and with_headline and title:
                text = f"{title}: {text}"
            if text and text not in parts:
                parts.append(text)
        return "\n\n".join(parts)

    return dataclasses.replace(
        first,
        description=joined("description", with_headline=True),
        instruction=joined("instruction", with_headline=False),
        areas=[area for info in infos for area in info.areas],
    )


def _references(message: CapMessage) -> list[tuple[str, str]]:
    """(sender, identifier) of each message a Cancel or Update refers to."""
    pairs = []
    for reference in message.references.split():
        parts = reference.split(",")
        if len(parts) >= 2:
            pairs.append((parts[0], parts[1]))
    return pairs


@transaction.atomic
def _cancel_import(message: CapMessage, *, by: Any, request: Any) -> CapImport:
    """A Cancel from the authority: the drafts made of the messages it cancels are withdrawn
    (never sent); one already sent is only pointed out, for the operator to stop or update."""
    query = Q(pk__in=[])
    for sender, identifier in _references(message):
        query |= Q(source_sender=sender, source_identifier=identifier)
    alerts = list(Alert.objects.select_for_update().filter(query).order_by("pk"))
    if not alerts:
        raise ApplicationError(
            _(
                "Il messaggio annulla un'allerta precedente (%(references)s) che non è stata "
                "importata qui: non c'è nessuna bozza da ritirare."
            )
            % {"references": message.references or "?"}
        )
    notes = []
    now = timezone.now()
    for alert in alerts:
        if alert.status in (
            AlertStatus.DRAFT,
            AlertStatus.AWAITING_APPROVAL,
            AlertStatus.SCHEDULED,
        ):
            alert.status, alert.stopped_at, alert.stopped_by = AlertStatus.STOPPED, now, by
            alert.save(update_fields=["status", "stopped_at", "stopped_by"])
            audit_record(
                action="alert.cap_cancel",
                actor=by,
                target=alert,
                request=request,
                detail={"sender": message.sender, "identifier": message.identifier},
            )
            notes.append(
                _("La bozza «%(headline)s» è stata ritirata: l'ente ha annullato il messaggio.")
                % {"headline": alert.headline}
            )
        else:
            notes.append(
                _(
                    "L'allerta «%(headline)s», fatta dal messaggio annullato, è già partita: "
                    "interrompila o aggiornala dalla sua pagina."
                )
                % {"headline": alert.headline}
            )
    return CapImport(alert=alerts[0], message=message, notes=notes, cancelled=True)


def _refuse_kind(message: CapMessage) -> None:
    if message.status not in ("Actual", "Exercise"):
        raise ApplicationError(
            _(
                "Il messaggio ha stato «%(status)s»: è una prova tecnica o una bozza dell'ente "
                "che lo ha emesso, non un'allerta. Non è stato importato nulla."
            )
            % {"status": message.status}
        )
    if message.msg_type not in ("Alert", "Update", "Cancel"):
        raise ApplicationError(
            _(
                "Il messaggio è di tipo «%(kind)s» (una conferma o una segnalazione di errore "
                "tra sistemi), non un'allerta: non è stato importato nulla."
            )
            % {"kind": message.msg_type}
        )
    if not message.infos:
        raise ApplicationError(
            _(
                "Il messaggio non contiene nessun testo (elemento «info»): non c'è niente da "
                "importare."
            )
        )


def cap_import(
    xml: bytes,
    *,
    by: Any,
    request: Any = None,
    origin: str = "upload",
    url: str = "",
) -> CapImport:
    """Make a draft alert of a CAP 1.2 message; ApplicationError, with nothing saved, when the
    message is invalid, is not an alert, concerns another territory, or is already a draft."""
    message = cap_read(xml)
    _refuse_kind(message)
    if message.msg_type == "Cancel":
        return _cancel_import(message, by=by, request=request)
    existing = cap_imported_alert(sender=message.sender, identifier=message.identifier)
    if existing is not None:
        raise ApplicationError(
            _("Questo messaggio è già stato importato: è la bozza «%(headline)s».")
            % {"headline": existing.headline},
            extra={"alert": existing.pk},
        )
    notes: list[str] = []
    italian = _merged([info for info in message.infos if info.italian], notes)
    english = _merged([info for info in message.infos if info.english], notes)
    chosen = italian or english or _merged(message.infos[:1], notes)
    if italian is None:
        # The Italian fields must be written by the operator: they are marked, and the alert
        # cannot be sent while the mark is there (sending._ready_check).
        notes.append(
            _(
                "Il messaggio non ha testi in italiano: i campi in italiano riportano quelli in "
                "«%(language)s», segnati «%(mark)s». Traducili: finché il segno resta l'allerta "
                "non si può inviare."
            )
            % {"language": chosen.language, "mark": TO_TRANSLATE}
        )
    areas = chosen.areas or next((info.areas for info in message.infos if info.areas), [])
    mapped = cap_area_map(areas)
    notes.extend(mapped.notes)
    if message.msg_type == "Update":
        notes.append(
            _("Il messaggio aggiorna un'allerta precedente dello stesso ente (%(references)s).")
            % {"references": message.references or "?"}
        )
    if chosen.expires is not None and chosen.expires <= timezone.now():
        notes.append(
            _("Il messaggio è già scaduto (%(when)s): correggi la fine validità prima dell'invio.")
            % {"when": date_format(timezone.localtime(chosen.expires), "SHORT_DATETIME_FORMAT")}
        )
    values = _content(chosen, english)
    if italian is None:
        for name in ("headline", "description", "instruction"):
            if values[name]:
                values[name] = (
                    _cut(f"{TO_TRANSLATE} {values[name]}", _HEADLINE_MAX)
                    if (name == "headline")
                    else f"{TO_TRANSLATE} {values[name]}"
                )
    values["exercise"] = message.status == "Exercise"
    try:
        alert = _draft_create(
            message, values=values, mapped=mapped, by=by, request=request, origin=origin, url=url
        )
    except IntegrityError as error:
        # Imported meanwhile by another process (the unique source constraint, see docs/cap.md).
        raise ApplicationError(_("Questo messaggio è già stato importato.")) from error
    # Remembered apart from the draft: a draft deleted by an operator is not imported again.
    cache.set(_seen_key(message.sender, message.identifier), alert.pk, timeout=SEEN_SECONDS)
    return CapImport(alert=alert, message=message, notes=notes)


@transaction.atomic
def _draft_create(
    message: CapMessage,
    *,
    values: dict[str, Any],
    mapped: MappedArea,
    by: Any,
    request: Any,
    origin: str,
    url: str,
) -> Alert:
    alert = alert_draft_save(alert=None, values=values, by=by)
    if mapped.area:
        alert.area = mapped.area
        summary = area_summary(mapped.area)
        alert.area_description = _cut(
            f"{summary} ({mapped.description})" if mapped.description else summary,
            _AREA_DESCRIPTION_MAX,
        )
    source = {
        "source_sender": message.sender,
        "source_identifier": message.identifier,
        "source_sent": message.sent,
        "source_url": url,
    }
    for name, value in source.items():
        if _alert_has(name):
            setattr(alert, name, value)
    alert.save()
    audit_record(
        action="alert.cap_import",
        actor=by,
        target=alert,
        request=request,
        detail={
            "origin": origin,
            "url": url,
            "sender": message.sender,
            "identifier": message.identifier,
            "sent": message.sent.isoformat(),
            "area": alert.area_description,
        },
    )
    return alert


def cap_to_draft(xml: bytes, *, by: Any, request: Any = None) -> Alert:
    """The draft alert made of an uploaded CAP message (see cap_import)."""
    return cap_import(xml, by=by, request=request).alert
