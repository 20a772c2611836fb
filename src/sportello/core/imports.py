"""What a file import did, told the same way by every import (stradario, anagrafe, public
directories): counts of created, updated, unchanged and rejected rows, and every rejected row
with its line and reason, as lines for people in plain Italian."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class RejectedRow:
    """A row that was not imported: its line in the file and why, in plain Italian; `subject`
    names what the row was about when that helps find it (a codice fiscale)."""

    line: int
    reason: str
    subject: str = ""


@dataclass
class ImportReport:
    """Counts per outcome, and every rejected row. Each import adds its own counts and words
    its summary (`summary_lines`); the rejected rows read the same everywhere."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        """Rows that are now in the database as the file says (created, updated or unchanged)."""
        return self.created + self.updated + self.unchanged

    def reject(self, line: int, reason: str, subject: str = "") -> None:
        self.rejected.append(RejectedRow(line=line, reason=reason, subject=subject))

    def rejected_sort(self) -> None:
        """Rejected rows in file order (an import finds them in several passes)."""
        self.rejected.sort(key=lambda row: row.line)

    def summary_lines(self) -> list[str]:
        return [
            _("Righe lette: %(rows)d") % {"rows": self.rows},
            _(
                "Righe importate: %(created)d nuove, %(updated)d aggiornate, %(unchanged)d "
                "invariate, %(rejected)d scartate"
            )
            % {
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "rejected": len(self.rejected),
            },
        ]

    def rejected_line(self, row: RejectedRow) -> str:
        return "  " + _("riga %(line)d%(code)s: %(reason)s") % {
            "line": row.line,
            "code": f" [{row.subject}]" if row.subject else "",
            "reason": row.reason,
        }

    def rejected_lines(self) -> list[str]:
        if not self.rejected:
            return []
        return [_("Righe scartate:"), *(self.rejected_line(row) for row in self.rejected)]

    def lines(self) -> list[str]:
        """The report in plain Italian, one line per item, every rejected row included."""
        return [*self.summary_lines(), *self.rejected_lines()]
