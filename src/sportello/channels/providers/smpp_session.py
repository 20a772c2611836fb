"""One bound SMPP 3.4 transceiver session (smpplib) and what travels on it: submits sent with a
window, the SMSC's requests answered, delivery receipts read from deliver_sm.

The provider (providers/smpp.py) keeps one of these per worker process; `smpp_listen` keeps one
bound for receipts.
"""

from __future__ import annotations

import logging
import re
import select
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from smpplib import consts, smpp
from smpplib.client import Client
from smpplib.command import Command
from smpplib.exceptions import ConnectionError as SmppConnectionError
from smpplib.exceptions import PDUError

from sportello.channels.base import ChannelError, DeliveryStatus

logger = logging.getLogger(__name__)
# smpplib dumps every PDU in hex at DEBUG, the bind's password included: never below INFO.
WIRE_LOGGER = "sportello.channels.smpp.wire"
logging.getLogger(WIRE_LOGGER).setLevel(logging.INFO)

ESM_RECEIPT = 0x04  # a deliver_sm that is an SMSC delivery receipt

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


@dataclass(frozen=True)
class Receipt:
    message_id: str
    state: str  # DELIVRD, UNDELIV, ...
    error: str = ""

    @property
    def status(self) -> str | None:
        return RECEIPT_STATES.get(self.state)


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
