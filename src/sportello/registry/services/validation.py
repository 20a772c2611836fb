"""Checking a person's own data before it is written: codice fiscale, names, birth place,
citizenship, civil status and the registry facts that go with it (L. 76/2016, AIRE)."""

from __future__ import annotations

import dataclasses
import datetime
import functools
from typing import Any

from babel import Locale
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.registry.belfiore import birth_place_by_code, birth_place_candidates, place_key
from sportello.registry.codice_fiscale import (
    codice_fiscale_base,
    codice_fiscale_check,
    codice_fiscale_validate,
)
from sportello.registry.models import (
    CivilStatus,
    Sex,
)

PERSONAL_FIELDS = (
    "codice_fiscale",
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "birth_place",
    "birth_place_code",
    "citizenship",
    "civil_status",
    "date_of_death",
)
# Registry facts beyond the codice fiscale's: the last civil-status event, a contratto di
# convivenza, the registration abroad (AIRE).
FACT_FIELDS = (
    "civil_status_date",
    "civil_status_place",
    "cohabitation_contract_date",
    "aire",
    "aire_country",
)
UPDATABLE_FIELDS = (
    *PERSONAL_FIELDS,
    *FACT_FIELDS,
    "family",
    "relationship",
    "residence",
    "residence_detail",
)
# Law 76/2016 (civil unions and contratti di convivenza) is in force since this day.
LAW_76_2016_SINCE = datetime.date(2016, 6, 5)
UNION_STATUSES = (
    CivilStatus.CIVIL_UNION,
    CivilStatus.UNION_ENDED_DEATH,
    CivilStatus.UNION_DISSOLVED,
)
# A contratto di convivenza ends with a marriage or civil union of either party (L. 76/2016 c. 59).
BOUND_STATUSES = (CivilStatus.MARRIED, CivilStatus.CIVIL_UNION)
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}  # CLDR regions that are no state


@dataclasses.dataclass(frozen=True)
class PersonData:
    """A person's own data, checked and normalized; what `person_validate` returns."""

    codice_fiscale: str
    first_name: str
    last_name: str
    sex: str
    birth_date: datetime.date
    birth_place: str
    birth_place_code: str
    citizenship: str
    civil_status: str
    date_of_death: datetime.date | None = None

    def as_fields(self) -> dict[str, Any]:
        # Not dataclasses.asdict(): it deep-copies, which the import pays for on every row.
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


def clean_text(value: str | None) -> str:
    return " ".join((value or "").split())


@functools.cache
def _countries() -> dict[str, str]:
    """Folded Italian and English country names, and ISO codes, -> ISO 3166 alpha-2 code."""
    countries: dict[str, str] = {}
    for language in ("en", "it"):
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES:
                countries[place_key(name)] = code
                countries[code.lower()] = code
    countries[place_key("italiana")] = countries[place_key("italiano")] = "IT"
    return countries


def _country_code(text: str) -> str | None:
    return _countries().get(place_key(text)) or _countries().get(text.lower())


def citizenship_normalize(value: str) -> str:
    """«it», «Italia», «Italy» -> «IT»; an empty value means Italian citizenship."""
    text = clean_text(value)
    if not text:
        return "IT"
    code = _country_code(text)
    if code is None:
        raise ApplicationError(
            _("cittadinanza sconosciuta: «%(value)s» (usare il codice ISO, es. IT, FR)")
            % {"value": value},
            extra={"field": "citizenship"},
        )
    return code


def _birth_place_resolve(
    *, codice_fiscale: str, birth_place: str, birth_place_code: str, birth_date: datetime.date
) -> tuple[str, str]:
    """(name, Belfiore code) of the birth place, from either or both.

    A name alone may fit several places (same-named comuni, a comune that changed code): the one
    the codice fiscale names is taken when it fits, so the check that follows is meaningful.
    """
    name = clean_text(birth_place)
    code = clean_text(birth_place_code).upper()
    if code:
        place = birth_place_by_code(code=code, birth_date=birth_date)
        if name and code not in {c.code for c in birth_place_candidates(name=name)}:
            raise ApplicationError(
                _("il codice catastale %(code)s non corrisponde al luogo di nascita «%(name)s»")
                % {"code": code, "name": name},
                extra={"field": "birth_place_code"},
            )
        return name or place.name, code
    if not name:
        raise ApplicationError(_("il luogo di nascita è mancante"), extra={"field": "birth_place"})
    candidates = birth_place_candidates(name=name, birth_date=birth_date)
    if not candidates:
        raise ApplicationError(
            _("luogo di nascita sconosciuto: «%(name)s»") % {"name": name},
            extra={"field": "birth_place"},
        )
    code_in_cf = codice_fiscale_base(codice_fiscale=codice_fiscale)[11:15]
    if code_in_cf in {place.code for place in candidates}:
        return name, code_in_cf
    return name, candidates[0].code


