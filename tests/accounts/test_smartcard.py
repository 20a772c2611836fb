"""Smart-card login, without nginx: which requests are believed, and where the codice fiscale
is found in CNS, CIE and provider certificates."""

from __future__ import annotations

import datetime
from urllib.parse import quote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.test import RequestFactory

from sportello.accounts.smartcard import (
    SmartcardError,
    SmartcardIdentity,
    certificate_from_request,
    codice_fiscale_candidates,
    codice_fiscale_from_certificate,
    smartcard_identity,
)

from . import certs

CODE = "RSSMRA85T10A562S"
# An omocode of CODE (two digits turned into letters, check character recomputed).
OMOCODE = "RSSMRA85T10A5SNT"
OTHER_CODE = "VRDGPP80A01H501U"
WRONG_CHECK = "RSSMRA85T10A562X"
PROXY = "10.0.0.5"


@pytest.fixture(scope="module")
def card_ca() -> certs.Issued:
    return certs.ca_create(common_name="CA carte di test")


def issue(
    card_ca: certs.Issued, subject: x509.Name, **dates: datetime.datetime
) -> x509.Certificate:
    return certs.client_certificate(ca=card_ca, subject=subject, **dates).certificate


def request_with(
    *,
    certificate: x509.Certificate | None = None,
    verify: str | None = "SUCCESS",
    remote_addr: str = PROXY,
    escaped_cert: str | None = None,
) -> HttpRequest:
    meta = {"REMOTE_ADDR": remote_addr}
    if verify is not None:
        meta["HTTP_X_SSL_CLIENT_VERIFY"] = verify
    if escaped_cert is not None:
        meta["HTTP_X_SSL_CLIENT_CERT"] = escaped_cert
    elif certificate is not None:
        meta["HTTP_X_SSL_CLIENT_CERT"] = quote(certificate_pem(certificate), safe="")
    return RequestFactory().get("/accedi/carta/", **meta)


def certificate_pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


@pytest.fixture
def trusted(settings) -> None:
    settings.SPORTELLO_SMARTCARD_TRUSTED_PROXIES = [PROXY]


# --- the codice fiscale in the subject ---------------------------------------------------


def test_cns_code_is_read_from_the_common_name(card_ca) -> None:
    certificate = issue(card_ca, certs.cns_subject(codice_fiscale=CODE))
    assert certificate.subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER) == []
    assert codice_fiscale_from_certificate(certificate=certificate) == CODE


def test_cie_code_is_read_from_the_tinit_serial_number(card_ca) -> None:
    certificate = issue(card_ca, certs.cie_subject(codice_fiscale=CODE))
    assert codice_fiscale_from_certificate(certificate=certificate) == CODE


def test_provider_code_is_read_from_the_it_serial_number(card_ca) -> None:
    certificate = issue(card_ca, certs.infocert_subject(codice_fiscale=CODE))
    assert codice_fiscale_from_certificate(certificate=certificate) == CODE


def test_name_and_code_in_the_common_name(card_ca) -> None:
    certificate = issue(card_ca, certs.plain_subject(common_name=f"MARIO ROSSI/{CODE}"))
    assert codice_fiscale_from_certificate(certificate=certificate) == CODE


def test_lower_case_code_is_returned_upper_case(card_ca) -> None:
    subject = certs.plain_subject(common_name="Mario Rossi", serial_number=f"tinit-{CODE.lower()}")
    certificate = issue(card_ca, subject)
    assert codice_fiscale_from_certificate(certificate=certificate) == CODE


def test_omocode_is_accepted(card_ca) -> None:
    certificate = issue(card_ca, certs.cns_subject(codice_fiscale=OMOCODE))
    assert codice_fiscale_from_certificate(certificate=certificate) == OMOCODE


def test_same_code_in_serial_number_and_common_name(card_ca) -> None:
    subject = certs.plain_subject(
        common_name=f"{CODE}/7420000000000001.aGFzaA==", serial_number=f"IT:{CODE}"
    )
    assert codice_fiscale_from_certificate(certificate=issue(card_ca, subject)) == CODE


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"{CODE}/7420000000000000.abcdefghijklmnopqrstuvwxyz12=", [CODE]),
        (f"TINIT-{CODE}", [CODE]),
        (f"TINIT{CODE}", [CODE]),
        (f"IT:{CODE}", [CODE]),
        (f"it:{CODE.lower()}", [CODE]),
        (f"MARIO ROSSI/{CODE}", [CODE]),
        (CODE, [CODE]),
        # Inside a longer word it is not a code.
        (f"X{CODE}", []),
        (f"{CODE}9", []),
        (f"XIT{CODE}", []),
        ("MARIO ROSSI", []),
        ("CA00000AA", []),
        ("", []),
    ],
)
def test_codice_fiscale_candidates(text: str, expected: list[str]) -> None:
    assert codice_fiscale_candidates(text=text) == expected


