"""The yearly statement for the tax return (spese per la mensa scolastica): what was actually
paid for a child in a calendar year, drawn as a PDF and sealed with the comune's electronic seal,
as the certificates are."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.canteen.models import CreditAccount
from sportello.canteen.selectors import meals_in_year, paid_in_year
from sportello.certificates.seal import SealError, seal_pdf
from sportello.core.exceptions import ApplicationError
from sportello.core.money import euro_text
from sportello.core.pdf import coat_of_arms_data_uri, pdf_render
from sportello.core.selectors import municipality_get
from sportello.core.services import audit_record


def statement_pdf(*, account: CreditAccount, year: int, user=None) -> bytes:
    """The sealed statement of `year` for the child of `account` (the caller checked who may
    read it)."""
    if year > timezone.localdate().year:
        raise ApplicationError(_("L'anno richiesto non è ancora iniziato."))
    payments = paid_in_year(account=account, year=year)
    meals, cost = meals_in_year(account=account, year=year)
    municipality = municipality_get()
    total = sum(movement.amount for movement in payments)
    pdf = pdf_render(
        "canteen/pdf/statement.html",
        {
            "municipality": municipality,
            "coat_of_arms": coat_of_arms_data_uri(municipality),
            "account": account,
            "year": year,
            "payments": [
                (m.day, m.get_kind_display(), euro_text(m.amount, cents=True)) for m in payments
            ],
            "total": euro_text(total, cents=True),
            "meals": meals,
            "cost": euro_text(cost, cents=True),
            "today": timezone.localdate(),
        },
    )
    try:
        sealed = seal_pdf(
            pdf,
            location=municipality.name if municipality else "",
            reason=_("Attestazione delle spese per la mensa scolastica"),
        )
    except SealError:
        raise ApplicationError(
            _(
                "In questo momento non riusciamo a produrre l'attestazione: il sigillo "
                "elettronico del Comune non è disponibile. Riprova più tardi."
            )
        ) from None
    audit_record(
        action="canteen_statement_downloaded", actor=user, target=account, detail={"year": year}
    )
    return sealed
