"""The services the portal offers, as shown on the home page.

`certified` marks the services that need a certified citizen (shown with a padlock). Later
issues fill in `url_name` as each service is built; until then the card says it is coming.
Each section is also an anchor of the home page that the main menu links to.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PortalSection:
    slug: str  # also the anchor the main menu links to (/#servizi, /#allerta)
    title: str | Promise
    intro: str | Promise


@dataclass(frozen=True)
class PortalService:
    slug: str
    title: str | Promise
    summary: str | Promise
    certified: bool
    section: PortalSection
    url_name: str | None = None


CITIZEN_DESK = PortalSection(
    "servizi",
    _("Sportello del Cittadino"),
    _("I tuoi dati, i certificati, la mensa scolastica e i permessi, senza fare la fila."),
)
ALERTS = PortalSection(
    "allerta",
    _("Allerta protezione civile"),
    _(
        "In caso di pericolo il Comune avvisa la popolazione per telefono, SMS, fax ed e-mail. "
        "Possono iscriversi tutti, anche chi non è residente."
    ),
)
SECTIONS: list[PortalSection] = [CITIZEN_DESK, ALERTS]

SERVICES: list[PortalService] = [
    PortalService(
        "registry-data",
        _("I miei dati anagrafici"),
        _("Consulta i tuoi dati, la composizione della famiglia e le copie dei documenti."),
        certified=True,
        section=CITIZEN_DESK,
        url_name="registry:my_data",
    ),
    PortalService(
        "documents",
        _("I miei documenti"),
        _("Scarica le copie digitali dei tuoi documenti e di quelli dei tuoi figli minorenni."),
        certified=True,
        section=CITIZEN_DESK,
        url_name="documents:my_documents",
    ),
    PortalService(
        "certificates",
        _("Certificati anagrafici online"),
        _(
            "Scarica certificati con sigillo elettronico del Comune, validi come quelli "
            "allo sportello."
        ),
        certified=True,
        section=CITIZEN_DESK,
        url_name="certificates:home",
    ),
    PortalService(
        "payments",
        _("I miei pagamenti"),
        _(
            "Paga con pagoPA gli avvisi del Comune intestati a te e ai tuoi figli, anche più "
            "di uno insieme, e scarica le ricevute."
        ),
        certified=True,
        section=CITIZEN_DESK,
        url_name="payments:home",
    ),
    PortalService(
        "canteen",
        _("Mensa scolastica"),
        _(
            "Iscrivi i tuoi figli alla refezione scolastica, ricarica il credito dei pasti e "
            "comunica le assenze."
        ),
        certified=True,
        section=CITIZEN_DESK,
        url_name="canteen:service",
    ),
    PortalService(
        "permits",
        _("Permessi ZTL e ZSC"),
        _("Rinnova i permessi di accesso e di sosta per i tuoi veicoli."),
        certified=True,
        section=CITIZEN_DESK,
        url_name="permits:home",
    ),
    PortalService(
        "certificate-verify",
        _("Verifica un certificato"),
        _("Controlla che un certificato rilasciato dal Comune sia autentico e valido."),
        certified=False,
        section=CITIZEN_DESK,
        url_name="certificates:verify",
    ),
    PortalService(
        "alerts-subscribe",
        _("Iscriviti all'allerta"),
        _("Ricevi gli avvisi della protezione civile per telefono, SMS, fax o e-mail."),
        certified=False,
        section=ALERTS,
        url_name="alerts:subscribe",
    ),
    PortalService(
        "alerts-list",
        _("Allerte in corso"),
        _("Leggi le allerte delle ultime ore e le istruzioni da seguire."),
        certified=False,
        section=ALERTS,
        url_name="alerts:public_list",
    ),
]