def test_wrong_check_character_is_not_a_code(card_ca) -> None:
    certificate = issue(card_ca, certs.cie_subject(codice_fiscale=WRONG_CHECK))
    with pytest.raises(SmartcardError) as refused:
        codice_fiscale_from_certificate(certificate=certificate)
    assert refused.value.message == "Il certificato non contiene un codice fiscale valido."
    assert refused.value.reason == "no_codice_fiscale"


def test_certificate_without_a_code_is_refused(card_ca) -> None:
    certificate = issue(
        card_ca, certs.plain_subject(common_name="MARIO ROSSI", serial_number="CA00000AA")
    )
    with pytest.raises(SmartcardError) as refused:
        codice_fiscale_from_certificate(certificate=certificate)
    assert refused.value.reason == "no_codice_fiscale"


def test_two_different_codes_are_refused(card_ca) -> None:
    subject = certs.plain_subject(
        common_name=f"{CODE}/7420000000000001", serial_number=f"TINIT-{OTHER_CODE}"
    )
    with pytest.raises(SmartcardError) as refused:
        codice_fiscale_from_certificate(certificate=issue(card_ca, subject))
    assert refused.value.reason == "ambiguous_codice_fiscale"


def test_code_elsewhere_in_the_subject_is_ignored(card_ca) -> None:
    # Only the CN and serialNumber identify the holder; an organisation name does not.
    subject = x509.Name(
        [
            x509.NameAttribute(x509.NameOID.ORGANIZATION_NAME, f"Studio {CODE}"),
            x509.NameAttribute(x509.NameOID.COMMON_NAME, "MARIO ROSSI"),
        ]
    )
    with pytest.raises(SmartcardError):
        codice_fiscale_from_certificate(certificate=issue(card_ca, subject))


# --- which requests are believed -----------------------------------------------------------


def test_certificate_from_the_trusted_proxy(card_ca, trusted) -> None:
    certificate = issue(card_ca, certs.cns_subject(codice_fiscale=CODE))
    assert certificate_from_request(request=request_with(certificate=certificate)) == certificate


def test_headers_from_an_address_that_is_not_the_proxy_are_refused(card_ca, trusted) -> None:
    certificate = issue(card_ca, certs.cns_subject(codice_fiscale=CODE))
    request = request_with(certificate=certificate, remote_addr="192.0.2.10")
    with pytest.raises(SmartcardError) as refused:
        certificate_from_request(request=request)
    assert refused.value.reason == "untrusted_proxy"
    assert refused.value.message


def test_nobody_is_trusted_without_the_setting(card_ca, settings) -> None:
    del settings.SPORTELLO_SMARTCARD_TRUSTED_PROXIES
    certificate = issue(card_ca, certs.cns_subject(codice_fiscale=CODE))
    with pytest.raises(SmartcardError) as refused:
        certificate_from_request(request=request_with(certificate=certificate))
    assert refused.value.reason == "untrusted_proxy"


def test_nobody_is_trusted_with_an_empty_list(card_ca, settings) -> None:
    settings.SPORTELLO_SMARTCARD_TRUSTED_PROXIES = []
    certificate = issue(card_ca, certs.cns_subject(codice_fiscale=CODE))
    with pytest.raises(SmartcardError):
        certificate_from_request(
            request=request_with(certificate=certificate, remote_addr="127.0.0.1")
        )


@pytest.mark.parametrize(
    "proxies, remote_addr, believed",
    [
        (["10.0.0.0/24"], "10.0.0.77", True),
        (["10.0.0.0/24"], "10.0.1.77", False),
        (["192.0.2.1", "10.0.0.0/8"], "10.200.3.4", True),
        (["2001:db8::/64"], "2001:db8::15", True),
        (["2001:db8::/64"], "2001:db8:1::15", False),
        # A dual-stack socket shows an IPv4 proxy as an IPv4-mapped IPv6 address.
        (["10.0.0.5"], "::ffff:10.0.0.5", True),
        (["10.0.0.5"], "not-an-address", False),
        (["10.0.0.5"], "", False),
    ],
)
def test_trusted_proxies_as_addresses_and_networks(
    card_ca, settings, proxies: list[str], remote_addr: str, believed: bool
) -> None:
    settings.SPORTELLO_SMARTCARD_TRUSTED_PROXIES = proxies
    certificate = issue(card_ca, certs.cns_subject(codice_fiscale=CODE))
    request = request_with(certificate=certificate, remote_addr=remote_addr)
    if believed:
        assert certificate_from_request(request=request) == certificate
    else:
        with pytest.raises(SmartcardError):
            certificate_from_request(request=request)


