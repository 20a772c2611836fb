"""SMS straight to an operator's SMSC over SMPP 3.4, with smpplib.

settings.SPORTELLO_SMPP = {
    "host": "smsc.operatore.example",  # required
    "port": 2775,                      # required
    "system_id": "comune",             # required: the account
    "password": "...",                 # required (from a _FILE variable)
    "system_type": "",                 # optional, if the operator asks for one
    "source_ton": None, "source_npi": None,  # optional: inferred from the sender when unset
    "window": 10,                      # optional: submit_sm sent before waiting for answers
    "timeout": 10,                     # optional: seconds to wait for the SMSC
}

Each worker process keeps one transceiver session (bind_transceiver) and binds again when the
SMSC has dropped it. A text is sent as one submit_sm, or as several joined by a concatenation
header (esm_class 0x40), in GSM-7 (data_coding 0) or UCS-2 (data_coding 8); see gsm.py. The
sender is the delivery's `sender`, the municipality's alert caller id.

An SMSC answers each submit_sm with a submit_sm_resp: OK means it took the message for delivery,
so the delivery becomes ACCEPTED (not SENT: the carrier has it) with the first part's message id
as provider id. The delivery receipt that follows (a deliver_sm, registered_delivery=1) makes it
DELIVERED or FAILED. Receipts come on any bound session of the account: `smpp_listen` (a
management command, a systemd service in production) keeps one bound for them, and a worker
also handles those that reach its own session. Only the first part's receipt is followed.
"""

from __future__ import annotations

import itertools
import logging
import random
import re
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from smpplib import consts, smpp
from smpplib.client import Client
from smpplib.command import Command
from smpplib.exceptions import ConnectionError as SmppConnectionError
from smpplib.exceptions import PDUError

from sportello.channels.base import ChannelError, DeliveryStatus, NotConfigured, ProviderResult
from sportello.channels.gsm import GSM7, sms_encode
from sportello.channels.models import Delivery
from sportello.channels.phones import phone_callable, phone_e164
from sportello.channels.services import delivery_status_update

logger = logging.getLogger(__name__)
# smpplib dumps every PDU in hex at DEBUG, the bind's password included: never below INFO.
WIRE_LOGGER = "sportello.channels.smpp.wire"
logging.getLogger(WIRE_LOGGER).setLevel(logging.INFO)

NAME = "smpp"
REQUIRED = ("host", "port", "system_id", "password")

ESM_UDHI = 0x40  # short_message starts with a user data header
ESM_RECEIPT = 0x04  # a deliver_sm that is an SMSC delivery receipt
DATA_CODING = {GSM7: 0x00, "UCS-2": 0x08}

# Answers worth another try later: the SMSC is busy or has a passing fault. Any other error
# status says this message, as it is, will be refused again (a wrong number, sender, length).
TRANSIENT_STATUSES = {
    consts.SMPP_ESME_RINVBNDSTS,  # the session is no longer bound
    consts.SMPP_ESME_RSYSERR,
    consts.SMPP_ESME_RMSGQFUL,
    consts.SMPP_ESME_RSUBMITFAIL,
    consts.SMPP_ESME_RTHROTTLED,
    consts.SMPP_ESME_RX_T_APPN,
    consts.SMPP_ESME_RUNKNOWNERR,
}
STATUS_NAMES = {
    value: name.removeprefix("SMPP_")
    for name, value in vars(consts).items()
    if name.startswith("SMPP_ESME_R")
}

# What a receipt says, as the text's "stat:" or the message_state parameter.
RECEIPT_STATES = {
    "DELIVRD": DeliveryStatus.DELIVERED,
    "ACCEPTD": DeliveryStatus.ACCEPTED,
    "ENROUTE": DeliveryStatus.ACCEPTED,
    "EXPIRED": DeliveryStatus.FAILED,
    "DELETED": DeliveryStatus.FAILED,
    "UNDELIV": DeliveryStatus.FAILED,
    "REJECTD": DeliveryStatus.FAILED,
}
MESSAGE_STATES = {
    1: "ENROUTE",
    2: "DELIVRD",
    3: "EXPIRED",
    4: "DELETED",
    5: "UNDELIV",
    6: "ACCEPTD",
    7: "UNKNOWN",
    8: "REJECTD",
}
_RECEIPT_FIELD = re.compile(r"\b(id|stat|err):(\S*)", re.IGNORECASE)

