"""The municipality's inbound lines, and the flows behind them (importing this registers them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

# Imported for the flows they register.
from sportello.alerts.flows import alert_calls, subscription_calls  # noqa: F401
from sportello.alerts.replay.flow import replay
from sportello.alerts.replay.selectors import FLOW as REPLAY_FLOW
from sportello.alerts.replay.selectors import replay_line_number
from sportello.channels.ivr import flow_register, inbound_register
from sportello.core.selectors import municipality_get


def _registration_request_line() -> str:
    municipality = municipality_get()
    return municipality.registration_request_line if municipality else ""


def _deregistration_line() -> str:
    municipality = municipality_get()
    return municipality.deregistration_line if municipality else ""


# Registered in this order, so that on a number serving both (Livorno's) the menu offers the
# request first: "Per chiedere l'iscrizione ... premi 1. Per cancellarti ... premi 2."
inbound_register(
    "registration_request",
    label=gettext_lazy("Richiesta di iscrizione per telefono"),
    choice=gettext_lazy("chiedere l'iscrizione all'allerta"),
    number=_registration_request_line,
)
inbound_register(
    "deregistration",
    label=gettext_lazy("Cancellazione dall'allerta"),
    choice=gettext_lazy("cancellarti dall'allerta"),
    number=_deregistration_line,
)


# The alert caller ID answers with the 24-hour replay (alerts/replay/). Registered last: on a

flow_register(REPLAY_FLOW, replay)
inbound_register(
    REPLAY_FLOW,
    label=gettext_lazy("Ascolto delle allerte delle ultime 24 ore"),
    choice=gettext_lazy("ascoltare le allerte delle ultime 24 ore"),
    number=replay_line_number,
)
