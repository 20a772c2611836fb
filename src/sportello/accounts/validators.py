"""Password rules beyond Django's own: none of the last few passwords may come back."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import password_validation
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
        # The current password (the newest entry) and the `remembered` ones before it.
        history = user.password_history.values_list("password", flat=True)
        return list(history[: self.remembered + 1])

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
        stale = user.password_history.values_list("pk", flat=True)[self.remembered + 1 :]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self) -> str:
        return _("Non può essere una delle ultime %(count)d password che hai usato.") % {
            "count": self.remembered
        }


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule, with a message that Django's Italian catalogue does not yet translate."""

    def get_error_message(self) -> str:
        return ngettext(
            "La password è troppo corta: deve avere almeno %(min_length)d carattere.",
            "La password è troppo corta: deve avere almeno %(min_length)d caratteri.",
            self.min_length,
        ) % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    """Django's rule; the codice fiscale (a property, not a field) gets a readable name."""

    def validate(self, password: str, user: Any = None) -> None:
        try:
            super().validate(password, user)
        except ValidationError as error:
            if error.params and error.params.get("verbose_name") == "codice_fiscale":
                error.params["verbose_name"] = _("codice fiscale")
            raise