_references = itertools.count(random.randrange(256))  # noqa: S311 - a message reference


@dataclass(frozen=True)
class Receipt:
    message_id: str
    state: str  # DELIVRD, UNDELIV, ...
    error: str = ""

    @property
    def status(self) -> str | None:
        return RECEIPT_STATES.get(self.state)


class SmppSms:
    name = NAME

    def send(self, delivery: Delivery) -> ProviderResult:
        config = smpp_config()
        submits = submit_sm_params(delivery, config)
        message_ids: list[str] = []
        try:
            with _lock:
                message_ids = _submit_on_kept_session(config, submits)
        finally:
            # Receipts the SMSC sent on this session meanwhile; this message's own can come
            # before send() returns, so before its provider id is stored.
            with _lock:
                receipts, _worker_receipts[:] = _worker_receipts[:], []
            for receipt in receipts:
                own = bool(message_ids) and receipt.message_id == message_ids[0]
                receipt_apply(receipt, delivery=delivery if own else None)
        return ProviderResult(provider_id=message_ids[0], status=DeliveryStatus.ACCEPTED)


def smpp_config() -> dict[str, Any]:
    config = getattr(settings, "SPORTELLO_SMPP", None) or {}
    missing = [key for key in REQUIRED if not config.get(key)]
    if missing:
        raise NotConfigured(f"SMPP non configurato: manca {', '.join(missing)}.")
    return {
        "host": config["host"],
        "port": int(config["port"]),
        "system_id": config["system_id"],
        "password": config["password"],
        "system_type": config.get("system_type") or "",
        "source_ton": config.get("source_ton"),
        "source_npi": config.get("source_npi"),
        "window": max(1, int(config.get("window") or 10)),
        "timeout": float(config.get("timeout") or 10),
    }


def submit_sm_params(delivery: Delivery, config: dict[str, Any]) -> list[dict[str, Any]]:
    """The submit_sm of each part: addresses, coding, concatenation header, receipt request."""
    text = delivery.payload.get("text")
    if not text:
        raise ChannelError("SMS senza testo.", permanent=True)
    destination = phone_e164(delivery.to)
    if destination is None or not phone_callable(destination):
        raise ChannelError(f"Numero non raggiungibile via SMS: {delivery.to}", permanent=True)
    try:
        encoding, parts = sms_encode(text)
    except ValueError as error:
        raise ChannelError(str(error), permanent=True) from error
    source, source_ton, source_npi = _source_address(delivery.sender, config)
    common = {
        "source_addr_ton": source_ton,
        "source_addr_npi": source_npi,
        "source_addr": source,
        "dest_addr_ton": consts.SMPP_TON_INTL,
        "dest_addr_npi": consts.SMPP_NPI_ISDN,
        "destination_addr": destination.removeprefix("+"),
        "data_coding": DATA_CODING[encoding],
        "registered_delivery": 1,
    }
    if len(parts) == 1:
        return [{**common, "esm_class": 0, "short_message": parts[0]}]
    reference = next(_references) % 256
    return [
        {
            **common,
            "esm_class": ESM_UDHI,
            # IEI 0x00: concatenated message, 8-bit reference, total parts, this part.
            "short_message": bytes((5, 0, 3, reference, len(parts), number)) + part,
        }
        for number, part in enumerate(parts, start=1)
    ]


def _source_address(sender: str, config: dict[str, Any]) -> tuple[str, int, int]:
    """A number as an international one, a name (max 11 characters) as alphanumeric."""
    sender = sender.strip()
    if sender.startswith("+") and sender[1:].isdigit():
        address, ton, npi = sender[1:], consts.SMPP_TON_INTL, consts.SMPP_NPI_ISDN
    elif sender.isdigit() or not sender:
        address, ton, npi = sender, consts.SMPP_TON_UNK, consts.SMPP_NPI_ISDN
    else:
        if len(sender) > 11 or not sender.isascii():
            raise ChannelError(f"Mittente alfanumerico non valido: {sender}", permanent=True)
        address, ton, npi = sender, consts.SMPP_TON_ALNUM, consts.SMPP_NPI_UNK
    if config["source_ton"] is not None:
        ton = int(config["source_ton"])
    if config["source_npi"] is not None:
        npi = int(config["source_npi"])
    return address, ton, npi