def person_validate(
    *,
    codice_fiscale: str,
    first_name: str,
    last_name: str,
    sex: str,
    birth_date: datetime.date | None,
    birth_place: str = "",
    birth_place_code: str = "",
    citizenship: str = "IT",
    civil_status: str,
    date_of_death: datetime.date | None = None,
) -> PersonData:
    """Check a person's own data, the codice fiscale against it included; no database access.

    Used by every write (services, the CSV import, the back-office form), so that all of them
    accept and refuse the same things with the same words.
    """
    first_name, last_name = clean_text(first_name), clean_text(last_name)
    if not last_name:
        raise ApplicationError(_("il cognome è mancante"), extra={"field": "last_name"})
    if not first_name:
        raise ApplicationError(_("il nome è mancante"), extra={"field": "first_name"})
    sex = clean_text(sex).upper()
    if sex not in Sex.values:
        raise ApplicationError(
            _("sesso non valido: «%(value)s» (indicare M o F)") % {"value": sex},
            extra={"field": "sex"},
        )
    today = timezone.localdate()
    if birth_date is None:
        raise ApplicationError(_("la data di nascita è mancante"), extra={"field": "birth_date"})
    if birth_date > today:
        raise ApplicationError(
            _("la data di nascita %(date)s è nel futuro")
            % {"date": birth_date.strftime("%d/%m/%Y")},
            extra={"field": "birth_date"},
        )
    if date_of_death is not None and not birth_date <= date_of_death <= today:
        raise ApplicationError(
            _("la data di morte deve essere tra la data di nascita e oggi"),
            extra={"field": "date_of_death"},
        )
    if civil_status not in CivilStatus.values:
        raise ApplicationError(
            _("stato civile sconosciuto: «%(value)s»") % {"value": civil_status},
            extra={"field": "civil_status"},
        )
    citizenship = citizenship_normalize(citizenship)
    code = codice_fiscale_validate(codice_fiscale=codice_fiscale)
    birth_place, birth_place_code = _birth_place_resolve(
        codice_fiscale=code,
        birth_place=birth_place,
        birth_place_code=birth_place_code,
        birth_date=birth_date,
    )
    code = codice_fiscale_check(
        codice_fiscale=code,
        last_name=last_name,
        first_name=first_name,
        sex=sex,
        birth_date=birth_date,
        birth_place_code=birth_place_code,
    )
    return PersonData(
        codice_fiscale=code,
        first_name=first_name,
        last_name=last_name,
        sex=sex,
        birth_date=birth_date,
        birth_place=birth_place,
        birth_place_code=birth_place_code,
        citizenship=citizenship,
        civil_status=civil_status,
        date_of_death=date_of_death,
    )


@dataclasses.dataclass(frozen=True)
class PersonFacts:
    """A person's registry facts, checked and normalized; what `person_facts_validate` returns."""

    civil_status_date: datetime.date | None = None
    civil_status_place: str = ""
    cohabitation_contract_date: datetime.date | None = None
    aire: bool = False
    aire_country: str = ""

    def as_fields(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


def person_facts_validate(
    *,
    birth_date: datetime.date,
    citizenship: str,
    civil_status: str,
    civil_status_date: datetime.date | None = None,
    civil_status_place: str = "",
    cohabitation_contract_date: datetime.date | None = None,
    aire: bool = False,
    aire_country: str = "",
) -> PersonFacts:
    """Check a person's registry facts against their own (already checked) data; no database
    access. Where the person lives is checked with the family rules (`person_membership_check`).
    """
    today = timezone.localdate()
    place = clean_text(civil_status_place)
    if civil_status == CivilStatus.UNMARRIED and (civil_status_date or place):
        raise ApplicationError(
            _("chi è celibe o nubile non ha eventi di stato civile: lasciare vuoti data e luogo"),
            extra={"field": "civil_status_date"},
        )
    if civil_status_date is not None:
        if not birth_date < civil_status_date <= today:
            raise ApplicationError(
                _("la data dell'evento di stato civile deve essere tra la nascita e oggi"),
                extra={"field": "civil_status_date"},
            )
        if civil_status in UNION_STATUSES and civil_status_date < LAW_76_2016_SINCE:
            raise ApplicationError(
                _(
                    "le unioni civili esistono dal 5 giugno 2016 (legge 76/2016): "
                    "correggere la data"
                ),
                extra={"field": "civil_status_date"},
            )
    if cohabitation_contract_date is not None:
        if civil_status in BOUND_STATUSES:
            raise ApplicationError(
                _(
                    "il contratto di convivenza è tra persone non sposate né unite civilmente: "
                    "togliere la data del contratto o correggere lo stato civile"
                ),
                extra={"field": "cohabitation_contract_date"},
            )
        if not LAW_76_2016_SINCE <= cohabitation_contract_date <= today:
            raise ApplicationError(
                _(
                    "la data del contratto di convivenza deve essere tra il 5 giugno 2016 "
                    "(legge 76/2016) e oggi"
                ),
                extra={"field": "cohabitation_contract_date"},
            )
        if cohabitation_contract_date < _years_after(birth_date, 18):
            raise ApplicationError(
                _("il contratto di convivenza si stipula da maggiorenni: correggere la data"),
                extra={"field": "cohabitation_contract_date"},
            )
    country = clean_text(aire_country)
    if aire:
        if citizenship != "IT":
            raise ApplicationError(
                _("all'AIRE si iscrivono solo i cittadini italiani"), extra={"field": "aire"}
            )
        if not country:
            raise ApplicationError(
                _("indicare il paese di residenza all'estero di chi è iscritto all'AIRE"),
                extra={"field": "aire_country"},
            )
        code = _country_code(country)
        if code is None:
            raise ApplicationError(
                _("paese sconosciuto: «%(value)s» (usare il codice ISO, es. DE, AR)")
                % {"value": country},
                extra={"field": "aire_country"},
            )
        if code == "IT":
            raise ApplicationError(
                _("il paese di residenza all'estero non può essere l'Italia"),
                extra={"field": "aire_country"},
            )
        country = code
    elif country:
        raise ApplicationError(
            _("il paese di residenza all'estero si indica solo per chi è iscritto all'AIRE"),
            extra={"field": "aire_country"},
        )
    return PersonFacts(
        civil_status_date=civil_status_date,
        civil_status_place=place if civil_status_date or place else "",
        cohabitation_contract_date=cohabitation_contract_date,
        aire=bool(aire),
        aire_country=country,
    )


def _years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
