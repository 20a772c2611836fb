"""Imposta di bollo on certificates: the amount due, and the exemptions a citizen may claim for
the use they declare. The one list of exemptions, each with the law that grants it.

Registry certificates pay the duty (DPR 642/1972, tariffa art. 4) unless the use is exempt;
certificates from the civil-status records never pay it (see kinds.CertificateType).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

TABLE_B = "Tabella allegato B al DPR 26 ottobre 1972, n. 642"
CIVIL_STATUS_RECORD_REFERENCE = "art. 7 L. 29 dicembre 1990, n. 405"
# Code stored on a certificate exempt by its kind rather than by its use.
CIVIL_STATUS_RECORD = "stato_civile"


@dataclass(frozen=True)
class Exemption:
    code: str
    label: str | Promise  # the use, as the citizen recognises it
    reference: str  # the law, as printed on the certificate


EXEMPTIONS: tuple[Exemption, ...] = (
    Exemption(
        "pensione",
        _("Pensione, assegni familiari, previdenza e assistenza sociale, assistenza sanitaria"),
        f"art. 9 {TABLE_B}",
    ),
    Exemption(
        "scuola",
        _(
            "Iscrizione e frequenza di asilo nido, scuola dell'infanzia e dell'obbligo; "
            "borse di studio"
        ),
        f"art. 11 {TABLE_B}",
    ),
    Exemption(
        "adozione",
        _("Adozione, affidamento di minori, tutela"),
        f"art. 13 {TABLE_B}; art. 82 L. 4 maggio 1983, n. 184",
    ),
    Exemption(
        "separazione_divorzio",
        _("Separazione personale, divorzio e relativi assegni"),
        "art. 19 L. 6 marzo 1987, n. 74",
    ),
    Exemption(
        "lavoro",
        _("Cause di lavoro, di pubblico impiego, di previdenza e assistenza obbligatorie"),
        "art. 10 L. 11 agosto 1973, n. 533",
    ),
    Exemption(
        "elettorale",
        _("Esercizio dei diritti elettorali, liste elettorali"),
        f"art. 1 {TABLE_B}",
    ),
    Exemption(
        "penale",
        _("Procedimento penale"),
        f"art. 3 {TABLE_B}",
    ),
    Exemption(
        "tributi",
        _("Applicazione delle leggi tributarie"),
        f"art. 5 {TABLE_B}",
    ),
    Exemption(
        "onlus_sport",
        _(
            "Richiesto da una ONLUS, da una federazione sportiva, un ente di promozione sportiva "
            "o un'associazione o società sportiva dilettantistica riconosciuti dal CONI"
        ),
        f"art. 27-bis {TABLE_B}",
    ),
    Exemption(
        "terzo_settore",
        _("Richiesto da un ente del Terzo settore per la sua attività"),
        "art. 82 c. 5 D.Lgs. 3 luglio 2017, n. 117",
    ),
)
_BY_CODE = {exemption.code: exemption for exemption in EXEMPTIONS}


def exemption_get(code: str) -> Exemption | None:
    return _BY_CODE.get(code)


def stamp_duty_amount() -> Decimal:
    """The duty due on a certificate that is not exempt (settings; checked at start-up)."""
    return Decimal(settings.SPORTELLO_CERTIFICATE_STAMP_DUTY).quantize(Decimal("0.01"))
