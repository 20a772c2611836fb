"""Demo subscribers to the alert system and public-directory numbers, so that an alert drawn on
the demo town reaches someone. Two of them are printed by `sportello demo`, far apart, to try
the phone simulator: one inside a small area, one outside it."""

from __future__ import annotations

import random
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from sportello.places.models import CivicNumber

DEMO_MOBILE = "+39333900{:04d}"
DEMO_LANDLINE = "+390586900{:03d}"
DEMO_DIRECTORY = "+390586910{:03d}"


class AlertPerson(NamedTuple):
    name: str
    mobile: str
    email: str
    address: str


def demo_alert_templates_ensure() -> None:
    """The standard templates of recurring events (seeded by a migration) are back if a test
    database flush or an operator removed them all."""
    import importlib

    from django.apps import apps

    from sportello.alerts.models import AlertTemplate

    if not AlertTemplate.objects.exists():
        seed = importlib.import_module("sportello.alerts.migrations.0006_alert_templates")
        seed.templates_create(apps, None)


@transaction.atomic
def demo_alert_people_ensure(*, seed: int = 2026) -> list[AlertPerson]:
    """Create them once (nothing if any subscription exists); returns the two to try."""
    from sportello.alerts.models import Contact, Subscription, SubscriptionStatus

    demo_alert_templates_ensure()
    civics = list(
        CivicNumber.objects.filter(code__startswith="DEMO-").select_related("street").order_by("pk")
    )
    if not civics:
        return []
    if not Subscription.objects.exists():
        rng = random.Random(f"alerts:{seed}")
        now = timezone.now()
        anna, bruno = _far_apart(civics)
        chosen = [anna, bruno] + [rng.choice(civics) for _ in range(198)]
        subscriptions = []
        for index, civic in enumerate(chosen, start=1):
            first = "Anna" if index == 1 else "Bruno" if index == 2 else f"Iscritto {index}"
            deaf = index % 40 == 7
            subscriptions.append(
                Subscription(
                    status=SubscriptionStatus.ACTIVE,
                    first_name=first,
                    last_name="Demo",
                    mobile=DEMO_MOBILE.format(index),
                    email=f"{first.lower().replace(' ', '')}.demo@example.org",
                    landline=DEMO_LANDLINE.format(index) if index % 5 == 0 else "",
                    civic_number=civic,
                    language="en" if index % 25 == 3 else "it",
                    deaf=deaf,
                    sms_instead_of_voice_requested=deaf,
                    sms_instead_of_voice=deaf,
                    privacy_accepted_at=now,
                    verified_at=now,
                )
            )
        Subscription.objects.bulk_create(subscriptions)
        Contact.objects.bulk_create(
            Contact(
                name=f"Abbonato elenco {index}",
                number=DEMO_DIRECTORY.format(index),
                address_text=str(civic),
                civic_number=civic,
                source="demo",
            )
            for index, civic in enumerate((rng.choice(civics) for _ in range(100)), start=1)
        )
    people = Subscription.objects.filter(mobile__in=[DEMO_MOBILE.format(1), DEMO_MOBILE.format(2)])
    return [
        AlertPerson(
            name=f"{s.first_name} {s.last_name}",
            mobile=s.mobile,
            email=s.email,
            address=str(s.civic_number),
        )
        for s in people.select_related("civic_number__street").order_by("mobile")
    ]


def _far_apart(civics: list[CivicNumber]) -> tuple[CivicNumber, CivicNumber]:
    """A civic number near the middle of the town and the one farthest from it."""
    lat = sum(c.latitude for c in civics) / len(civics)
    lon = sum(c.longitude for c in civics) / len(civics)
    middle = min(civics, key=lambda c: (c.latitude - lat) ** 2 + (c.longitude - lon) ** 2)
    far = max(
        civics,
        key=lambda c: (c.latitude - middle.latitude) ** 2 + (c.longitude - middle.longitude) ** 2,
    )
    return middle, far


def demo_alert_people_delete() -> None:
    from sportello.alerts.models import Contact, Subscription

    Subscription.objects.filter(mobile__startswith=DEMO_MOBILE[:9]).delete()
    Contact.objects.filter(source="demo").delete()
