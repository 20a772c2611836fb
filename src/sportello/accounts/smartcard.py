"""Smart-card login (CIE, CNS / Tessera Sanitaria, provider cards): the certificate that nginx
verified, and the codice fiscale in it.

TLS client authentication ends at nginx (deploy/nginx/smartcard.conf). nginx checks the card's
certificate against the bundle of CIE / CNS issuers and passes the outcome in two headers:
`X-SSL-Client-Verify` ($ssl_client_verify: SUCCESS, NONE or FAILED:<reason>) and
`X-SSL-Client-Cert` ($ssl_client_escaped_cert: the PEM, URL-encoded). Anybody can send those
headers, so they are believed only on requests whose REMOTE_ADDR is one of
SPORTELLO_SMARTCARD_TRUSTED_PROXIES; nginx must overwrite them on the smart-card location and
clear them everywhere else.

Where the codice fiscale is, as the cards are issued:
- CNS / Tessera Sanitaria: CN «RSSMRA85T10A562S/7420000000000000.<hash>=» (AgID, structure of
  the CNS authentication certificate: codice fiscale, slash, card identifier and hash);
- CIE and newer qualified certificates: serialNumber «TINIT-RSSMRA85T10A562S» (ETSI EN 319
  412-1: «TIN» + country + «-» + tax number);
- older qualified certificates (InfoCert, Aruba, Actalis): serialNumber «IT:RSSMRA85T10A562S».
Parsing is deliberately tolerant of the wrapping (prefixes, separators, case) and strict about
the code itself: it must pass `codice_fiscale_validate`, check character included.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from dataclasses import dataclass
from urllib.parse import unquote

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sportello.core.exceptions import ApplicationError
from sportello.registry.codice_fiscale import codice_fiscale_validate

logger = logging.getLogger(__name__)

VERIFY_HEADER = "HTTP_X_SSL_CLIENT_VERIFY"
CERT_HEADER = "HTTP_X_SSL_CLIENT_CERT"
VERIFY_SUCCESS = "SUCCESS"
VERIFY_NONE = "NONE"
VERIFY_FAILED_PREFIX = "FAILED"

# A PEM certificate is a few kilobytes; anything much larger is not one.
MAX_CERT_HEADER_LENGTH = 64 * 1024

# Sixteen characters shaped like a codice fiscale (omocodia letters allowed in the digit
# positions), standing alone («RSSMRA85T10A562S/742…», «MARIO ROSSI/RSSMRA85T10A562S») or right
# after a known prefix («TINIT-…», «TINIT…», «IT:…»); never inside a longer word.
_OMOCODE_DIGIT = "[0-9LMNPQRSTUV]"
_CODE_SHAPE = (
    f"[A-Z]{{6}}{_OMOCODE_DIGIT}{{2}}[A-Z]{_OMOCODE_DIGIT}{{2}}[A-Z]{_OMOCODE_DIGIT}{{3}}[A-Z]"
)
_CODE_IN_TEXT = re.compile(
    rf"(?:^|[^A-Z0-9]|(?<![A-Z0-9])(?:TINIT|TIN|IT|CF))({_CODE_SHAPE})(?![A-Z0-9])",
    re.IGNORECASE,
)


class SmartcardError(Exception):
    """A smart-card login refused; `message` is shown to the person (Italian), `reason` is a
    short code for logs and the audit trail."""

    def __init__(self, message: str, *, reason: str = "refused") -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason


@dataclass(frozen=True)
class SmartcardIdentity:
    codice_fiscale: str
    subject: str  # RFC 4514
    issuer: str  # RFC 4514
    serial_number: str  # hexadecimal, lower case
    fingerprint: str  # SHA-256 of the DER certificate, hexadecimal, lower case


def _trusted_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    entries = getattr(settings, "SPORTELLO_SMARTCARD_TRUSTED_PROXIES", None) or []
    if isinstance(entries, str):
        raise ImproperlyConfigured(
            "SPORTELLO_SMARTCARD_TRUSTED_PROXIES must be a list of addresses or networks"
        )
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"SPORTELLO_SMARTCARD_TRUSTED_PROXIES: {entry!r} is not an IP address or network"
            ) from None
    return networks


def _remote_is_trusted(*, remote_addr: str) -> bool:
    networks = _trusted_networks()
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(remote_addr.strip())
    except ValueError:
        return False
    candidates: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = [address]
    # A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        candidates.append(address.ipv4_mapped)
    return any(
        candidate.version == network.version and candidate in network
        for candidate in candidates
        for network in networks
    )


def _refused_unreadable() -> SmartcardError:
    return SmartcardError(
        _(
            "Il certificato della carta non è leggibile. Riprova; se il problema resta, "
            "usa un altro modo di accesso."
        ),
        reason="unreadable_certificate",
    )


def certificate_from_request(*, request: HttpRequest) -> x509.Certificate:
    """The client certificate nginx verified for this request; SmartcardError otherwise."""
    remote_addr = request.META.get("REMOTE_ADDR") or ""
    if not _remote_is_trusted(remote_addr=remote_addr):
        # Either the smart-card login is off (no trusted proxy) or someone reached the
        # application without going through nginx: the headers cannot be believed.
        logger.warning("smart-card headers from an untrusted address %s refused", remote_addr)
        raise SmartcardError(
            _(
                "L'accesso con la carta non è attivo a questo indirizzo: usa il collegamento "
                "«Accedi con la carta» della pagina di accesso."
            ),
            reason="untrusted_proxy",
        )

    verify = (request.META.get(VERIFY_HEADER) or "").strip()
    if verify == VERIFY_NONE:
        raise SmartcardError(
            _("Nessun certificato: inserisci la carta nel lettore e riprova."),
            reason="no_certificate",
        )
    if verify.upper().startswith(VERIFY_FAILED_PREFIX):
        logger.info("smart-card certificate refused by the proxy: %s", verify[:200])
        raise SmartcardError(
            _(
                "Il certificato della carta non è stato riconosciuto: la carta potrebbe essere "
                "scaduta, revocata o rilasciata da un ente non accettato."
            ),
            reason="verify_failed",
        )
    if verify != VERIFY_SUCCESS:
        # Missing or unknown value: the request did not come through the smart-card location
        # of deploy/nginx/smartcard.conf (check SPORTELLO_SMARTCARD_LOGIN_URL), or the proxy is
        # configured differently.
        logger.error("smart-card verify header missing or unexpected: %r", verify[:200])
        raise SmartcardError(
            _("L'accesso con la carta non è disponibile in questo momento. Riprova più tardi."),
            reason="proxy_misconfigured",
        )

    escaped = request.META.get(CERT_HEADER) or ""
    if not escaped or len(escaped) > MAX_CERT_HEADER_LENGTH:
        logger.error("smart-card certificate header missing or too long (%d)", len(escaped))
        raise _refused_unreadable()
    try:
        certificate = x509.load_pem_x509_certificate(unquote(escaped).encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        logger.warning("smart-card certificate header is not a PEM certificate")
        raise _refused_unreadable() from None

    # nginx has checked the dates already; checked again in case the proxy is configured
    # differently (e.g. optional_no_ca) or its clock disagrees.
    now = timezone.now()
    if now < certificate.not_valid_before_utc:
        raise SmartcardError(
            _("Il certificato della carta non è ancora valido."), reason="not_yet_valid"
        )
    if now > certificate.not_valid_after_utc:
        raise SmartcardError(
            _(
                "Il certificato della carta è scaduto: rinnova la carta o usa un altro modo "
                "di accesso."
            ),
            reason="expired",
        )
    return certificate


def _subject_values(*, certificate: x509.Certificate) -> list[str]:
    """The subject's serialNumber values first (the structured field), then the CN."""
    try:
        subject = certificate.subject
    except ValueError:
        return []
    values: list[str] = []
    for oid in (NameOID.SERIAL_NUMBER, NameOID.COMMON_NAME):
        for attribute in subject.get_attributes_for_oid(oid):
            value = attribute.value
            if isinstance(value, bytes):
                value = value.decode("utf-8", errors="replace")
            values.append(value)
    return values


