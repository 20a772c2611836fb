"""An SMSC on loopback for the SMPP provider's tests.

The SMPP 3.4 server is smpp34's (a Rust implementation of its own, from PyPI), so what our client
puts on the wire is read by another codec than smpplib's. It runs on an asyncio loop in a thread
and answers each submit_sm as a test tells it: with a message id, with an error status, or only
once a batch of them is outstanding (to see the client's window). Clients reach it through a
small TCP relay, which can cut every connection at once (an SMSC restart) or stop accepting
(an SMSC down: connection refused).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import smpp34

from tests import ports

HOST = "127.0.0.1"
SYSTEM_ID = "TESTSMSC"
WAIT = 5.0


@dataclass(frozen=True)
class Submit:
    """A submit_sm as the SMSC read it, and what it answered."""

    source_addr: str
    source_addr_ton: int
    source_addr_npi: int
    destination_addr: str
    dest_addr_ton: int
    dest_addr_npi: int
    esm_class: int
    data_coding: int
    registered_delivery: int
    short_message: bytes
    status: int
    message_id: str

    @property
    def udh(self) -> bytes:
        if not self.esm_class & 0x40:
            return b""
        return self.short_message[: self.short_message[0] + 1]

    @property
    def body(self) -> bytes:
        return self.short_message[len(self.udh) :]


def _free_port() -> int:
    return ports.free_port(HOST)


class Relay:
    """Forwards loopback connections to the SMSC; can cut them all, or refuse new ones."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        # Bound at once and kept: a port only probed could be taken by any outgoing connection
        # (they use the same ephemeral range) before the relay listens on it.
        self._bound: socket.socket | None = socket.socket()
        self._bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._bound.bind((HOST, 0))
        self.port = self._bound.getsockname()[1]
        self._listener: socket.socket | None = None
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self.accepted = 0

    def listen(self) -> None:
        listener, self._bound = self._bound, None
        if listener is None:  # listening again after refuse(): the same port
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((HOST, self.port))
        listener.listen(8)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def refuse(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None

    def cut(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for end in pair:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._pairs.append((client, upstream))
                self.accepted += 1
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)


class Smsc:
    def __init__(self) -> None:
        self.server_port = _free_port()
        self.relay = Relay((HOST, self.server_port))
        self.submits: list[Submit] = []
        self.replies: list[int] = []  # statuses for the next submits; then ESME_ROK
        self.batch = 1  # answer once this many submit_sm are waiting
        self.max_outstanding = 0
        self.binds: list[str] = []  # system_id of each bind
        self.sessions: dict[str, smpp34.Esme] = {}  # bound now, in bind order
        self._waiting: list[smpp34.SubmitSmEvent] = []
        self._ids = itertools.count(0x5A000001)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: smpp34.Server | None = None
        self._pump: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        return self.relay.port

    def start(self) -> None:
        self._thread.start()
        self._call(self._start())
        self.relay.listen()

    def stop(self) -> None:
        self.relay.refuse()
        self.relay.cut()
        with contextlib.suppress(Exception):
            self._call(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(WAIT)

    def refuse(self, *statuses: int) -> None:
        """Answer the next submit_sm with these error statuses, in turn."""
        self.replies.extend(statuses)

    def session(self, index: int = -1) -> smpp34.Esme:
        """A bound session (the last one by default), waiting for its bind to be seen."""
        until(lambda: len(self.sessions) > max(index, -index - 1), "no SMPP session bound")
        return list(self.sessions.values())[index]

    def send_receipt(
        self,
        message_id: str,
        stat: str = "DELIVRD",
        *,
        session: smpp34.Esme | None = None,
        with_tlvs: bool = True,
        err: str = "000",
    ) -> Future[int]:
        """A delivery receipt on a session; the future gives the client's answer status."""
        return asyncio.run_coroutine_threadsafe(
            self._receipt(session or self.session(), message_id, stat, with_tlvs, err), self._loop
        )

    async def _receipt(
        self, session: smpp34.Esme, message_id: str, stat: str, with_tlvs: bool, err: str
    ) -> int:
        text = (
            f"id:{message_id} sub:001 dlvrd:{'001' if stat == 'DELIVRD' else '000'} "
            f"submit date:2601151030 done date:2601151031 stat:{stat} err:{err} text:Allerta"
        )
        states = {"ENROUTE": 1, "DELIVRD": 2, "EXPIRED": 3, "UNDELIV": 5, "REJECTD": 8}
        tlvs = (
            [
                smpp34.Tlv(smpp34.TLV_RECEIPTED_MESSAGE_ID, message_id.encode() + b"\0"),
                smpp34.Tlv(smpp34.TLV_MESSAGE_STATE, bytes([states[stat]])),
            ]
            if with_tlvs
            else []
        )
        response = await session.deliver_sm(
            "390586111222",
            text.encode("ascii"),
            source_addr="393331234567",
            source_addr_ton=1,
            source_addr_npi=1,
            esm_class=0x04,
            tlvs=tlvs,
        )
        return response.command_status

    def _call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(WAIT)

    async def _start(self) -> None:
        self._server = smpp34.Server(HOST, self.server_port, system_id=SYSTEM_ID)
        await self._server.start()
        self._pump = asyncio.ensure_future(self._serve(self._server))

    async def _stop(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
        if self._server is not None:
            await self._server.stop()

    async def _serve(self, server: smpp34.Server) -> None:
        while True:
            event = await server.next()
            if isinstance(event, smpp34.Esme):
                self.binds.append(event.system_id)
                self.sessions[event.session_id] = event
            elif isinstance(event, smpp34.Unbound):
                self.sessions.pop(event.session_id, None)
            elif isinstance(event, smpp34.SubmitSmEvent):
                self._waiting.append(event)
                self.max_outstanding = max(self.max_outstanding, len(self._waiting))
                if len(self._waiting) >= self.batch:
                    waiting, self._waiting = self._waiting, []
                    for submit in waiting:
                        self._answer(submit)

    def _answer(self, event: smpp34.SubmitSmEvent) -> None:
        status = self.replies.pop(0) if self.replies else smpp34.ESME_ROK
        message_id = f"{next(self._ids):X}" if status == smpp34.ESME_ROK else ""
        self.submits.append(
            Submit(
                source_addr=event.source_addr,
                source_addr_ton=event.source_addr_ton,
                source_addr_npi=event.source_addr_npi,
                destination_addr=event.destination_addr,
                dest_addr_ton=event.dest_addr_ton,
                dest_addr_npi=event.dest_addr_npi,
                esm_class=event.esm_class,
                data_coding=event.data_coding,
                registered_delivery=event.registered_delivery,
                short_message=bytes(event.short_message),
                status=status,
                message_id=message_id,
            )
        )
        if status == smpp34.ESME_ROK:
            event.accept(message_id)
        else:
            event.reject(status)


def until(condition: Callable[[], object], message: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.01)


@contextlib.contextmanager
def smsc_running() -> Iterator[Smsc]:
    smsc = Smsc()
    smsc.start()
    try:
        yield smsc
    finally:
        smsc.stop()
