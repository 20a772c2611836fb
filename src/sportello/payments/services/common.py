"""What the payments services share: the creditor (the comune as pagoPA knows it)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from stdnum.it import iva

from sportello.core.exceptions import ApplicationError
from sportello.core.selectors import municipality_get
from sportello.payments.providers.base import Creditor


def creditor_get() -> Creditor:
    """The comune's fiscal code, name and account; ApplicationError until they are configured."""
    municipality = municipality_get()
    code = (municipality.tax_code if municipality else "").strip()
    if municipality is None or not iva.is_valid(code):
        raise ApplicationError(
            _(
                "I pagamenti non sono ancora attivi: manca il codice fiscale del Comune "
                "(11 cifre) nella configurazione. Riprova più tardi o rivolgiti agli uffici."
            )
        )
    return Creditor(fiscal_code=code, name=municipality.name, iban=settings.SPORTELLO_PAGOPA_IBAN)
