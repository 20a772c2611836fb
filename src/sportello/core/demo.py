"""The demo comune: the Comune di Livorno's offices, hours and numbers, as configuration rows.

Facts come from the two seed documents (URP and service-centre hours, the alert system's
numbers, the PEC address); where the seeds say nothing, the value is marked as demo data.
"""

from __future__ import annotations

from datetime import time
from typing import NamedTuple

from sportello.core.models import (
    Helpline,
    Municipality,
    Office,
    OfficeKind,
    OpeningPeriod,
    Weekday,
)


def words(text: str) -> tuple[str, ...]:
    """One entry per comma-separated item, so that names with spaces stay whole: the word lists
    of the apps' demo data (names, streets) are written this way."""
    return tuple(item.strip() for item in text.replace("\n", " ").split(",") if item.strip())


# The comune's territory without Gorgona island: from the Chioma stream south of Quercianella
# to the port and the border with Pisa in the north, and east to the hills of Valle Benedetta.
MIN_LATITUDE = 43.435
MAX_LATITUDE = 43.605
MIN_LONGITUDE = 10.285
MAX_LONGITUDE = 10.445

TOWN_HALL = "Palazzo Comunale, Piazza del Municipio 1"

MUNICIPALITY = {
    "name": "Comune di Livorno",
    "short_name": "Livorno",
    "cadastral_code": "E625",
    "province": "LI",
    "tax_code": "00104330493",
    "address": "Piazza del Municipio 1",
    "postal_code": "57123",
    "website": "https://www.comune.livorno.it",
    "pec_address": "comune.livorno@postacert.toscana.it",
    # Demo data: the seeds name these mailboxes but give no address.
    "contact_email": "sportellodelcittadino@comune.livorno.it",
    "it_office_email": "servizi.informativi@comune.livorno.it",
    "civil_protection_email": "protezionecivile@comune.livorno.it",
    "alert_caller_id": "+3905861837510",
    "registration_request_line": "+3905861837596",
    "deregistration_line": "+3905861837596",
    "fax_sender": "+3905861845150",
    "min_latitude": MIN_LATITUDE,
    "max_latitude": MAX_LATITUDE,
    "min_longitude": MIN_LONGITUDE,
    "max_longitude": MAX_LONGITUDE,
}
ISTAT_CODE = "049009"

Hours = tuple[tuple[int, time, time], ...]

WORKING_DAYS = (
    Weekday.MONDAY,
    Weekday.TUESDAY,
    Weekday.WEDNESDAY,
    Weekday.THURSDAY,
    Weekday.FRIDAY,
)
# Mornings on working days, and Tuesday and Thursday afternoons too.
COUNTER_HOURS: Hours = tuple((day, time(9), time(13)) for day in WORKING_DAYS) + (
    (Weekday.TUESDAY, time(15, 30), time(17, 30)),
    (Weekday.THURSDAY, time(15, 30), time(17, 30)),
)
HELPLINE_HOURS: Hours = tuple((day, time(10), time(17)) for day in WORKING_DAYS)


class OfficeFacts(NamedTuple):
    kind: str
    name: str
    address: str
    hours: Hours = ()
    email: str = ""
    issues_credentials: bool = False
    accepts_paper_forms: bool = False


OFFICES = (
    OfficeFacts(
        OfficeKind.URP,
        "URP - Ufficio Relazioni con il Pubblico",
        TOWN_HALL,
        COUNTER_HOURS,
        issues_credentials=True,
        accepts_paper_forms=True,
    ),
    OfficeFacts(
        OfficeKind.SERVICE_CENTRE,
        "Centro servizi al cittadino Area Nord (ex Circoscrizione 1)",
        "Piazza Giuseppe Saragat 1",
        COUNTER_HOURS,
        issues_credentials=True,
    ),
    OfficeFacts(
        OfficeKind.SERVICE_CENTRE,
        "Centro servizi al cittadino Area Sud (ex Circoscrizione 5)",
        "Via Niccolò Machiavelli 21",
        COUNTER_HOURS,
        issues_credentials=True,
    ),
    # The seeds give neither address nor hours for these two: the town hall is demo data.
    OfficeFacts(OfficeKind.PROTOCOL, "Ufficio Protocollo", TOWN_HALL, accepts_paper_forms=True),
    OfficeFacts(
        OfficeKind.CIVIL_PROTECTION,
        "Ufficio Protezione Civile",
        TOWN_HALL,
        email=MUNICIPALITY["civil_protection_email"],
    ),
)


class HelplineFacts(NamedTuple):
    name: str
    purpose: str
    phone: str
    toll_free: bool
    hours: Hours


HELPLINES = (
    HelplineFacts(
        "Numero verde dell'allerta",
        "Assistenza per l'iscrizione online al sistema di allerta",
        "800 168 593",
        True,
        HELPLINE_HOURS,
    ),
)


def municipality_configure_demo() -> Municipality:
    """Create or update the Livorno configuration; running it twice changes nothing."""
    municipality, _created = Municipality.objects.update_or_create(
        istat_code=ISTAT_CODE, defaults=MUNICIPALITY
    )
    for position, facts in enumerate(OFFICES):
        office, _created = Office.objects.update_or_create(
            municipality=municipality,
            name=facts.name,
            defaults={
                "kind": facts.kind,
                "address": facts.address,
                "email": facts.email,
                "issues_credentials": facts.issues_credentials,
                "accepts_paper_forms": facts.accepts_paper_forms,
                "position": position,
            },
        )
        _opening_periods_replace(facts.hours, office=office)
    for position, facts in enumerate(HELPLINES):
        helpline, _created = Helpline.objects.update_or_create(
            municipality=municipality,
            name=facts.name,
            defaults={
                "purpose": facts.purpose,
                "phone": facts.phone,
                "toll_free": facts.toll_free,
                "position": position,
            },
        )
        _opening_periods_replace(facts.hours, helpline=helpline)
    return municipality


def _opening_periods_replace(
    hours: Hours, *, office: Office | None = None, helpline: Helpline | None = None
) -> None:
    owner = {"office": office} if office is not None else {"helpline": helpline}
    OpeningPeriod.objects.filter(**owner).delete()
    OpeningPeriod.objects.bulk_create(
        OpeningPeriod(weekday=day, opens=opens, closes=closes, **owner)
        for day, opens, closes in hours
    )
