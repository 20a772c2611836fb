"""Password rules beyond Django's own: none of the last few passwords may come back, and none
may be made of the person's name and birth date."""

from __future__ import annotations

import re
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


class PersonalDataValidator:
    """Refuses a password made (almost) only of the person's own data: the parts of their name
    and surname, their birth year or date in any common spelling («AlessandraRossi1986»,
    «rossi.12.03.86»). Django's similarity rule compares whole attributes, not their parts,
    and knows nothing of the birth date."""

    def __init__(self, min_rest: int = 6) -> None:
        self.min_rest = min_rest

    @staticmethod
    def _tokens(user: Any) -> list[str]:
        person = getattr(user, "person", None)
        names = [getattr(user, "first_name", ""), getattr(user, "last_name", "")]
        tokens: list[str] = []
        birth = getattr(person, "birth_date", None) if person is not None else None
        if person is not None:
            names += [person.first_name, person.last_name]
        for name in names:
            for word in re.split(r"[^\w]+", (name or "").lower()):
                if len(word) >= 3:
                    tokens.append(word)
        if birth is not None:
            day, month, year = f"{birth.day:02d}", f"{birth.month:02d}", f"{birth.year:04d}"
            short = year[2:]
            tokens += [
                day + month + year, year + month + day, day + month + short,
                month + day + year, year, day + month, str(birth.day) + str(birth.month) + year,
            ]  # fmt: skip
            tokens.append(short)
        return sorted(set(tokens), key=len, reverse=True)

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        rest = re.sub(r"[\W_]+", "", password.lower())
        tokens = self._tokens(user)
        if not tokens:
            return
        for token in tokens:
            rest = rest.replace(token, "")
        if len(rest) < self.min_rest:
            raise ValidationError(
                _(
                    "La password è fatta quasi solo dei tuoi dati personali (nome, cognome, data "
                    "di nascita): è facile da indovinare, scegline un'altra."
                ),
                code="password_personal_data",
            )

    def get_help_text(self) -> str:
        return _("Non può essere fatta del tuo nome, cognome o data di nascita.")
