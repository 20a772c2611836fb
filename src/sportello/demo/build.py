"""The demo municipality, built by `sportello demo` in one transaction: Livorno's configuration
(`core.demo`), the streets (`places.demo`), the households (`registry.demo`) and the copies of
the demo citizen's documents (`documents.demo`), in that order; the command then adds the
logins (`accounts.demo`) and each service's demo data.

Rows are written in bulk: 50,000 citizens take seconds, not minutes. Demo streets, civic
numbers and families carry DEMO_CODE_PREFIX in their codes, so that a reset removes them and
nothing else.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import ProtectedError

# The logins are re-exported for `serve`, which knows the demo app only by name.
from sportello.accounts.demo import demo_logins as demo_logins
from sportello.alerts.demo import demo_alert_people_delete
from sportello.core.demo import municipality_configure_demo
from sportello.core.exceptions import ApplicationError
from sportello.documents.demo import demo_document_copies
from sportello.places.demo.town import town_build, town_delete
from sportello.registry.demo.people import people_build, people_delete, people_exist


@dataclass(frozen=True)
class DemoTown:
    citizens: int
    families: int
    streets: int
    civic_numbers: int


def number_it(value: float, *, decimals: int = 0) -> str:
    """12345.6 -> «12.345,6»: figures as Italian readers write them."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def demo_exists() -> bool:
    return people_exist()


def demo_delete() -> int:
    """Remove the demo's persons, families, civic numbers and streets; returns the persons."""
    try:
        demo_alert_people_delete()
        deleted = people_delete()
        town_delete()
    except ProtectedError as error:
        raise ApplicationError(
            "Altri dati fanno riferimento alla città di prova (per esempio persone inserite a "
            "mano o iscrizioni all'allerta): non posso cancellarla.",
            extra={"protected": len(error.protected_objects)},
        ) from error
    return deleted


def demo_build(
    *,
    citizens: int,
    seed: int,
    reset: bool = False,
    progress: Callable[[str], None] | None = None,
) -> DemoTown:
    """Configure Livorno and create the town; all or nothing."""
    say = progress or (lambda message: None)
    if citizens < 1:
        raise ApplicationError("Il numero di cittadini deve essere almeno 1.")
    with transaction.atomic():
        if reset:
            removed = demo_delete()
            say(f"Città di prova precedente cancellata ({number_it(removed)} persone).")
        elif demo_exists():
            raise ApplicationError(
                "La città di prova esiste già: usa --reset per ricrearla o --if-empty per "
                "lasciarla com'è."
            )
        municipality_configure_demo()
        say("Comune di Livorno configurato: uffici, orari e numeri dell'allerta.")
        # Separate streams, so that the people do not change when the town's shape does.
        civics = town_build(rng=random.Random(f"town:{seed}"), citizens=citizens)
        streets = len({civic.street_id for civic in civics})
        say(f"Stradario: {number_it(streets)} strade, {number_it(len(civics))} numeri civici.")
        people = people_build(rng=random.Random(f"people:{seed}"), citizens=citizens, civics=civics)
        demo_document_copies(people.showcase)
    return DemoTown(
        citizens=people.citizens,
        families=people.families,
        streets=streets,
        civic_numbers=len(civics),
    )
