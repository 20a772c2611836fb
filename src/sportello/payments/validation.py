"""What a service asks for when it creates a debt position, and the checks made before anything
is written: every problem of every position is reported, in Italian, and nothing is saved.

Amounts are given in euros (Decimal) and stored in cents; limits are pagoPA's (GPD and the
receipts' XML schema): texts of 140 characters, names of 70, at most five transfers an option.
"""

from __future__ import annotations

import base64
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum import iban as iban_check
from stdnum.it import codicefiscale, iva

MAX_AMOUNT = Decimal("999999999.99")
MAX_TRANSFERS = 5
MAX_INSTALMENTS = 60
# Taxonomy of the collected revenue: accounting type, taxonomy code (e.g. 9/0101108TS/).
CATEGORY = re.compile(r"^[0129]/\d{7}[A-Z]{2}/$")
TWO_LETTERS = re.compile(r"^[A-Z]{2}$")
# Names of the fields in messages, translated only when a message is made.
L_DESCRIPTION = gettext_lazy("la causale")
L_REMITTANCE = gettext_lazy("la causale del versamento")
L_DEBTOR_NAME = gettext_lazy("il nome del debitore")
L_STREET = gettext_lazy("l'indirizzo")
L_CIVIC = gettext_lazy("il numero civico")
L_POSTAL_CODE = gettext_lazy("il CAP")
L_CITY = gettext_lazy("il comune")
L_TITLE = gettext_lazy("l'oggetto del pagamento")


@dataclass(frozen=True)
class Debtor:
    fiscal_code: str  # codice fiscale (a person) or partita IVA (a company)
    name: str
    street: str = ""
    civic_number: str = ""
    postal_code: str = ""
    city: str = ""
    province: str = ""
    country: str = "IT"
    email: str = ""


@dataclass(frozen=True)
class Stamp:
    """A digital stamp (marca da bollo digitale) for the document with this SHA-256."""

    document_sha256: bytes
    province: str  # the debtor's province of residence
    stamp_type: str = "01"

    @property
    def hash_document(self) -> str:
        return base64.b64encode(self.document_sha256).decode("ascii")


@dataclass(frozen=True)
class TransferSpec:
    amount: Decimal
    remittance: str
    category: str
    iban: str = ""  # empty with no stamp: the comune's account (SPORTELLO_PAGOPA_IBAN)
    stamp: Stamp | None = None


@dataclass(frozen=True)
class OptionSpec:
    amount: Decimal
    due_date: datetime.date
    description: str
    # Empty: the whole amount to the comune's account, with the position's category.
    transfers: tuple[TransferSpec, ...] = ()


@dataclass(frozen=True)
class PositionSpec:
    service: str
    reference: str
    title: str  # what is paid, as the citizen and the operators read it
    debtor: Debtor
    category: str = ""  # taxonomy code of the default transfer
    single: OptionSpec | None = None  # pay everything at once
    instalments: tuple[OptionSpec, ...] = ()  # or in instalments
    office_name: str = ""
    switch_to_expired: bool = False
    extra: dict = field(default_factory=dict, compare=False)


