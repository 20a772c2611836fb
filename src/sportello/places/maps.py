"""The maps of the operators' pages (the alerts console's area and preview, the permits' zones):
Leaflet.draw's words in Italian, and the stradario's civic numbers drawn as dots, so that a map
without tiles still shows the town."""

from __future__ import annotations

from typing import Any

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _

from sportello.places.areas.civic_points import civic_points
from sportello.places.areas.shapes import territory_bounds
from sportello.places.models import CivicNumber

# Civic numbers drawn as dots on an area map (a map without tiles still shows the town).
MAX_BASEMAP_POINTS = 3000
LABELLED_BASEMAP_POINTS = 600


def draw_texts() -> dict[str, Any]:
    """Leaflet.draw's own words, in Italian (merged into L.drawLocal by area.js)."""
    cancel = {"title": _("Annulla il disegno"), "text": _("Annulla")}
    return {
        "draw": {
            "toolbar": {
                "actions": cancel,
                "finish": {"title": _("Chiudi il poligono"), "text": _("Fine")},
                "undo": {"title": _("Togli l'ultimo punto"), "text": _("Togli l'ultimo punto")},
                "buttons": {
                    "polygon": _("Disegna un poligono"),
                    "rectangle": _("Disegna un rettangolo"),
                    "circle": _("Disegna un cerchio"),
                },
            },
            "handlers": {
                "circle": {
                    "tooltip": {"start": _("Clicca sul centro e trascina per il raggio.")},
                    "radius": _("Raggio"),
                },
                "polygon": {
                    "tooltip": {
                        "start": _("Clicca per il primo vertice."),
                        "cont": _("Clicca per il vertice successivo."),
                        "end": _("Clicca sul primo vertice per chiudere il poligono."),
                    }
                },
                "polyline": {
                    "error": _("<strong>Errore:</strong> i lati non possono incrociarsi."),
                    "tooltip": {
                        "start": _("Clicca per il primo vertice."),
                        "cont": _("Clicca per il vertice successivo."),
                        "end": _("Clicca sull'ultimo vertice per finire."),
                    },
                },
                "rectangle": {"tooltip": {"start": _("Clicca e trascina per il rettangolo.")}},
                "simpleshape": {"tooltip": {"end": _("Rilascia il mouse per finire.")}},
            },
        },
        "edit": {
            "toolbar": {
                "actions": {
                    "save": {"title": _("Tieni le modifiche"), "text": _("Fatto")},
                    "cancel": {"title": _("Annulla le modifiche"), "text": _("Annulla")},
                    "clearAll": {"title": _("Togli tutte le aree"), "text": _("Togli tutto")},
                },
                "buttons": {
                    "edit": _("Modifica le aree"),
                    "editDisabled": _("Nessuna area da modificare"),
                    "remove": _("Togli un'area"),
                    "removeDisabled": _("Nessuna area da togliere"),
                },
            },
            "handlers": {
                "edit": {
                    "tooltip": {
                        "text": _("Trascina i vertici o il centro per modificare."),
                        "subtext": _("Annulla per tornare come prima."),
                    }
                },
                "remove": {"tooltip": {"text": _("Clicca un'area per toglierla.")}},
            },
        },
    }


def basemap_points(*, west: float, south: float, east: float, north: float) -> dict[str, Any]:
    """The stradario's civic numbers in view, as {"points": [[lon, lat, label?], ...], "total",
    "shown"}: an even sample beyond 3,000, labelled («Via Roma 12/A») when few."""
    points = civic_points()
    inside = points.in_box(west, south, east, north)
    total = int(inside.size)
    if total > MAX_BASEMAP_POINTS:
        inside = inside[np.linspace(0, total - 1, MAX_BASEMAP_POINTS).astype(np.int64)]
    rows: list[list[Any]] = [
        [round(float(lon), 6), round(float(lat), 6)]
        for lon, lat in zip(points.lon[inside], points.lat[inside], strict=True)
    ]
    if total <= LABELLED_BASEMAP_POINTS and total:
        ids = points.ids[inside].tolist()
        labels = {
            civic.pk: str(civic)
            for civic in CivicNumber.objects.filter(pk__in=ids).select_related("street")
        }
        for row, civic_id in zip(rows, ids, strict=True):
            row.append(labels.get(civic_id, ""))
    return {"points": rows, "total": total, "shown": len(rows)}


def area_map_config(*, civics_url: str, count_url: str, editable: bool = True) -> dict[str, Any]:
    """What the drawing map script (alerts/area.js) needs on every page that uses it: tiles,
    the territory, its two endpoints and its words; each page adds its own `texts`."""
    return {
        "tiles": settings.SPORTELLO_MAP_TILES,
        "attribution": settings.SPORTELLO_MAP_ATTRIBUTION,
        "bounds": territory_bounds(),
        "editable": editable,
        "civicsUrl": civics_url,
        "countUrl": count_url,
        "draw": draw_texts(),
        "texts": {
            "polygon": _("Poligono con %(count)s vertici"),
            "circle": _("Cerchio di %(radius)s m"),
            "remove": _("Togli"),
            "noShapes": _("Nessuna area disegnata."),
            "counting": _("Conto i numeri civici nell'area…"),
            "count": _("Nell'area: %(count)s numeri civici (%(summary)s)."),
            "countOne": _("Nell'area: 1 numero civico (%(summary)s)."),
            "countNone": _("Nessun numero civico nell'area (%(summary)s)."),
            "countFailed": _("Il conteggio non è riuscito: riprova fra poco."),
        },
    }
