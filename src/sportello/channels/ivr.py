"""Interactive voice flows, written once and spoken by every voice provider.

A flow is a function `(call: Call, step: str, digits: str) -> Prompt`: given where the call is
and the keys just pressed, it returns what to say or play next and, with `gather`, which step
hears the next keys. The Twilio provider renders a Prompt as TwiML; the phone simulator renders
it as a page with text, audio and a keypad. Flows are registered by the apps that own them
(`flow_register`), inbound lines by the number called (`inbound_register`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from sportello.channels.models import Delivery


@dataclass(frozen=True)
class Say:
    text: str
    language: str = "it"


@dataclass(frozen=True)
class Play:
    url: str


@dataclass(frozen=True)
class Pause:
    seconds: int = 1


@dataclass(frozen=True)
class Gather:
    """Wait for keys; they go to `step`. `num_digits` ends input early; '#' ends it too."""

    step: str
    num_digits: int = 1
    timeout: int = 8


@dataclass(frozen=True)
class Prompt:
    parts: list[Say | Play | Pause] = field(default_factory=list)
    gather: Gather | None = None
    hangup: bool = True  # after the parts, when not gathering

    def spoken(self) -> str:
        return " ".join(part.text for part in self.parts if isinstance(part, Say))


@dataclass(frozen=True)
class Call:
    """What a flow knows about the call it is serving."""

    flow: str
    caller: str  # E.164 of who is calling (inbound) or who is called (outbound)
    line: str  # the municipality's number involved
    delivery: Delivery | None = None  # outbound calls: the delivery that placed them
    answered_by: str = "human"  # "human", "machine" (answering machine) or "unknown"
    language: str = "it"
    params: dict[str, Any] = field(default_factory=dict)


Flow = Callable[[Call, str, str], Prompt]
_FLOWS: dict[str, Flow] = {}
_INBOUND: dict[str, tuple[str, Any]] = {}  # flow name -> (label, number getter)


def flow_register(name: str, flow: Flow) -> None:
    _FLOWS[name] = flow


def inbound_register(flow: str, *, label: Any, number: Callable[[], str]) -> None:
    """A line of the municipality that answers with `flow` (e.g. the deregistration line)."""
    _INBOUND[flow] = (label, number)


def inbound_lines() -> list[tuple[str, str, Any]]:
    """[(flow, number, label)] for the lines configured now."""
    lines = []
    for flow, (label, number) in _INBOUND.items():
        value = number()
        if value:
            lines.append((flow, value, label))
    return lines


def inbound_flow_for(*, called: str) -> str | None:
    from sportello.channels.phones import phone_same

    for flow, number, _label in inbound_lines():
        if phone_same(number, called):
            return flow
    return None


def unknown_line() -> Prompt:
    return Prompt([Say(str(_("Questo numero non è attivo. Arrivederci.")))])


def ivr_run(call: Call, step: str = "start", digits: str = "") -> Prompt:
    """Run one step of a flow; an unknown flow or step ends the call politely, never crashes."""
    flow = _FLOWS.get(call.flow)
    if flow is None:
        return unknown_line()
    return flow(call, step or "start", "".join(ch for ch in digits if ch in "0123456789*#"))
