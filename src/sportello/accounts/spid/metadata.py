"""The SP's signed metadata, as the SPID and CIE federations want it.

pysaml2 writes a standard SAML2 SP descriptor; this module adds what the Italian profiles ask on
top (SPID technical rules and «Avviso SPID n. 29 v3»; the CIE ID manual for SPs): indexes on the
assertion and attribute consuming services, requested attributes by their SPID names, the
contact person with the public-body extensions (IPA code, «Public»; for CIE also the ISTAT code
as Municipality), then the signature with the comune's key.
"""

from __future__ import annotations

import saml2
from django.conf import settings
from saml2 import md
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor, sign_entity_descriptor
from saml2.sigver import security_context

from sportello.accounts.models import LoginMethod
from sportello.accounts.spid.config import CIE_ATTRIBUTES, SPID_ATTRIBUTES

SPID_NAMESPACE = "https://spid.gov.it/saml-extensions"
CIE_NAMESPACE = "https://www.cartaidentita.interno.gov.it/saml-extensions"


def ipa_code() -> str:
    from sportello.core.selectors import municipality_get

    configured = settings.SPORTELLO_SPID["ipa_code"]
    if configured:
        return configured
    municipality = municipality_get()
    cadastral = (municipality.cadastral_code if municipality else "") or ""
    return f"c_{cadastral.lower()}" if cadastral else ""


def _extension(name: str, namespace: str, text: str | None = None) -> saml2.ExtensionElement:
    return saml2.ExtensionElement(name, namespace=namespace, text=text)


def _contact(*, protocol: str) -> md.ContactPerson:
    from sportello.core.selectors import municipality_get

    municipality = municipality_get()
    email = (municipality.contact_email or municipality.pec_address) if municipality else ""
    contact = md.ContactPerson()
    if protocol == LoginMethod.SPID:
        contact.contact_type = "other"
        namespace = SPID_NAMESPACE
        children = [_extension("IPACode", namespace, ipa_code()), _extension("Public", namespace)]
    else:
        contact.contact_type = "administrative"
        namespace = CIE_NAMESPACE
        children = [
            _extension("Public", namespace),
            _extension("IPACode", namespace, ipa_code()),
            _extension("Municipality", namespace, municipality.istat_code if municipality else ""),
        ]
        if municipality and municipality.province:
            children.append(_extension("Province", namespace, municipality.province))
        children.append(_extension("Country", namespace, "IT"))
    extensions = saml2.ExtensionElement("Extensions", namespace=md.NAMESPACE)
    extensions.children.extend(children)
    contact.extensions = extensions
    if municipality is not None:
        contact.company = md.Company(text=municipality.name)
    if email:
        contact.email_address = [md.EmailAddress(text=email)]
    return contact


def sp_metadata(*, config: SPConfig, protocol: str) -> str:
    """The signed EntityDescriptor of the SP for `protocol`, as XML text."""
    attributes = SPID_ATTRIBUTES if protocol == LoginMethod.SPID else CIE_ATTRIBUTES
    descriptor = entity_descriptor(config)
    descriptor.extensions = None
    sso = descriptor.spsso_descriptor
    sso.authn_requests_signed = "true"
    sso.want_assertions_signed = "true"
    sso.extensions = None
    for index, service in enumerate(sso.assertion_consumer_service):
        service.index = str(index)
        service.is_default = "true" if index == 0 else None
    for index, service in enumerate(sso.attribute_consuming_service):
        service.index = str(index)
        service.service_name = [md.ServiceName(text=config._sp_name, lang="it")]
        service.service_description = []
        # SPID names its attributes plainly (fiscalNumber), not by the OIDs or URIs pysaml2's
        # attribute maps would turn some of them into.
        service.requested_attribute = [md.RequestedAttribute(name=name) for name in attributes]
    # Only a signing key: SPID assertions are signed, never encrypted.
    for key in sso.key_descriptor:
        key.use = "signing"
    descriptor.contact_person = [_contact(protocol=protocol)]
    namespace = SPID_NAMESPACE if protocol == LoginMethod.SPID else CIE_NAMESPACE
    prefix = "spid" if protocol == LoginMethod.SPID else "cie"
    descriptor.register_prefix({prefix: namespace})
    _entity, xml = sign_entity_descriptor(
        descriptor,
        None,
        security_context(config),
        sign_alg=saml2.xmldsig.SIG_RSA_SHA256,
        digest_alg=saml2.xmldsig.DIGEST_SHA256,
    )
    return str(xml)
