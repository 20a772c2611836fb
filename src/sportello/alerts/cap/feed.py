"""The Atom feed of the current alerts: one entry per alert, linking its public page and its CAP
message (``<link rel="alternate" type="application/cap+xml">``), as CAP aggregators expect."""

from __future__ import annotations

from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sportello.alerts.cap.build import alert_cap_url, alert_web_url, cap_identifier, public_url
from sportello.alerts.cap.selectors import alerts_in_feed, feed_last_modified
from sportello.alerts.cap.validation import CAP_CONTENT_TYPE
from sportello.alerts.models import Alert, AlertStatus
from sportello.core.selectors import municipality_get

ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8"


class CapAtomFeed(Atom1Feed):
    """Atom 1.0 with a second alternate link per entry: the CAP message."""

    content_type = ATOM_CONTENT_TYPE

    def latest_post_date(self):  # type: ignore[no-untyped-def]
        """When the feed last changed (an alert leaving it counts), not just its newest entry."""
        return self.feed.get("updated") or super().latest_post_date()

    def add_item_elements(self, handler, item) -> None:  # type: ignore[no-untyped-def]
        super().add_item_elements(handler, item)
        handler.addQuickElement(
            "link",
            "",
            {"rel": "alternate", "type": CAP_CONTENT_TYPE.split(";")[0], "href": item["cap_url"]},
        )


def entry_title(alert: Alert, *, english: bool = False) -> str:
    """The headline, with «ESERCITAZIONE» for drills and «ANNULLATA» for stopped alerts."""
    headline = alert.headline_en if english and alert.headline_en else alert.headline
    marks = []
    if alert.exercise:
        marks.append(_("ESERCITAZIONE"))
    if alert.status == AlertStatus.STOPPED:
        marks.append(_("ANNULLATA"))
    return f"[{' - '.join(marks)}] {headline}" if marks else headline


def alerts_atom_feed() -> bytes:
    """The feed in the active language (English texts where the alert has them)."""
    municipality = municipality_get()
    language = get_language() or "it"
    english = language.startswith("en")
    feed_url = public_url(reverse("alerts:cap_feed"))
    feed = CapAtomFeed(
        title=_("Allerte della protezione civile - %(name)s")
        % {"name": municipality.name if municipality else "Sportello"},
        link=public_url(reverse("alerts:cap_index")),
        description=_("Le allerte in corso, ciascuna con il suo messaggio CAP 1.2."),
        feed_url=feed_url,
        feed_guid=feed_url,
        language=language,
        author_name=municipality.name if municipality else None,
        author_email=(municipality.civil_protection_email or None) if municipality else None,
        updated=feed_last_modified(),
    )
    for alert in alerts_in_feed():
        cap_url = alert_cap_url(alert)
        moment = alert.stopped_at if alert.status == AlertStatus.STOPPED else alert.sent_at
        description = (
            alert.description_en if english and alert.description_en else alert.description
        )
        feed.add_item(
            title=entry_title(alert, english=english),
            link=alert_web_url(alert, language) or cap_url,
            description=linebreaks(description, autoescape=True),  # the summary is HTML
            unique_id=cap_identifier(alert),
            unique_id_is_permalink=False,
            pubdate=alert.sent_at,
            updateddate=moment,
            categories=[alert.category, alert.severity],
            cap_url=cap_url,
        )
    return feed.writeString("utf-8").encode("utf-8")
