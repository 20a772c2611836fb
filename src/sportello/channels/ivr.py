"""Interactive voice flows, written once and spoken by every voice provider.

A flow is a function `(call: Call, step: str, digits: str) -> Prompt`: given where the call is
and the keys just pressed, it returns what to say or play next and, with `gather`, which step
hears the next keys. The Twilio provider renders a Prompt as TwiML; the phone simulator renders
it as a page with text, audio and a keypad. Flows are registered by the apps that own them
(`flow_register`), inbound lines by the number called (`inbound_register`).

Several flows may share one number (a town with one line for asking to subscribe and for
leaving): the call then first hears a menu of their labels ("Per ... premi 1."), and the chosen
flow runs as if its own number had been called. Its steps travel as "<flow>.<step>" so that the
keys pressed later (Twilio's next webhook, the simulator's next form) reach it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

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
    """Wait for keys; they go to `step`. `num_digits` ends input early; '#' ends it too.

    When no key comes, the provider says the prompt once more and ends the call; with
    `empty_to_step` it calls `step` with no keys instead, and the flow decides what follows.
    """

    step: str
    num_digits: int = 1
    timeout: int = 8
    empty_to_step: bool = False


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


@dataclass(frozen=True)
class _Inbound:
    label: Any  # names the line (simulator, admin)
    number: Callable[[], str]
    choice: Any  # completes "Per ... premi 1." in the menu of a shared number


_INBOUND: dict[str, _Inbound] = {}  # flow name -> its line
MENU_FLOW = "inbound_menu"  # what answers a number shared by several flows
_MENU_KEYS = "123456789"


def flow_register(name: str, flow: Flow) -> None:
    _FLOWS[name] = flow


def inbound_register(
    flow: str, *, label: Any, number: Callable[[], str], choice: Any = None
) -> None:
    """A line of the municipality that answers with `flow` (e.g. the deregistration line).

    `choice` is how the menu of a number shared with other flows offers this one, after "Per"
    (e.g. "cancellarti dall'allerta"); the label when missing.
    """
    _INBOUND[flow] = _Inbound(label=label, number=number, choice=choice or label)


def inbound_lines() -> list[tuple[str, str, Any]]:
    """[(flow, number, label)] for the lines configured now."""
    lines = []
    for flow, line in _INBOUND.items():
        value = line.number()
        if value:
            lines.append((flow, value, line.label))
    return lines


def inbound_numbers() -> list[tuple[str, list[Any]]]:
    """[(number, [label, ...])]: each number configured now once, with the labels of its flows."""
    from sportello.channels.phones import phone_same

    numbers: list[tuple[str, list[Any]]] = []
    for _flow, number, label in inbound_lines():
        for known, labels in numbers:
            if phone_same(known, number):
                labels.append(label)
                break
        else:
            numbers.append((number, [label]))
    return numbers


def inbound_flows_for(*, called: str) -> list[str]:
    """The flows answering the number `called`, in the order they were registered."""
    from sportello.channels.phones import phone_same

    return [flow for flow, number, _label in inbound_lines() if phone_same(number, called)]


def inbound_flow_for(*, called: str) -> str | None:
    """The flow that answers `called`: its own, the menu when several share it, or None."""
    flows = inbound_flows_for(called=called)
    if not flows:
        return None
    return flows[0] if len(flows) == 1 else MENU_FLOW


def unknown_line() -> Prompt:
    return Prompt([Say(_("Questo numero non è attivo. Arrivederci."))])


def ivr_run(call: Call, step: str = "start", digits: str = "") -> Prompt:
    """Run one step of a flow; an unknown flow or step ends the call politely, never crashes."""
    flow = _FLOWS.get(call.flow)
    if flow is None:
        return unknown_line()
    return flow(call, step or "start", "".join(ch for ch in digits if ch in "0123456789*#"))


def _menu(call: Call, step: str, digits: str) -> Prompt:
    """The answer of a number shared by several flows: choose one with a key, then it runs.

    Steps: "start" says the menu; "choice" takes the key (a wrong or missing one hears the menu
    once more, at "choice-again", then goodbye); "<flow>.<step>" goes on inside the chosen flow.
    """
    flows = inbound_flows_for(called=call.line)[: len(_MENU_KEYS)]
    name, dot, inner = step.partition(".")
    if dot:
        if name in flows:
            return _in_flow(call, name, inner, digits)
        step = "start"  # the number's flows changed during the call: choose again
    if len(flows) < 2:  # no longer shared: the number answers as its own flow does
        return ivr_run(replace(call, flow=flows[0]), "start") if flows else unknown_line()
    if step in ("choice", "choice-again") and digits[:1] and digits[:1] in _MENU_KEYS:
        index = _MENU_KEYS.index(digits[:1])
        if index < len(flows):
            return _in_flow(call, flows[index], "start", "")
    with translation.override(call.language):
        if step == "choice-again":
            return Prompt(
                [
                    Say(
                        _(
                            "Non abbiamo ricevuto una scelta valida. Richiama quando vuoi. "
                            "Arrivederci."
                        ),
                        call.language,
                    )
                ]
            )
        parts = []
        if step == "choice":
            parts.append(
                Say(
                    _("Scelta non valida.") if digits else _("Nessun tasto premuto."), call.language
                )
            )
        for key, flow in zip(_MENU_KEYS, flows, strict=False):
            parts.append(
                Say(
                    _("Per %(choice)s premi %(key)s.")
                    % {"choice": _INBOUND[flow].choice, "key": key},
                    call.language,
                )
            )
        return Prompt(
            parts,
            gather=Gather(
                step="choice-again" if step == "choice" else "choice",
                num_digits=1,
                empty_to_step=True,
            ),
        )


def _in_flow(call: Call, flow: str, step: str, digits: str) -> Prompt:
    """One step of the chosen flow, its next step kept under the flow's name."""
    prompt = ivr_run(replace(call, flow=flow), step, digits)
    if prompt.gather is None:
        return prompt
    return replace(prompt, gather=replace(prompt.gather, step=f"{flow}.{prompt.gather.step}"))


flow_register(MENU_FLOW, _menu)
