"""The embedded provider: nothing leaves the machine. Every message and call is kept as its
Delivery row, which the phone simulator page shows for any number; calls ring until someone
answers them there (or SPORTELLO_SIMULATOR_RING_SECONDS pass: no answer), and then run the same
IVR flows a real provider would fetch.

Like a real provider it keeps its own log of what it was handed (SimulatorHandoff), which is what
`lookup` answers from when a worker died before recording the outcome."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from sportello.channels.base import DeliveryStatus, Medium, ProviderResult
from sportello.channels.models import Delivery, SimulatorHandoff
from sportello.core.queueing import task_named


def _result(delivery: Delivery) -> ProviderResult:
    status = DeliveryStatus.RINGING if delivery.medium == Medium.VOICE else DeliveryStatus.DELIVERED
    return ProviderResult(provider_id=f"SIM-{delivery.pk}", status=status)


# Medium names as they go into an array literal (a KeyError for anything else).
MEDIA = {medium: str(medium) for medium in Medium.values}
CALLS_COMPLETE_TASK = "sportello.channels.tasks.simulator_calls_complete"


def _log(deliveries: list[Delivery]) -> None:
    """Write what was handed over in one statement, committed at once (the provider's side)."""
    table, now = SimulatorHandoff._meta.db_table, timezone.now()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The arrays as literals: ids and medium names need no quoting, and joining them is
            # far quicker than having the driver quote thousands of values one by one.
            cursor.execute(
                f"INSERT INTO {table} (delivery_id, medium, at)"  # noqa: S608 (table name only)
                " SELECT unnest(%s::bigint[]), unnest(%s::text[]), %s",
                [
                    "{" + ",".join([str(int(d.pk)) for d in deliveries]) + "}",
                    "{" + ",".join([MEDIA[d.medium] for d in deliveries]) + "}",
                    now,
                ],
            )
        else:
            cursor.executemany(
                f"INSERT INTO {table} (delivery_id, medium, at) VALUES (%s, %s, %s)",  # noqa: S608
                [(d.pk, d.medium, now) for d in deliveries],
            )


class Simulator:
    name = "simulator"

    def send(self, delivery: Delivery) -> ProviderResult:
        return self.send_many([delivery])[0]

    def send_many(self, deliveries: list[Delivery]) -> list[ProviderResult]:
        _log(deliveries)
        voice = Medium.VOICE.value
        calls = [d.pk for d in deliveries if d.medium == voice]
        seconds = settings.SPORTELLO_SIMULATOR_CALL_SECONDS
        if calls and seconds:
            # By task name: tasks import providers, never the reverse.
            complete = task_named(CALLS_COMPLETE_TASK)
            complete.apply_async((calls,), countdown=seconds)
        # What _result gives, with the enum members read once per batch, not once per message.
        ringing, delivered = DeliveryStatus.RINGING, DeliveryStatus.DELIVERED
        return [
            ProviderResult(f"SIM-{d.pk}", ringing if d.medium == voice else delivered)
            for d in deliveries
        ]

    def lookup(self, delivery: Delivery) -> ProviderResult | None:
        if SimulatorHandoff.objects.filter(delivery_id=delivery.pk).exists():
            return _result(delivery)
        return None


def simulator_calls_complete(delivery_ids: list[int]) -> None:
    """Benchmarks and drills: the person answers, listens and hangs up (no keys pressed)."""
    from sportello.channels.services import delivery_status_update

    for delivery in Delivery.objects.filter(pk__in=delivery_ids, status=DeliveryStatus.RINGING):
        delivery = delivery_status_update(delivery=delivery, status=DeliveryStatus.ANSWERED)
        delivery_status_update(delivery=delivery, status=DeliveryStatus.COMPLETED)


def simulator_ring_timeouts() -> int:
    """Calls nobody answered on the simulator page within the ring time end as "no answer"."""
    from sportello.channels.services import delivery_status_update

    limit = timezone.now() - timedelta(seconds=settings.SPORTELLO_SIMULATOR_RING_SECONDS)
    ended = 0
    for delivery in Delivery.objects.filter(
        provider=Simulator.name, status=DeliveryStatus.RINGING, updated_at__lt=limit
    )[:2000]:
        delivery_status_update(
            delivery=delivery, status=DeliveryStatus.NO_ANSWER, reason="Nessuna risposta"
        )
        ended += 1
    return ended
