"""Import of public phone-directory listings into alert contacts.

CSV, comma or semicolon separated, UTF-8 (or Windows-1252), with a header row naming the
columns (Italian or English, any case):

| column | also accepted | content |
| --- | --- | --- |
| `nome` | `name`, `intestatario` | the listing's name |
| `indirizzo` | `address` | street and civic number, e.g. «Via Grande 10» |
| `numero` | `telefono`, `number`, `phone` | the phone number |

Each row is its own transaction: good rows land, bad ones are reported with their line and
reason. A number on the suppression list is never imported; a number already subscribed is
not duplicated; importing the same file again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from sportello.alerts.models import Contact, Subscription, SubscriptionStatus
from sportello.alerts.services import number_suppressed
from sportello.channels.phones import phone_e164, phone_refusal
from sportello.core.csvfiles import CsvSource, csv_rows
from sportello.core.exceptions import ApplicationError
from sportello.core.imports import ImportReport
from sportello.places.selectors import address_geocode

COLUMNS = {
    "name": ("nome", "name", "intestatario"),
    "address": ("indirizzo", "address"),
    "number": ("numero", "telefono", "number", "phone"),
}


@dataclass
class DirectoryReport(ImportReport):
    """What a directory import did (see core.imports), plus the numbers left out because they
    are already subscribed or asked to be removed, and the addresses not in the stradario."""

    subscribed: int = 0
    suppressed: int = 0
    unmatched: list[tuple[int, str]] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        return [
            _("Righe lette: %(rows)d") % {"rows": self.rows},
            _(
                "Contatti creati: %(created)d, aggiornati: %(updated)d, invariati: "
                "%(unchanged)d, scartati: %(rejected)d"
            )
            % {
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "rejected": len(self.rejected),
            },
            _("Già iscritti (non duplicati): %(count)d") % {"count": self.subscribed},
            _("Esclusi perché hanno chiesto la cancellazione: %(count)d")
            % {"count": self.suppressed},
        ]

    def rejected_lines(self) -> list[str]:
        return [
            _("Riga %(line)d scartata: %(reason)s") % {"line": row.line, "reason": row.reason}
            for row in self.rejected
        ]

    def lines(self) -> list[str]:
        return [
            *super().lines(),
            *(
                _("Riga %(line)d: indirizzo non trovato nello stradario («%(address)s»)")
                % {"line": line, "address": address}
                for line, address in self.unmatched
            ),
        ]


def _columns(header: list[str]) -> dict[str, int]:
    names = [cell.strip().lower() for cell in header]
    columns = {}
    for key, aliases in COLUMNS.items():
        for alias in aliases:
            if alias in names:
                columns[key] = names.index(alias)
                break
        else:
            raise ApplicationError(
                _("Manca la colonna «%(column)s» nella prima riga del file.")
                % {"column": aliases[0]}
            )
    return columns


def directory_import(*, file: CsvSource) -> DirectoryReport:
    header, rows = csv_rows(file)
    columns = _columns(header)
    report = DirectoryReport()
    for line, cells in rows:
        report.rows += 1

        def cell(key: str, cells: list[str] = cells) -> str:
            index = columns[key]
            return " ".join(cells[index].split()) if index < len(cells) else ""

        name, address, raw_number = cell("name"), cell("address"), cell("number")
        number = phone_e164(raw_number)
        if not name:
            report.reject(line, _("manca il nome"))
            continue
        if number is None:
            report.reject(line, _("numero non valido: «%(number)s»") % {"number": raw_number})
            continue
        refusal = phone_refusal(number)
        if refusal:
            report.reject(line, refusal)
            continue
        if number_suppressed(number=number):
            report.suppressed += 1
            continue
        if (
            Subscription.objects.filter(status=SubscriptionStatus.ACTIVE, mobile=number).exists()
            or Subscription.objects.filter(
                status=SubscriptionStatus.ACTIVE, landline=number
            ).exists()
        ):
            report.subscribed += 1
            continue
        result = address_geocode(text=address) if address else None
        civic = result.civic_number if result is not None and result.found else None
        if civic is None:
            report.unmatched.append((line, address))
        with transaction.atomic():
            contact = Contact.objects.select_for_update().filter(number=number).first()
            if contact is None:
                Contact.objects.create(
                    name=name, number=number, address_text=address, civic_number=civic
                )
                report.created += 1
            elif (contact.name, contact.address_text, contact.civic_number) == (
                name,
                address,
                civic,
            ):
                report.unchanged += 1
            else:
                contact.name, contact.address_text, contact.civic_number = name, address, civic
                contact.save()
                report.updated += 1
    return report