# One session per worker process, used by one send at a time.
_lock = threading.Lock()
_kept: SmppSession | None = None
_worker_receipts: list[Receipt] = []


def _submit_on_kept_session(config: dict[str, Any], submits: list[dict[str, Any]]) -> list[str]:
    global _kept
    session = _kept
    if session is not None and (session.config != config or not session.alive()):
        session.close()
        session = _kept = None
    if session is not None:
        try:
            return session.submit(submits)
        except SessionLost as lost:
            # Dropped while idle (an SMSC restart, an idle timeout) before answering anything:
            # nothing was taken, so the message goes once more on a fresh session.
            session.close()
            _kept = None
            if lost.answered:
                raise ChannelError(f"SMSC: connessione persa ({lost})") from lost
    session = _kept = SmppSession.open(config, receipts=_worker_receipts)
    try:
        return session.submit(submits)
    except SessionLost as lost:
        session.close()
        _kept = None
        raise ChannelError(f"SMSC: connessione persa ({lost})") from lost


def smpp_session_reset() -> None:
    """Close this process's session (tests; a worker shutting down)."""
    global _kept
    with _lock:
        if _kept is not None:
            _kept.close()
            _kept = None


class SessionLost(Exception):
    def __init__(self, message: str, *, answered: bool = False) -> None:
        super().__init__(message)
        self.answered = answered


