"""CAP in by polling: the feeds of upstream authorities (SPORTELLO_CAP_FEEDS) are read from a
real HTTP server on this machine; new messages become drafts once, and a feed that times out,
fails or answers garbage is reported while the others go on."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client

from sportello.accounts.models import User
from sportello.accounts.roles import Role
from sportello.alerts.cap.importing import IMPORT_USERNAME
from sportello.alerts.cap.polling import cap_feeds_poll
from sportello.alerts.cap.tasks import cap_poll_feeds
from sportello.alerts.models import Alert, AlertStatus
from sportello.places.areas.selection import area_civic_numbers
from tests.alerts.test_cap_in import FLORENCE, regional


class Site:
    """A small web server: path -> (status, content type, body); "/lento" never answers until
    the test ends."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, str, bytes]] = {}
        self.hold = threading.Event()
        self.hits: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                site.hits.append(self.path)
                if self.path == "/lento":
                    site.hold.wait(30)
                    return
                status, kind, body = site.pages.get(self.path, (404, "text/plain", b"no"))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def add(self, path: str, body: bytes, kind: str = "application/xml", status: int = 200) -> str:
        self.pages[path] = (status, kind, body)
        return self.url + path


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site()
    server.thread.start()
    yield server
    server.hold.set()
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def atom(*entries: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:test:feed</id>'
        "<title>Allerte regionali</title><updated>2026-03-02T10:00:00+01:00</updated>"
        + "".join(entries)
        + "</feed>"
    ).encode()


def entry(number: int, *, link: str = "", content: bytes = b"") -> str:
    body = f'<link rel="alternate" type="application/cap+xml" href="{link}"/>' if link else ""
    if content:
        inline = content.decode().split("?>", 1)[1]  # without the XML declaration
        body += f'<content type="text/xml">{inline}</content>'
    return (
        f"<entry><id>urn:test:{number}</id><title>Allerta {number}</title>"
        f"<updated>2026-03-02T10:00:00+01:00</updated>{body}</entry>"
    )


def test_a_feed_is_imported_once_and_a_message_for_elsewhere_is_reported(town, site):
    site.add("/cap/nord.xml", regional())
    site.add("/cap/firenze.xml", regional(north=FLORENCE))
    drill = regional(status="Exercise")
    feed = site.add(
        "/feed.atom",
        atom(
            entry(1, link="/cap/nord.xml"),
            entry(2, link="/cap/firenze.xml"),
            entry(3, content=drill),
        ),
    )

    (report,) = cap_feeds_poll([feed])

    assert report.ok and report.error == ""
    assert len(report.imported) == 2
    drafts = Alert.objects.filter(pk__in=report.imported).order_by("pk")
    assert [alert.status for alert in drafts] == [AlertStatus.DRAFT, AlertStatus.DRAFT]
    assert [alert.exercise for alert in drafts] == [False, True]
    assert all(area_civic_numbers(alert.area) for alert in drafts)
    assert drafts[0].created_by.username == IMPORT_USERNAME
    assert not drafts[0].created_by.is_active  # nobody can log in as the importer
    (skipped,) = report.skipped
    assert "/cap/firenze.xml" in skipped and "fuori dal territorio" in skipped

    again = cap_feeds_poll([feed])[0]

    assert again.imported == [] and again.already == 2
    assert Alert.objects.count() == 2


def test_a_deleted_draft_does_not_come_back_at_the_next_poll(town, site):
    feed = site.add("/feed.atom", atom(entry(1, link="/cap/nord.xml")))
    site.add("/cap/nord.xml", regional())
    cap_feeds_poll([feed])

    Alert.objects.all().delete()
    report = cap_feeds_poll([feed])[0]

    assert report.imported == [] and report.already == 1
    assert not Alert.objects.exists()


def test_broken_feeds_are_reported_and_the_good_one_still_read(town, site):
    garbage = site.add("/rotto", b"\x00\x01 questo non e' XML", kind="text/html")
    html_page = site.add("/pagina", b"<html><body>Manutenzione</body></html>", kind="text/html")
    failing = site.add("/errore", b"errore", status=500)
    slow = site.url + "/lento"
    good = site.add("/feed.atom", atom(entry(1, link="/cap/nord.xml")))
    site.add("/cap/nord.xml", regional())

    reports = cap_feeds_poll([garbage, html_page, failing, slow, good], timeout=0.5)

    by_url = {report.url: report for report in reports}
    assert not by_url[garbage].ok and "non è XML" in by_url[garbage].error
    assert not by_url[html_page].ok and "né un feed Atom o RSS" in by_url[html_page].error
    assert not by_url[failing].ok and "HTTP 500" in by_url[failing].error
    assert not by_url[slow].ok and "nessuna risposta entro 0.5 secondi" in by_url[slow].error
    assert by_url[good].ok and len(by_url[good].imported) == 1


def test_a_missing_or_invalid_message_in_a_good_feed_is_reported(town, site):
    invalid = regional().replace(b"<scope>Public</scope>", b"<scope>Tutti</scope>")
    site.add("/cap/rotto.xml", invalid)
    feed = site.add(
        "/feed.atom", atom(entry(1, link="/cap/manca.xml"), entry(2, link="/cap/rotto.xml"))
    )

    (report,) = cap_feeds_poll([feed])

    assert report.ok and report.imported == []
    missing, broken = report.skipped
    assert "/cap/manca.xml" in missing and "HTTP 404" in missing
    assert "/cap/rotto.xml" in broken and "Tutti" in broken  # the schema's own words
    assert not Alert.objects.exists()


def test_an_rss_feed_and_a_bare_cap_url_are_read_too(town, site):
    site.add("/cap/nord.xml", regional())
    rss = site.add(
        "/rss.xml",
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Allerte</title>'
        b"<item><title>Allerta</title><link>/cap/nord.xml</link></item></channel></rss>",
    )
    bare = site.add("/cap/diretta.xml", regional())

    reports = cap_feeds_poll([rss, bare])

    assert [len(report.imported) for report in reports] == [1, 1]


def test_an_expired_message_is_not_imported(town, site):
    old = regional(
        sent="2026-01-10T08:00:00+01:00",
        onset="2026-01-10T09:00:00+01:00",
        expires="2026-01-11T09:00:00+01:00",
    )
    site.add("/cap/vecchia.xml", old)
    feed = site.add("/feed.atom", atom(entry(1, link="/cap/vecchia.xml")))

    (report,) = cap_feeds_poll([feed])

    assert report.imported == [] and "scaduto" in report.skipped[0]


def test_the_periodic_task_reads_the_configured_feeds_and_operators_see_the_outcome(
    town, site, settings
):
    good = site.add("/feed.atom", atom(entry(1, link="/cap/nord.xml")))
    site.add("/cap/nord.xml", regional())
    broken = site.add("/rotto", b"garbage", kind="text/plain")
    settings.SPORTELLO_CAP_FEEDS = [good, broken]

    reports = cap_poll_feeds.delay().get()

    assert [report["ok"] for report in reports] == [True, False]
    assert Alert.objects.count() == 1
    operator = User.objects.create_user("paola", is_staff=True)
    operator.groups.add(Group.objects.get(name=Role.CIVIL_PROTECTION))
    client = Client()
    client.force_login(operator)
    page = html.unescape(client.get("/allerta/cap/importa/").content.decode())
    assert good in page and "1 bozza nuova" in page
    assert broken in page and "non letto: il contenuto non è XML" in page