def codice_fiscale_candidates(*, text: str) -> list[str]:
    """Sixteen-character strings in `text` that look like a codice fiscale, upper case."""
    return [match.upper() for match in _CODE_IN_TEXT.findall(text or "")]


def codice_fiscale_from_certificate(*, certificate: x509.Certificate) -> str:
    """The holder's codice fiscale, from the subject's serialNumber or CN, normalised."""
    found: list[str] = []
    for value in _subject_values(certificate=certificate):
        for candidate in codice_fiscale_candidates(text=value):
            try:
                code = codice_fiscale_validate(codice_fiscale=candidate)
            except ApplicationError:
                continue
            if code not in found:
                found.append(code)
    if len(found) > 1:
        # Two different valid codes for one holder: do not guess which one is theirs.
        logger.warning("smart-card certificate with %d different codici fiscali", len(found))
        raise SmartcardError(
            _("Il certificato contiene più codici fiscali diversi: non è possibile accedere."),
            reason="ambiguous_codice_fiscale",
        )
    if not found:
        raise SmartcardError(
            _("Il certificato non contiene un codice fiscale valido."),
            reason="no_codice_fiscale",
        )
    return found[0]


def smartcard_identity(*, request: HttpRequest) -> SmartcardIdentity:
    """Who the card in this request belongs to; SmartcardError for every refusal."""
    return certificate_identity(certificate=certificate_from_request(request=request))


def certificate_identity(*, certificate: x509.Certificate) -> SmartcardIdentity:
    """Who a card's certificate (already verified) belongs to; SmartcardError if it names no
    one, or two people."""
    return SmartcardIdentity(
        codice_fiscale=codice_fiscale_from_certificate(certificate=certificate),
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        serial_number=format(certificate.serial_number, "x"),
        fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
    )