class SmppSession:
    """A bound transceiver: submits with a window, answers what the SMSC asks meanwhile."""

    def __init__(
        self, config: dict[str, Any], client: Client, receipts: list[Receipt] | None = None
    ) -> None:
        self.config = config
        self.client = client
        self.receipts: list[Receipt] = [] if receipts is None else receipts

    @classmethod
    def open(cls, config: dict[str, Any], *, receipts: list[Receipt] | None = None) -> SmppSession:
        client = Client(
            config["host"],
            config["port"],
            timeout=config["timeout"],
            logger_name=WIRE_LOGGER,
            allow_unknown_opt_params=True,
        )
        where = f"{config['host']}:{config['port']}"
        try:
            client.connect()
            client.bind_transceiver(
                system_id=config["system_id"],
                password=config["password"],
                system_type=config["system_type"],
                interface_version=0x34,
            )
        except PDUError as error:
            client.disconnect()
            status = error.args[1] if len(error.args) > 1 else consts.SMPP_ESME_RBINDFAIL
            raise ChannelError(f"SMSC {where}: bind rifiutato ({_status_name(status)})") from error
        except (SmppConnectionError, OSError) as error:
            client.disconnect()
            raise ChannelError(f"SMSC {where} non raggiungibile") from error
        logger.info("SMPP bound to %s as %s", where, config["system_id"])
        return cls(config, client, receipts)

    def alive(self) -> bool:
        """Handle what the SMSC sent while we were idle; False if it has closed the session."""
        try:
            while self.client._socket is not None and _readable(self.client._socket, 0):
                self._handle(self._read())
        except (SessionLost, ChannelError):
            return False
        return self.client._socket is not None

    def submit(self, submits: list[dict[str, Any]]) -> list[str]:
        """Send every part, at most `window` unanswered at a time; the message ids in order."""
        window = self.config["window"]
        message_ids: list[str | None] = [None] * len(submits)
        outstanding: dict[int, int] = {}  # sequence number -> part index
        refused: tuple[int, int] | None = None  # (part index, status)
        answered = False
        sent = 0
        while outstanding or (sent < len(submits) and refused is None):
            while sent < len(submits) and refused is None and len(outstanding) < window:
                pdu = smpp.make_pdu("submit_sm", client=self.client, **submits[sent])
                self._send(pdu, answered=answered)
                outstanding[pdu.sequence] = sent
                sent += 1
            pdu = self._read(answered=answered)
            if pdu.command in ("submit_sm_resp", "generic_nack") and pdu.sequence in outstanding:
                index = outstanding.pop(pdu.sequence)
                answered = True
                if pdu.status == consts.SMPP_ESME_ROK:
                    message_ids[index] = _text(pdu.message_id)
                elif refused is None:
                    refused = (index, pdu.status)  # stop here: the rest would fare the same
            else:
                self._handle(pdu)
        if refused is not None:
            index, status = refused
            raise ChannelError(
                f"SMSC: parte {index + 1} di {len(submits)} rifiutata ({_status_name(status)})",
                permanent=status not in TRANSIENT_STATUSES,
            )
        if not all(message_ids):
            raise ChannelError("SMSC: accettato senza id del messaggio", permanent=True)
        return [str(message_id) for message_id in message_ids]

    def take_receipts(self) -> list[Receipt]:
        receipts, self.receipts[:] = self.receipts[:], []
        return receipts

    def listen(
        self,
        *,
        should_stop: Callable[[], bool],
        on_receipt: Callable[[Receipt], None],
        poll_seconds: float = 0.5,
        enquire_seconds: float = 30,
    ) -> None:
        """Wait for receipts until told to stop; keep the session alive with enquire_link."""
        idle_since = time.monotonic()
        while not should_stop():
            if _readable(self.client._socket, poll_seconds):
                self._handle(self._read())
                for receipt in self.take_receipts():
                    on_receipt(receipt)
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > enquire_seconds:
                self._send(smpp.make_pdu("enquire_link", client=self.client))
                idle_since = time.monotonic()

    def close(self) -> None:
        """Unbind politely if the session still stands, then close the socket."""
        client = self.client
        if client._socket is None:
            return
        try:
            if client.state in (
                consts.SMPP_CLIENT_STATE_BOUND_TX,
                consts.SMPP_CLIENT_STATE_BOUND_RX,
                consts.SMPP_CLIENT_STATE_BOUND_TRX,
            ):
                client.send_pdu(smpp.make_pdu("unbind", client=client))
                deadline = time.monotonic() + 2
                while time.monotonic() < deadline and _readable(client._socket, 0.2):
                    if client.read_pdu().command == "unbind_resp":
                        break
        except (SmppConnectionError, PDUError, OSError, TimeoutError):
            pass  # it is going away all the same
        finally:
            client.state = consts.SMPP_CLIENT_STATE_OPEN  # unbound, whatever the SMSC said
            client.disconnect()

    def _send(self, pdu: Command, *, answered: bool = False) -> None:
        try:
            self.client.send_pdu(pdu)
        except (SmppConnectionError, PDUError, OSError) as error:
            raise SessionLost("invio non riuscito", answered=answered) from error

    def _read(self, *, answered: bool = False) -> Command:
        try:
            return self.client.read_pdu()
        except TimeoutError as error:
            self.client.disconnect()  # a late answer would be read as the next one's
            raise ChannelError(
                f"SMSC: nessuna risposta entro {self.config['timeout']:g} s"
            ) from error
        except (SmppConnectionError, OSError) as error:
            raise SessionLost("connessione chiusa dall'SMSC", answered=answered) from error
        except PDUError as error:
            raise SessionLost(f"PDU non valida ({error})", answered=answered) from error

    def _handle(self, pdu: Command) -> None:
        """What the SMSC asks of us: take receipts, answer keep-alives, accept an unbind."""
        if pdu.command == "deliver_sm":
            receipt = receipt_from_pdu(pdu)
            if receipt is not None:
                self.receipts.append(receipt)
            self._answer(pdu, "deliver_sm_resp")
        elif pdu.command == "enquire_link":
            self._answer(pdu, "enquire_link_resp")
        elif pdu.command == "unbind":
            self._answer(pdu, "unbind_resp")
            self.client.disconnect()
            raise SessionLost("l'SMSC ha chiuso la sessione (unbind)")
        elif pdu.command not in ("enquire_link_resp", "generic_nack", "submit_sm_resp"):
            logger.warning("SMPP: unexpected %s ignored", pdu.command)

    def _answer(self, request: Command, command: str) -> None:
        response = smpp.make_pdu(command, client=self.client)
        response.sequence = request.sequence
        self._send(response)