@pytest.mark.parametrize("proxies", [["10.0.0.300"], ["proxy.example.it"], "10.0.0.5"])
def test_malformed_trusted_proxies_are_a_configuration_error(card_ca, settings, proxies) -> None:
    settings.SPORTELLO_SMARTCARD_TRUSTED_PROXIES = proxies
    certificate = issue(card_ca, certs.cns_subject(codice_fiscale=CODE))
    with pytest.raises(ImproperlyConfigured):
        certificate_from_request(request=request_with(certificate=certificate))


# --- what nginx says about the certificate ---------------------------------------------------


def test_no_certificate(trusted) -> None:
    with pytest.raises(SmartcardError) as refused:
        certificate_from_request(request=request_with(verify="NONE"))
    assert refused.value.message == "Nessun certificato: inserisci la carta nel lettore e riprova."
    assert refused.value.reason == "no_certificate"


@pytest.mark.parametrize(
    "verify", ["FAILED:unable to verify the first certificate", "FAILED:certificate has expired"]
)
def test_certificate_refused_by_nginx(card_ca, trusted, verify: str) -> None:
    # Even with a certificate attached, a FAILED verification is final.
    certificate = issue(card_ca, certs.cns_subject(codice_fiscale=CODE))
    with pytest.raises(SmartcardError) as refused:
        certificate_from_request(request=request_with(certificate=certificate, verify=verify))
    assert refused.value.message.startswith("Il certificato della carta non è stato riconosciuto")
    assert refused.value.reason == "verify_failed"


@pytest.mark.parametrize("verify", [None, "", "success", "OK"])
def test_missing_or_unknown_verify_value_is_refused(card_ca, trusted, verify) -> None:
    certificate = issue(card_ca, certs.cns_subject(codice_fiscale=CODE))
    with pytest.raises(SmartcardError) as refused:
        certificate_from_request(request=request_with(certificate=certificate, verify=verify))
    assert refused.value.reason == "proxy_misconfigured"


@pytest.mark.parametrize(
    "escaped_cert",
    [
        "",
        "not a certificate",
        quote("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        "é" * 10,
        "A" * 70_000,
    ],
)
def test_unreadable_certificate_is_refused(trusted, escaped_cert: str) -> None:
    with pytest.raises(SmartcardError) as refused:
        certificate_from_request(request=request_with(escaped_cert=escaped_cert))
    assert refused.value.reason == "unreadable_certificate"


def test_expired_certificate_is_refused_even_if_nginx_passed_it(card_ca, trusted) -> None:
    now = datetime.datetime.now(datetime.UTC)
    certificate = issue(
        card_ca,
        certs.cns_subject(codice_fiscale=CODE),
        not_before=now - datetime.timedelta(days=400),
        not_after=now - datetime.timedelta(days=1),
    )
    with pytest.raises(SmartcardError) as refused:
        certificate_from_request(request=request_with(certificate=certificate))
    assert refused.value.reason == "expired"


def test_certificate_not_yet_valid_is_refused(card_ca, trusted) -> None:
    now = datetime.datetime.now(datetime.UTC)
    certificate = issue(
        card_ca,
        certs.cns_subject(codice_fiscale=CODE),
        not_before=now + datetime.timedelta(days=1),
        not_after=now + datetime.timedelta(days=400),
    )
    with pytest.raises(SmartcardError) as refused:
        certificate_from_request(request=request_with(certificate=certificate))
    assert refused.value.reason == "not_yet_valid"


# --- both together ---------------------------------------------------------------------------


def test_smartcard_identity(card_ca, trusted) -> None:
    certificate = issue(card_ca, certs.cie_subject(codice_fiscale=CODE))
    identity = smartcard_identity(request=request_with(certificate=certificate))
    assert identity == SmartcardIdentity(
        codice_fiscale=CODE,
        subject=certificate.subject.rfc4514_string(),
        issuer=card_ca.certificate.subject.rfc4514_string(),
        serial_number=format(certificate.serial_number, "x"),
        fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
    )
    assert f"TINIT-{CODE}" in identity.subject
    assert len(identity.fingerprint) == 64


def test_smartcard_identity_refuses_a_certificate_without_code(card_ca, trusted) -> None:
    certificate = issue(card_ca, certs.plain_subject(common_name="MARIO ROSSI"))
    with pytest.raises(SmartcardError) as refused:
        smartcard_identity(request=request_with(certificate=certificate))
    assert refused.value.reason == "no_codice_fiscale"
