"""A real SMTP server on loopback (aiosmtpd) for the e-mail and e-mail-to-fax providers: it keeps
what it accepts, and answers RCPT or DATA with a chosen refusal when told to."""

from __future__ import annotations

import asyncio
import email
import email.policy
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests import ports

HOST = "127.0.0.1"


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class SmtpPeer:
    port: int
    messages: list[Received] = field(default_factory=list)
    refuse_rcpt: str = ""  # e.g. "550 5.1.1 No such user"
    refuse_data: str = ""
    _controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self.refuse_data:
            return self.refuse_data
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    @property
    def url(self) -> str:
        return f"smtp://{HOST}:{self.port}"

    def start(self) -> None:
        self._controller = Controller(self, hostname=HOST, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@dataclass
class SlowSmtpPeer(SmtpPeer):
    """Keeps each message, then takes its time before answering 250: a worker killed meanwhile
    leaves a message the server has and we never knew it accepted (truly in flight)."""

    delay: float = 0.1

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        answer = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(self.delay)
        return answer


def free_port() -> int:
    return ports.free_port(HOST)