def receipt_from_pdu(pdu: Command) -> Receipt | None:
    """A delivery receipt's message id and state: from the SMPP 3.4 parameters when present,
    otherwise from the conventional text 'id:... stat:DELIVRD err:000'."""
    if not (pdu.esm_class or 0) & ESM_RECEIPT:
        logger.info("SMPP: a message from %s ignored (not a receipt)", _text(pdu.source_addr))
        return None
    fields = {key.lower(): value for key, value in _RECEIPT_FIELD.findall(_text(pdu.short_message))}
    message_id = _text(getattr(pdu, "receipted_message_id", None)) or fields.get("id", "")
    state = MESSAGE_STATES.get(getattr(pdu, "message_state", None) or 0) or fields.get("stat")
    if not message_id or not state:
        logger.warning("SMPP: receipt without id or state ignored")
        return None
    return Receipt(message_id=message_id, state=state.upper(), error=fields.get("err", ""))


def receipt_apply(receipt: Receipt, *, delivery: Delivery | None = None) -> Delivery | None:
    """Move the delivery the receipt is about; a receipt for an unknown id changes nothing."""
    status = receipt.status
    if delivery is None:
        delivery = Delivery.objects.filter(provider=NAME, provider_id=receipt.message_id).first()
    if delivery is None or status is None:
        logger.info("SMPP receipt %s %s: no delivery to update", receipt.message_id, receipt.state)
        return None
    reason = ""
    if status == DeliveryStatus.FAILED:
        reason = f"SMSC: {receipt.state}" + (f" (errore {receipt.error})" if receipt.error else "")
    detail = {"stat": receipt.state, "id": receipt.message_id}
    if receipt.error:
        detail["err"] = receipt.error
    return delivery_status_update(delivery=delivery, status=status, reason=reason, detail=detail)


def smpp_listen(
    *,
    should_stop: Callable[[], bool],
    report: Callable[[str], None],
    poll_seconds: float = 0.5,
    enquire_seconds: float = 30,
    max_backoff: float = 60,
) -> None:
    """Keep a transceiver bound for receipts until `should_stop()`; bind again when it drops."""
    config = smpp_config()
    backoff = 1.0
    while not should_stop():
        try:
            session = SmppSession.open(config)
        except ChannelError as error:
            report(f"{error.message}; nuovo tentativo tra {backoff:g} s")
            _sleep(backoff, should_stop)
            backoff = min(max_backoff, backoff * 2)
            continue
        backoff = 1.0
        report(f"Collegato a {config['host']}:{config['port']} come {config['system_id']}")

        def on_receipt(receipt: Receipt) -> None:
            delivery = receipt_apply(receipt)
            target = f"invio {delivery.pk}" if delivery else "nessun invio"
            report(f"Ricevuta {receipt.message_id} {receipt.state}: {target}")

        try:
            session.listen(
                should_stop=should_stop,
                on_receipt=on_receipt,
                poll_seconds=poll_seconds,
                enquire_seconds=enquire_seconds,
            )
        except (SessionLost, ChannelError) as error:
            report(f"Collegamento perso ({error}); nuovo collegamento")
        finally:
            session.close()
    report("Scollegato.")


def _sleep(seconds: float, should_stop: Callable[[], bool]) -> None:
    deadline = time.monotonic() + seconds
    while not should_stop() and time.monotonic() < deadline:
        time.sleep(min(0.2, deadline - time.monotonic()))


def _readable(sock: socket.socket | None, timeout: float) -> bool:
    if sock is None:
        raise SessionLost("sessione chiusa")
    readable, _, _ = select.select([sock], [], [], timeout)
    return bool(readable)


def _status_name(status: int) -> str:
    return f"{STATUS_NAMES.get(status, 'ESME')} 0x{status:08X}"


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("ascii", "replace").rstrip("\x00")
    return value
