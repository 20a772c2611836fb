"""Areas of the comune: the area spec (the whole comune, polygons, circles, streets, an uploaded
GeoJSON), its validation in plain Italian, and the civic numbers that lie inside it. Alerts and
permits' zones both choose their civic numbers this way.

An area spec is {"city": true}, or {"features": <GeoJSON FeatureCollection>, "streets": [...]}
with either or both keys. Features are Polygon/MultiPolygon in WGS84 longitude/latitude, and
circles as Point features with properties.radius in metres. A street entry is
{"street": <Street id>, "from": <int|null>, "to": <int|null>, "parity": "all"|"even"|"odd"};
a civic number with an exponent (12/A) counts as its number (12).

Modules: spec (limits, parity), civic_points (the per-process arrays), geojson (reading shapes),
shapes (geometry, territory), validation (area_clean), selection (which civic numbers), labels
(descriptions).
"""
