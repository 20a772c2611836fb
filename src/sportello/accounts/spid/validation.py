"""Checks on an identity provider's response that pysaml2 does not make, and the identity in it.

pysaml2 has already verified the signatures against the IdP's metadata, the InResponseTo of a
request of this browser, the audience and the time conditions. SPID's technical rules ask more,
and AgID's conformance tool (spid-sp-test) sends a response for each rule: formats of the
issuers and of the NameID, the instants against the request and our clock, the destination and
recipient, the level (SpidL1..3, at least the one asked), the attributes. Every refusal carries a
short reason for the log and the audit trail and a plain message for the citizen.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from saml2.saml import NAMEID_FORMAT_ENTITY, NAMEID_FORMAT_TRANSIENT, SCM_BEARER

from sportello.accounts.spid.config import REQUIRED_ATTRIBUTES
from sportello.core.exceptions import ApplicationError
from sportello.core.levels import level_from_acr
from sportello.registry.codice_fiscale import codice_fiscale_validate

STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"


class SamlRefusal(Exception):
    """A response refused. `reason` (English, for logs) says why; `message` (Italian, for the
    person) says what to do."""

    def __init__(self, reason: str, message: str | None = None, *, status: int = 403) -> None:
        super().__init__(reason)
        self.reason = reason
        self.message = message or _(
            "Non è stato possibile completare l'accesso: la risposta del gestore dell'identità "
            "non è valida. Riprova; se il problema resta, usa un altro modo di accesso."
        )
        self.status = status


def anomaly_message(status_message: str) -> str:
    """The message SPID's rules ask for each «ErrorCode nrNN» an identity provider returns."""
    messages = {
        "19": _(
            "Hai inserito credenziali sbagliate troppe volte: il gestore dell'identità ha "
            "bloccato l'accesso per un po'. Riprova più tardi."
        ),
        "20": _(
            "La tua identità digitale non ha credenziali del livello di sicurezza che questo "
            "servizio richiede. Puoi attivarle presso il tuo gestore dell'identità."
        ),
        "21": _("Il tempo a disposizione per accedere è scaduto. Riprova."),
        "22": _(
            "Non hai acconsentito a inviare i tuoi dati al Comune: senza di essi non è possibile "
            "accedere ai servizi."
        ),
        "23": _(
            "La tua identità digitale risulta sospesa o revocata, oppure le credenziali sono "
            "bloccate. Rivolgiti al tuo gestore dell'identità."
        ),
        "25": _("Hai annullato l'accesso."),
    }
    found = re.search(r"ErrorCode nr\s*(\d+)", status_message)
    return messages.get(
        found.group(1) if found else "",
        _("Il gestore dell'identità non ha concluso l'accesso. Riprova più tardi."),
    )


def parse_instant(value: str | None, *, what: str) -> datetime.datetime:
    """An xs:dateTime in UTC («Z»), with or without fractions of a second."""
    for layout in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ"):
        try:
            return datetime.datetime.strptime(value or "", layout).replace(tzinfo=datetime.UTC)
        except ValueError:
            continue
    raise SamlRefusal(f"{what} missing or not a UTC instant: {value!r}", status=400)


@dataclass(frozen=True)
class Expected:
    """What the response must match: our request and our endpoints."""

    request_id: str
    request_instant: datetime.datetime
    idp_entity_id: str
    sp_entity_id: str
    acs_url: str
    level: int
    now: datetime.datetime
    skew: datetime.timedelta


def _check_instant(value: str | None, *, what: str, expected: Expected) -> None:
    moment = parse_instant(value, what=what)
    if moment < expected.request_instant - expected.skew:
        raise SamlRefusal(f"{what} {value} is before the request")
    if moment > expected.now + expected.skew:
        raise SamlRefusal(f"{what} {value} is in the future")


def _check_issuer(issuer, *, what: str, expected: Expected, format_required: bool) -> None:
    if issuer is None or not (issuer.text or "").strip():
        raise SamlRefusal(f"{what} issuer missing")
    if issuer.text.strip() != expected.idp_entity_id:
        raise SamlRefusal(f"{what} issuer {issuer.text.strip()!r} is not the identity provider")
    if issuer.format is None and not format_required:
        return
    if issuer.format != NAMEID_FORMAT_ENTITY:
        raise SamlRefusal(f"{what} issuer format {issuer.format!r} is not entity")


def response_check(*, response, expected: Expected, assertion_issuer_format: bool = True) -> int:
    """Check the samlp.Response and its single assertion; returns the level reached.

    `assertion_issuer_format`: SPID wants Format=entity on the assertion's Issuer; the CIE
    profile does not require it.
    """
    message = response.response
    if message.version != "2.0":
        raise SamlRefusal(f"response version {message.version!r}", status=400)
    _check_instant(message.issue_instant, what="response IssueInstant", expected=expected)
    if message.in_response_to != expected.request_id:
        raise SamlRefusal("response InResponseTo does not match the request")
    if message.destination != expected.acs_url:
        raise SamlRefusal(f"response Destination {message.destination!r} is not our ACS")
    _check_issuer(message.issuer, what="response", expected=expected, format_required=False)
    status = message.status
    if status is None or status.status_code is None or not status.status_code.value:
        raise SamlRefusal("response status missing", status=400)
    if status.status_code.value != STATUS_SUCCESS:
        raise SamlRefusal(f"response status {status.status_code.value}")

    assertions = message.assertion or []
    if len(assertions) != 1:
        raise SamlRefusal(f"{len(assertions)} assertions instead of one")
    assertion = assertions[0]
    if not assertion.id:
        raise SamlRefusal("assertion ID missing", status=400)
    if assertion.version != "2.0":
        raise SamlRefusal(f"assertion version {assertion.version!r}", status=400)
    _check_instant(assertion.issue_instant, what="assertion IssueInstant", expected=expected)
    _check_issuer(
        assertion.issuer,
        what="assertion",
        expected=expected,
        format_required=assertion_issuer_format,
    )
    _subject_check(assertion.subject, expected=expected)
    _conditions_check(assertion.conditions, expected=expected)
    return _authn_statement_check(assertion, expected=expected)