def cents(amount: Decimal | str | int) -> int:
    """Euros to cents; ValueError for anything that is not a positive amount with at most two
    decimals."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise ValueError(_("«%(amount)s» non è un importo.") % {"amount": amount}) from None
    if not value.is_finite() or value <= 0:
        raise ValueError(_("L'importo deve essere maggiore di zero."))
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(_("L'importo può avere al massimo due decimali (i centesimi)."))
    if value > MAX_AMOUNT:
        raise ValueError(_("L'importo supera il massimo ammesso da pagoPA."))
    return int(value * 100)


def iban_valid(value: str) -> bool:
    return bool(value) and iban_check.is_valid(value)


@lru_cache(maxsize=65536)
def fiscal_code_valid(code: str) -> bool:
    """A codice fiscale (16) or partita IVA (11); cached: a canteen year names each child often."""
    if len(code) == 16:
        return codicefiscale.is_valid(code)
    return len(code) == 11 and iva.is_valid(code)


def fiscal_code_error(value: str) -> str | None:
    if fiscal_code_valid((value or "").strip().upper()):
        return None
    return _("«%(code)s» non è un codice fiscale né una partita IVA validi.") % {"code": value}


def _category_error(code: str) -> str:
    return _(
        "Il codice tassonomico «%(code)s» non è nella forma pagoPA (per esempio 9/0101108TS/)."
    ) % {"code": code}


def _text_error(value: str, *, label: str, limit: int, required: bool = True) -> str | None:
    if required and not (value or "").strip():
        return _("Manca %(label)s.") % {"label": label}
    if len(value or "") > limit:
        return _("%(label)s supera i %(limit)d caratteri.") % {
            "label": label[:1].upper() + label[1:],
            "limit": limit,
        }
    return None


def _option_errors(option: OptionSpec, *, category: str, today: datetime.date) -> list[str]:
    errors = []
    try:
        total = cents(option.amount)
    except ValueError as error:
        errors.append(str(error))
        total = None
    if option.due_date < today:
        errors.append(
            _("La scadenza %(date)s è già passata.") % {"date": f"{option.due_date:%d/%m/%Y}"}
        )
    if error := _text_error(option.description, label=L_DESCRIPTION, limit=140):
        errors.append(error)
    transfers = option.transfers or (TransferSpec(option.amount, option.description, category),)
    if len(transfers) > MAX_TRANSFERS:
        errors.append(_("Un avviso ha al massimo cinque beneficiari (trasferimenti)."))
    transferred = 0
    for transfer in transfers:
        try:
            transferred += cents(transfer.amount)
        except ValueError as error:
            errors.append(str(error))
        if not CATEGORY.match(transfer.category or ""):
            errors.append(_category_error(transfer.category))
        if error := _text_error(transfer.remittance, label=L_REMITTANCE, limit=140):
            errors.append(error)
        if transfer.stamp is not None:
            if transfer.iban:
                errors.append(_("Una marca da bollo digitale non va su un IBAN."))
            if len(transfer.stamp.document_sha256) != 32:
                errors.append(_("L'impronta del documento da bollare non è uno SHA-256."))
            if not TWO_LETTERS.match(transfer.stamp.province or ""):
                errors.append(_("Per la marca da bollo serve la sigla della provincia."))
        elif transfer.iban and not iban_valid(transfer.iban):
            errors.append(_("L'IBAN «%(iban)s» non è valido.") % {"iban": transfer.iban})
    if total is not None and transfers and transferred != total and not errors:
        errors.append(_("La somma dei trasferimenti non è uguale all'importo dell'avviso."))
    return errors


def position_errors(spec: PositionSpec, *, today: datetime.date | None = None) -> list[str]:
    """Every problem of `spec`, in Italian; empty when it can be created."""
    today = today or timezone.localdate()
    debtor = spec.debtor
    errors = []
    if error := fiscal_code_error(debtor.fiscal_code):
        errors.append(error)
    if error := _text_error(debtor.name, label=L_DEBTOR_NAME, limit=70):
        errors.append(error)
    if debtor.email:
        try:
            validate_email(debtor.email)
        except ValidationError:
            errors.append(_("L'e-mail «%(email)s» non è valida.") % {"email": debtor.email})
    if not TWO_LETTERS.match(debtor.country or ""):
        errors.append(_("La nazione va indicata con due lettere (IT)."))
    if debtor.province and not TWO_LETTERS.match(debtor.province):
        errors.append(_("La provincia va indicata con la sigla di due lettere."))
    for value, label, limit in (
        (debtor.street, L_STREET, 70),
        (debtor.civic_number, L_CIVIC, 16),
        (debtor.postal_code, L_POSTAL_CODE, 16),
        (debtor.city, L_CITY, 35),
    ):
        if error := _text_error(value, label=label, limit=limit, required=False):
            errors.append(error)
    if error := _text_error(spec.title, label=L_TITLE, limit=140):
        errors.append(error)
    if not spec.service or not spec.reference:
        errors.append(_("Mancano il servizio o il suo riferimento."))
    if spec.single is None and not spec.instalments:
        errors.append(_("Manca l'importo da pagare."))
    if len(spec.instalments) == 1:
        errors.append(_("Le rate sono almeno due; per un solo pagamento usa l'unica soluzione."))
    if len(spec.instalments) > MAX_INSTALMENTS:
        errors.append(_("Troppe rate (al massimo %(max)d).") % {"max": MAX_INSTALMENTS})
    needs_category = any(
        not option.transfers for option in (spec.single, *spec.instalments) if option
    )
    if needs_category and not CATEGORY.match(spec.category or ""):
        errors.append(_category_error(spec.category))
    for option in (spec.single, *spec.instalments):
        if option is not None:
            errors.extend(_option_errors(option, category=spec.category, today=today))
    # The same message once, however many options repeat it.
    return list(dict.fromkeys(errors))
