"""The embedded provider: nothing leaves the machine. Every message and call is kept as its
Delivery row, which the phone simulator page shows for any number; calls ring until someone
answers them there, and then run the same IVR flows a real provider would fetch."""

from __future__ import annotations

import uuid

from sportello.channels.base import DeliveryStatus, Medium, ProviderResult
from sportello.channels.models import Delivery


class Simulator:
    name = "simulator"

    def send(self, delivery: Delivery) -> ProviderResult:
        provider_id = f"SIM-{uuid.uuid4().hex[:16]}"
        if delivery.medium == Medium.VOICE:
            return ProviderResult(provider_id=provider_id, status=DeliveryStatus.RINGING)
        return ProviderResult(provider_id=provider_id, status=DeliveryStatus.DELIVERED)
