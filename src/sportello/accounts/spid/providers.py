"""The identity providers offered on the buttons: from the SP's metadata, with AgID's logos."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.http import HttpRequest
from django.templatetags.static import static

from sportello.accounts.spid import config

# Entity IDs of the SPID providers whose logo AgID publishes (bundled under static/).
LOGOS = {
    "https://loginspid.aruba.it": "arubaid",
    "https://identity.infocert.it": "infocertid",
    "https://spid.intesa.it": "intesaid",
    "https://id.lepida.it/idp/shibboleth": "lepidaid",
    "https://idp.namirialtsp.com/idp": "namirialid",
    "https://posteid.poste.it": "posteid",
    "https://identity.sieltecloud.it": "sielteid",
    "https://spid.register.it": "spiditalia",
    "https://login.id.tim.it/affwebservices/public/saml2sso": "timid",
}


@dataclass(frozen=True)
class IdentityProvider:
    entity_id: str
    name: str
    logo: str  # a static URL, or "" to show the name


def identity_providers(*, protocol: str, request: HttpRequest) -> list[IdentityProvider]:
    """The providers of `protocol`, in random order as AgID asks (no provider is favoured)."""
    sp = config.sp_config(protocol=protocol, request=request)
    providers = []
    for entity_id in sp.metadata.identity_providers():
        # Registry metadata names providers in Italian, English or both.
        name = (
            sp.metadata.name(entity_id, langpref="it")
            or sp.metadata.name(entity_id, langpref="en")
            or entity_id
        )
        logo = LOGOS.get(entity_id)
        providers.append(
            IdentityProvider(
                entity_id=entity_id,
                name=str(name),
                logo=static(f"accounts/spid/idp/spid-idp-{logo}.svg") if logo else "",
            )
        )
    return random.sample(providers, len(providers))