def _subject_check(subject, *, expected: Expected) -> None:
    if subject is None or subject.name_id is None or not (subject.name_id.text or "").strip():
        raise SamlRefusal("subject NameID missing")
    if subject.name_id.format != NAMEID_FORMAT_TRANSIENT:
        raise SamlRefusal(f"NameID format {subject.name_id.format!r} is not transient")
    if not subject.name_id.name_qualifier:
        raise SamlRefusal("NameID NameQualifier missing")
    confirmations = subject.subject_confirmation or []
    if not confirmations:
        raise SamlRefusal("SubjectConfirmation missing")
    for confirmation in confirmations:
        if confirmation.method != SCM_BEARER:
            raise SamlRefusal(f"SubjectConfirmation method {confirmation.method!r}")
        data = confirmation.subject_confirmation_data
        if data is None:
            raise SamlRefusal("SubjectConfirmationData missing")
        if data.recipient != expected.acs_url:
            raise SamlRefusal(f"SubjectConfirmationData recipient {data.recipient!r}")
        if data.in_response_to != expected.request_id:
            raise SamlRefusal("SubjectConfirmationData InResponseTo does not match the request")
        not_on_or_after = parse_instant(data.not_on_or_after, what="confirmation NotOnOrAfter")
        if not_on_or_after <= expected.now - expected.skew:
            raise SamlRefusal("subject confirmation expired")


def _conditions_check(conditions, *, expected: Expected) -> None:
    if conditions is None:
        raise SamlRefusal("assertion Conditions missing")
    not_before = parse_instant(conditions.not_before, what="Conditions NotBefore")
    not_on_or_after = parse_instant(conditions.not_on_or_after, what="Conditions NotOnOrAfter")
    if not_before > expected.now + expected.skew:
        raise SamlRefusal("assertion not valid yet")
    if not_on_or_after <= expected.now - expected.skew:
        raise SamlRefusal("assertion expired")
    audiences = [
        (audience.text or "").strip()
        for restriction in conditions.audience_restriction or []
        for audience in restriction.audience or []
    ]
    if expected.sp_entity_id not in audiences:
        raise SamlRefusal(f"audience {audiences!r} is not this service provider")


def _authn_statement_check(assertion, *, expected: Expected) -> int:
    statements = assertion.authn_statement or []
    if not statements:
        raise SamlRefusal("AuthnStatement missing")
    context = statements[0].authn_context
    class_ref = context.authn_context_class_ref if context is not None else None
    acr = (class_ref.text or "").strip() if class_ref is not None else ""
    level = level_from_acr(acr)
    if level is None:
        raise SamlRefusal(f"AuthnContextClassRef {acr!r} is not a SPID level")
    if level < expected.level:
        raise SamlRefusal(
            f"level {level} is below the level {expected.level} asked",
            _(
                "Questo servizio richiede un accesso con SPID o CIE di livello %(level)d: "
                "riprova scegliendo quel livello presso il tuo gestore dell'identità."
            )
            % {"level": expected.level},
        )
    statements_with_attributes = assertion.attribute_statement or []
    if not statements_with_attributes or not any(s.attribute for s in statements_with_attributes):
        raise SamlRefusal("AttributeStatement without attributes")
    return level


def assertion_attributes(assertion) -> dict[str, str]:
    """The first value of each attribute, by its SPID name."""
    values: dict[str, str] = {}
    for statement in assertion.attribute_statement or []:
        for attribute in statement.attribute or []:
            texts = [(value.text or "").strip() for value in attribute.attribute_value or []]
            if attribute.name and texts and attribute.name not in values:
                values[attribute.name] = texts[0]
    return values


@dataclass(frozen=True)
class DigitalIdentityClaim:
    """Who the identity provider says the person is."""

    codice_fiscale: str
    first_name: str
    last_name: str
    birth_date: datetime.date
    email: str
    mobile_phone: str


def identity_from_attributes(attributes: dict[str, str]) -> DigitalIdentityClaim:
    missing = [name for name in REQUIRED_ATTRIBUTES if not attributes.get(name)]
    if missing:
        raise SamlRefusal(
            f"attributes missing: {', '.join(missing)}",
            _(
                "Il gestore dell'identità non ha inviato tutti i dati necessari (codice fiscale, "
                "nome, cognome, data di nascita): non è possibile accedere."
            ),
        )
    raw = attributes["fiscalNumber"].strip().upper()
    code = raw.removeprefix("TINIT-")
    try:
        code = codice_fiscale_validate(codice_fiscale=code)
    except ApplicationError:
        raise SamlRefusal(
            "fiscalNumber is not a valid codice fiscale",
            _("Il codice fiscale ricevuto dal gestore dell'identità non è valido."),
        ) from None
    try:
        birth_date = datetime.date.fromisoformat(attributes["dateOfBirth"].strip())
    except ValueError:
        raise SamlRefusal("dateOfBirth is not a date") from None
    return DigitalIdentityClaim(
        codice_fiscale=code,
        first_name=attributes["name"].strip()[:150],
        last_name=attributes["familyName"].strip()[:150],
        birth_date=birth_date,
        email=attributes.get("email", "").strip()[:254],
        mobile_phone=attributes.get("mobilePhone", "").strip()[:20],
    )
