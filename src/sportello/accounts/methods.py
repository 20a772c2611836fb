"""The ways to log in, as shown on the login page. Listed in settings.SPORTELLO_LOGIN_METHODS.

A method has a title, a short explanation, and a template fragment for the login page. SPID and
CIE ID are two of them (their backend and views are in accounts.spid).
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


class LoginMethod:
    slug: str = ""
    title = ""
    description = ""
    template = ""

    def available(self, request: HttpRequest) -> bool:
        return True


class PasswordLogin(LoginMethod):
    slug = "password"
    title = _("Nome utente e password")
    description = _(
        "Le credenziali rilasciate dal Comune allo sportello o su richiesta via PEC. "
        "Anche gli operatori comunali accedono da qui."
    )
    template = "accounts/methods/password.html"


class SmartcardLogin(LoginMethod):
    slug = "smartcard"
    title = _("Carta d'identità elettronica, Tessera Sanitaria (CNS) o carta InfoCert")
    description = _(
        "Inserisci la carta nel lettore collegato al computer, poi premi il pulsante: "
        "il browser ti chiederà il PIN della carta."
    )
    template = "accounts/methods/smartcard.html"

    def available(self, request: HttpRequest) -> bool:
        return bool(settings.SPORTELLO_SMARTCARD_TRUSTED_PROXIES)

    @staticmethod
    def url() -> str:
        return settings.SPORTELLO_SMARTCARD_LOGIN_URL


class SmartcardDemoLogin(SmartcardLogin):
    """The demo's simulated card (accounts.smartcard_demo), where no nginx reads real cards."""

    description = _(
        "Nella demo non serve il lettore: una pagina simula la carta di una persona "
        "dell'anagrafe di prova."
    )
    template = "accounts/methods/smartcard_demo.html"

    def available(self, request: HttpRequest) -> bool:
        return bool(
            settings.SPORTELLO_SMARTCARD_SIMULATOR
            and settings.SPORTELLO_ENV != "production"
            and not settings.SPORTELLO_SMARTCARD_TRUSTED_PROXIES
        )

    @staticmethod
    def url() -> str:
        return reverse("accounts:smartcard_demo")


class SpidLogin(LoginMethod):
    slug = "spid"
    title = _("SPID, il Sistema Pubblico di Identità Digitale")
    description = _(
        "Entra con le credenziali SPID che hai già: scegli il tuo gestore dell'identità e "
        "conferma sul suo sito o nella sua app."
    )
    template = "accounts/methods/spid.html"

    def available(self, request: HttpRequest) -> bool:
        return bool(settings.SPORTELLO_SPID["enabled"])


class CieLogin(LoginMethod):
    slug = "cie"
    title = _("CIE, la Carta d'identità elettronica")
    description = _(
        "Entra con l'app CieID sullo smartphone, oppure con la carta appoggiata al telefono o "
        "a un lettore, e il suo PIN."
    )
    template = "accounts/methods/cie.html"

    def available(self, request: HttpRequest) -> bool:
        return bool(settings.SPORTELLO_SPID["enabled"])


@cache
def _methods(paths: tuple[str, ...]) -> list[LoginMethod]:
    return [import_string(path)() for path in paths]


def login_methods(request: HttpRequest) -> list[LoginMethod]:
    methods = _methods(tuple(settings.SPORTELLO_LOGIN_METHODS))
    return [method for method in methods if method.available(request)]
