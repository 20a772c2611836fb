"""Sessions, cookies and the headers every page is sent with (Content-Security-Policy with the
map's tile server, Permissions-Policy)."""

from __future__ import annotations

from csp.constants import NONE, SELF, UNSAFE_INLINE

from sportello.config import env
from sportello.config.env import tile_origins

# Session validity (seeds: every reserved session has a preset validity). The idle and absolute
# limits are enforced by sportello.accounts.middleware, which shows "Sessione scaduta"; the
# cookie itself lives a day longer so that the expiry can be explained rather than forgotten.
SPORTELLO_SESSION_IDLE_MINUTES = env.integer("SPORTELLO_SESSION_IDLE_MINUTES", 15, minimum=1)
SPORTELLO_SESSION_MAX_HOURS = env.integer("SPORTELLO_SESSION_MAX_HOURS", 8, minimum=1)
SESSION_COOKIE_AGE = (SPORTELLO_SESSION_MAX_HOURS + 24) * 3600
# Set when smart-card login runs on its own host name (deploy/nginx/smartcard.conf), so that
# the session it opens is valid on the main site too: e.g. ".comune.example.it".
SESSION_COOKIE_DOMAIN = env.optional("SESSION_COOKIE_DOMAIN")
CSRF_COOKIE_DOMAIN = SESSION_COOKIE_DOMAIN
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Pages run only our own scripts (no inline script anywhere), load images only from here and
# the map's tile server (SPORTELLO_MAP_TILES, below), and cannot be framed. Inline styles are
# allowed: Bootstrap Italia's bundle writes <style> elements at run time (its font faces, with
# the static path in them, and form-validation labels) and embeds an icon font as data:.
CSP_IMAGE_SOURCES = env.items("SPORTELLO_CSP_IMAGE_SOURCES", [])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],  # completed with the tile server below
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Features no page uses are off for every page and anything it might embed.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    )
}

# Map tiles of the alert console (Leaflet URL template, e.g. the comune's own tile server) and
# their attribution (HTML). "none" shows no tiles: the map then draws the stradario's civic
# numbers as dots, which is enough to draw an area offline.
_map_tiles = env.text("SPORTELLO_MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
SPORTELLO_MAP_TILES = "" if _map_tiles.strip().lower() == "none" else _map_tiles
SPORTELLO_MAP_ATTRIBUTION = env.text(
    "SPORTELLO_MAP_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
)
CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] += [
    *tile_origins(SPORTELLO_MAP_TILES),
    *CSP_IMAGE_SOURCES,
]
