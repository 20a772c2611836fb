"""Password rules beyond Django's own: none of the last few passwords may come back."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class PasswordHistoryValidator:
    """Refuses the current password and the `remembered` ones before it; records each new one."""

    def __init__(self, remembered: int = 5) -> None:
        self.remembered = remembered

    def _recent_hashes(self, user: Any) -> list[str]:
        if user is None or not getattr(user, "pk", None):
            return []
        hashes = list(user.password_history.values_list("password", flat=True)[: self.remembered])
        return hashes

    def validate(self, password: str, user: Any = None) -> None:
        if any(check_password(password, encoded) for encoded in self._recent_hashes(user)):
            raise ValidationError(
                ngettext(
                    "Scegli una password diversa dall'ultima che hai usato.",
                    "Scegli una password diversa dalle ultime %(count)d che hai usato.",
                    self.remembered,
                )
                % {"count": self.remembered},
                code="password_reused",
            )

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or not getattr(user, "pk", None):
            return
        from sportello.accounts.models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        stale = user.password_history.values_list("pk", flat=True)[self.remembered :]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self) -> str:
        return _("Non può essere una delle ultime %(count)d password che hai usato.") % {
            "count": self.remembered
        }
