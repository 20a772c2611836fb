"""Reading the municipality's PEC mailbox over IMAP.

`mailbox_fetch_unseen()` hands each unseen message to a handler and marks it seen only when the
handler returned: a message whose handling failed (a database error, a bug) stays unseen and is
tried again on the next run. A message handled whose \\Seen flag could not be set (connection
lost) is handed over again too, so handlers must be idempotent (e.g. by the PEC message id).
The password never appears in errors or logs.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError

logger = logging.getLogger(__name__)

_FETCHED_BODY = re.compile(rb"\bBODY\[\]")


class MailboxError(ApplicationError):
    """The mailbox cannot be read: unreachable, login refused, folder missing, connection lost."""


@dataclass(kw_only=True)
class MailboxSettings:
    host: str
    port: int = 993
    username: str
    password: str = field(repr=False)  # never in logs or tracebacks
    folder: str = "INBOX"
    use_ssl: bool = True
    # For a server with a certificate not signed by a public authority (tests, internal CA).
    ssl_context: ssl.SSLContext | None = None
    timeout: float = 30.0


@dataclass
class MailboxReport:
    fetched: int = 0
    handled: int = 0
    failed: int = 0


def mailbox_fetch_unseen(
    *, settings: MailboxSettings, handle: Callable[[bytes], None], limit: int = 100
) -> MailboxReport:
    """Hand the raw bytes of up to `limit` unseen messages (oldest first) to `handle`.

    Messages are read with BODY.PEEK[] so they stay unseen; each is marked \\Seen only after
    `handle` returned without raising. An exception in `handle` is logged and counted in
    `failed`; the other messages are still handled. Raises MailboxError when the server cannot
    be reached or refuses the login, the folder does not exist, or the connection breaks.
    """
    report = MailboxReport()
    client = _connect(settings=settings)
    try:
        _login(client=client, settings=settings)
        _select(client=client, settings=settings)
        for uid in _unseen_uids(client=client, settings=settings)[:limit]:
            raw = _fetch(client=client, settings=settings, uid=uid)
            if raw is None:
                continue
            report.fetched += 1
            try:
                handle(raw)
            except Exception:
                report.failed += 1
                logger.exception(
                    "mailbox %s: handling message UID %s failed; it stays unseen",
                    _where(settings),
                    uid.decode("ascii", "replace"),
                )
                continue
            report.handled += 1
            _mark_seen(client=client, settings=settings, uid=uid)
    except (imaplib.IMAP4.error, OSError) as exc:
        raise MailboxError(
            _("La lettura della casella %(where)s si è interrotta: %(error)s")
            % {"where": _where(settings), "error": _scrub(str(exc), settings)}
        ) from exc
    finally:
        _logout(client)
    logger.info(
        "mailbox %s: %d fetched, %d handled, %d failed",
        _where(settings),
        report.fetched,
        report.handled,
        report.failed,
    )
    return report


def _where(settings: MailboxSettings) -> str:
    return f"{settings.username}@{settings.host}:{settings.port}/{settings.folder}"


def _scrub(text: str, settings: MailboxSettings) -> str:
    """A server's or library's message, with the password removed should it ever be echoed."""
    if settings.password:
        text = text.replace(settings.password, "********")
    return text


def _connect(*, settings: MailboxSettings) -> imaplib.IMAP4:
    address = f"{settings.host}:{settings.port}"
    try:
        if settings.use_ssl:
            context = settings.ssl_context or ssl.create_default_context()
            return imaplib.IMAP4_SSL(
                settings.host, settings.port, ssl_context=context, timeout=settings.timeout
            )
        return imaplib.IMAP4(settings.host, settings.port, timeout=settings.timeout)
    except ssl.SSLError as exc:
        raise MailboxError(
            _("Connessione sicura con il server IMAP %(address)s non riuscita: %(error)s")
            % {"address": address, "error": exc.reason or exc}
        ) from exc
    except (OSError, imaplib.IMAP4.error) as exc:
        # socket.gaierror, ConnectionRefusedError, TimeoutError are OSErrors.
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        if isinstance(exc, TimeoutError):
            reason = _("nessuna risposta entro %(seconds)s secondi") % {
                "seconds": f"{settings.timeout:g}"
            }
        raise MailboxError(
            _("Impossibile collegarsi al server IMAP %(address)s: %(error)s")
            % {"address": address, "error": _scrub(reason, settings)}
        ) from exc


def _login(*, client: imaplib.IMAP4, settings: MailboxSettings) -> None:
    try:
        client.login(settings.username, settings.password)
    except imaplib.IMAP4.error as exc:
        if isinstance(exc, imaplib.IMAP4.abort):
            raise
        server_says = _scrub(_text(exc.args[0] if exc.args else ""), settings)
        raise MailboxError(
            _(
                "Il server IMAP %(address)s ha rifiutato l'accesso dell'utente «%(username)s»: "
                "verificare nome utente e password (risposta del server: %(reply)s)."
            )
            % {
                "address": f"{settings.host}:{settings.port}",
                "username": settings.username,
                "reply": server_says,
            }
        ) from None


def _select(*, client: imaplib.IMAP4, settings: MailboxSettings) -> None:
    try:
        status, data = client.select(_quoted(settings.folder))
    except imaplib.IMAP4.abort:
        raise
    except imaplib.IMAP4.error as exc:
        status, data = "NO", [exc.args[0] if exc.args else b""]
    if status != "OK":
        raise MailboxError(
            _("La cartella «%(folder)s» non si può aprire nella casella %(where)s: %(reply)s")
            % {
                "folder": settings.folder,
                "where": f"{settings.username}@{settings.host}:{settings.port}",
                "reply": _scrub(_text(data[0] if data else ""), settings),
            }
        )


def _unseen_uids(*, client: imaplib.IMAP4, settings: MailboxSettings) -> list[bytes]:
    status, data = client.uid("SEARCH", None, "UNSEEN")
    if status != "OK":
        raise MailboxError(
            _("La ricerca dei messaggi non letti nella casella %(where)s non è riuscita.")
            % {"where": _where(settings)}
        )
    uids = b" ".join(item for item in data if isinstance(item, bytes)).split()
    return sorted(uids, key=int)


def _fetch(*, client: imaplib.IMAP4, settings: MailboxSettings, uid: bytes) -> bytes | None:
    status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status == "OK":
        for item in data:
            # (b'1 (UID 1 BODY[] {1234}', b'<the message>')
            if isinstance(item, tuple) and _FETCHED_BODY.search(item[0]):
                return item[1]
    # Expunged meanwhile by another client, or the server could not read it.
    logger.warning(
        "mailbox %s: message UID %s could not be fetched (%s)",
        _where(settings),
        uid.decode("ascii", "replace"),
        status,
    )
    return None


def _mark_seen(*, client: imaplib.IMAP4, settings: MailboxSettings, uid: bytes) -> None:
    status, _data = client.uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen)")
    if status != "OK":
        logger.warning(
            "mailbox %s: message UID %s was handled but could not be marked as seen",
            _where(settings),
            uid.decode("ascii", "replace"),
        )


def _logout(client: imaplib.IMAP4) -> None:
    try:
        client.logout()
    except (imaplib.IMAP4.error, OSError):
        logger.debug("IMAP logout failed", exc_info=True)


def _quoted(folder: str) -> str:
    """An IMAP quoted string: imaplib sends arguments as they are."""
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)
