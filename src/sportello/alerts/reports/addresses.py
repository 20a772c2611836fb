"""The people of an alert per address: reached or not, for the map and the PDF."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from sportello.alerts.models import Alert, Contact, Subscription
from sportello.alerts.reports.formatting import percent_of
from sportello.alerts.reports.statuses import HANDED, IN_PROGRESS, REACHED
from sportello.channels.models import Delivery
from sportello.places.models import CivicNumber, Street

UNREACHED_LISTED = 100  # unreached addresses listed under the map


def _in(statuses: tuple[str, ...]) -> str:
    return ", ".join(["%s"] * len(statuses))


def _address_rows(dispatch_id: int) -> list[tuple]:
    """Per civic number: people reached, in progress, handed over, unreached. One statement: the
    deliveries are grouped per recipient in the database, then per address."""
    deliveries = Delivery._meta.db_table
    subscriptions, contacts = Subscription._meta.db_table, Contact._meta.db_table
    civics, streets = CivicNumber._meta.db_table, Street._meta.db_table
    sql = f"""
        WITH people AS (
            SELECT d.recipient AS recipient,
                MAX(CASE WHEN d.status IN ({_in(REACHED)}) THEN 1 ELSE 0 END) AS reached,
                MAX(CASE WHEN d.status IN ({_in(IN_PROGRESS)}) THEN 1 ELSE 0 END) AS working,
                MAX(CASE WHEN d.status IN ({_in(HANDED)}) THEN 1 ELSE 0 END) AS handed
            FROM {deliveries} d
            WHERE d.dispatch_id = %s AND d.recipient <> ''
            GROUP BY d.recipient
        ), placed AS (
            SELECT p.reached, p.working, p.handed,
                CASE WHEN SUBSTR(p.recipient, 1, 1) = 's'
                    THEN CAST(SUBSTR(p.recipient, 2) AS BIGINT) END AS subscription_id,
                CASE WHEN SUBSTR(p.recipient, 1, 1) = 'c'
                    THEN CAST(SUBSTR(p.recipient, 2) AS BIGINT) END AS contact_id
            FROM people p
        )
        SELECT cn.id, cn.latitude, cn.longitude, st.street_type, st.name, cn.number,
            cn.exponent,
            SUM(pl.reached),
            SUM(CASE WHEN pl.reached = 0 AND pl.working = 1 THEN 1 ELSE 0 END),
            SUM(CASE WHEN pl.reached = 0 AND pl.working = 0 AND pl.handed = 1 THEN 1 ELSE 0 END),
            SUM(CASE WHEN pl.reached + pl.working + pl.handed = 0 THEN 1 ELSE 0 END)
        FROM placed pl
        LEFT JOIN {subscriptions} s ON s.id = pl.subscription_id
        LEFT JOIN {contacts} c ON c.id = pl.contact_id
        LEFT JOIN {civics} cn ON cn.id = COALESCE(s.civic_number_id, c.civic_number_id)
        LEFT JOIN {streets} st ON st.id = cn.street_id
        GROUP BY cn.id, cn.latitude, cn.longitude, st.street_type, st.name, cn.number,
            cn.exponent
    """  # noqa: S608 - only table names from our models are formatted in; values are parameters
    with connection.cursor() as cursor:
        params = [str(status) for status in (*REACHED, *IN_PROGRESS, *HANDED)]
        cursor.execute(sql, [*params, dispatch_id])
        return cursor.fetchall()


def _address_state(reached: int, progress: int, handed: int, unreached: int) -> str:
    # Someone not reached is what the operator must act on: it wins over the rest.
    if unreached:
        return "unreached"
    if progress:
        return "progress"
    if handed:
        return "handed"
    return "reached"


def address_state_label(state: str) -> str:
    return {
        "reached": _("Raggiunti"),
        "progress": _("In corso"),
        "handed": _("Affidati al gestore, esito non ancora noto"),
        "unreached": _("Non raggiunti"),
    }[state]


def alert_addresses(*, alert: Alert) -> dict[str, Any]:
    """The people of an alert per address, as a GeoJSON FeatureCollection (no personal data:
    an address and how many people there are in each state), with the totals."""
    people = dict.fromkeys(("reached", "progress", "handed", "unreached"), 0)
    addresses = dict.fromkeys(people, 0)
    features: list[dict[str, Any]] = []
    unplaced = 0
    if alert.dispatch_id:
        for row in _address_rows(alert.dispatch_id):
            civic_id, lat, lon, street_type, street, number, exponent = row[:7]
            counts = dict(zip(people, (int(v or 0) for v in row[7:]), strict=True))
            for key, value in counts.items():
                people[key] += value
            if civic_id is None:  # deleted meanwhile, or a contact without an address
                unplaced += sum(counts.values())
                continue
            state = _address_state(**counts)
            addresses[state] += 1
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [lon, lat]},
                    "properties": {
                        "address": f"{street_type} {street} {number}"
                        + (f"/{exponent}" if exponent else ""),
                        "state": state,
                        "state_label": address_state_label(state),
                        **counts,
                    },
                }
            )
    total = sum(people.values())
    return {
        "type": "FeatureCollection",
        "features": features,
        "people": people,
        "people_total": total,
        "addresses": addresses,
        "unplaced": unplaced,
        "reached_percent": percent_of(people["reached"], total),
    }


def unreached_addresses(collection: dict[str, Any], limit: int = UNREACHED_LISTED) -> list[dict]:
    rows = [
        feature["properties"]
        for feature in collection["features"]
        if feature["properties"]["state"] == "unreached"
    ]
    return sorted(rows, key=lambda p: p["address"])[:limit]
