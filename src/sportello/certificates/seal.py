"""The municipality's electronic seal on certificates (PAdES with pyHanko), and the check of a
sealed PDF that someone uploads.

The key is configured in settings.SPORTELLO_SEAL: a PKCS#12 file, a PKCS#11 token, or the demo
seal under var/seal/. It is loaded once per process and kept: reading a key (and for RSA keys
checking it) costs more than the signature itself.
"""

from __future__ import annotations

import enum
import functools
import io
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

logger = logging.getLogger(__name__)

FIELD_NAME = "SigilloComune"
DEMO_P12 = "seal.p12"
DEMO_ROOT = "ca.pem"
BACKENDS = ("demo", "pkcs12", "pkcs11")


class SealError(Exception):
    """The seal cannot be applied (configuration, token, key): an operator must act."""


class _KeptKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner reads its private key again for every signature (twice per PDF,
    with the size estimate); RSA keys are checked as they are read, some tens of milliseconds.
    This one reads it once."""

    def __init__(self, *, private_key: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        algorithm = mechanism.signature_algo
        if algorithm == "rsassa_pkcs1v15":
            hash_algo = get_pyca_cryptography_hash(digest_algorithm)
            return self._private_key.sign(data, PKCS1v15(), hash_algo)
        if algorithm == "rsassa_pss":
            padding, hash_algo = process_pss_params(mechanism["parameters"])
            return self._private_key.sign(data, padding, hash_algo)
        if algorithm == "ecdsa":
            hash_algo = get_pyca_cryptography_hash(digest_algorithm)
            return self._private_key.sign(data, ECDSA(hash_algo))
        return super().sign_raw(data, digest_algorithm)


def _pem_certificates(path: str | Path | None) -> list[asn1_x509.Certificate]:
    if not path:
        return []
    try:
        return list(load_certs_from_pemder([str(path)]))
    except (OSError, ValueError) as exc:
        raise SealError(f"Cannot read the certificates in {path}: {exc}") from exc


def _pkcs12_signer(path: Path, passphrase: str | None) -> signers.Signer:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SealError(f"Cannot read the seal's PKCS#12 file {path}: {exc}") from exc
    secret = passphrase.encode() if passphrase else None
    chain = _pem_certificates(settings.SPORTELLO_SEAL.get("chain_file"))
    try:
        loaded = signers.SimpleSigner.load_pkcs12_data(data, other_certs=chain, passphrase=secret)
    except ValueError as exc:
        raise SealError(f"Cannot open the seal's PKCS#12 file {path} (passphrase?)") from exc
    private_key = serialization.load_der_private_key(loaded.signing_key.dump(), password=None)
    return _KeptKeySigner(
        private_key=private_key,
        signing_cert=loaded.signing_cert,
        signing_key=loaded.signing_key,
        cert_registry=loaded.cert_registry,
    )


def _pkcs11_signer(conf: dict[str, Any]) -> signers.Signer:
    try:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11
    except ImportError as exc:
        raise SealError("PKCS#11 needs python-pkcs11: pip install 'pyHanko[pkcs11]'") from exc
    try:
        session = pkcs11.open_pkcs11_session(
            conf["pkcs11_module"],
            token_criteria=TokenCriteria(label=conf["pkcs11_token_label"]),
            user_pin=conf.get("pkcs11_pin"),
        )
        return pkcs11.PKCS11Signer(
            session,
            key_label=conf["pkcs11_key_label"],
            cert_label=conf.get("pkcs11_cert_label") or conf["pkcs11_key_label"],
            ca_chain=_pem_certificates(conf.get("chain_file")),
        )
    except SealError:
        raise
    except Exception as exc:  # the token library raises many kinds
        raise SealError(f"Cannot open the seal's PKCS#11 token: {exc}") from exc


@functools.cache
def _signer() -> signers.Signer:
    conf = settings.SPORTELLO_SEAL
    backend = conf["backend"]
    if backend == "demo":
        path = Path(conf["demo_dir"]) / DEMO_P12
        if not path.exists():
            raise SealError(f"No demo seal in {path}: run `sportello certificates_demo_seal`.")
        return _pkcs12_signer(path, None)
    if backend == "pkcs12":
        return _pkcs12_signer(Path(conf["pkcs12_file"] or ""), conf.get("pkcs12_passphrase"))
    if backend == "pkcs11":
        return _pkcs11_signer(conf)
    raise SealError(f"SPORTELLO_SEAL_BACKEND={backend!r}: expected one of {', '.join(BACKENDS)}.")


@functools.cache
def _timestamper() -> Any:
    url = settings.SPORTELLO_SEAL.get("tsa_url")
    if not url:
        return None
    # The requests-based client: pyHanko's default one binds to an event loop, and every
    # sign_pdf call runs in a loop of its own.
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    return RequestsHTTPTimeStamper(url, timeout=10)


@functools.cache
def trust_roots() -> tuple[asn1_x509.Certificate, ...]:
    """The roots an uploaded certificate's seal must chain to: the configured ones, else the
    demo root, else the self-signed certificates in the seal's own chain."""
    conf = settings.SPORTELLO_SEAL
    if conf.get("trust_roots_file"):
        return tuple(_pem_certificates(conf["trust_roots_file"]))
    if conf["backend"] == "demo":
        path = Path(conf["demo_dir"]) / DEMO_ROOT
        return tuple(_pem_certificates(path)) if path.exists() else ()
    try:
        registry = _signer().cert_registry
    except SealError:
        logger.exception("No trust roots for uploaded certificates: the seal cannot be loaded")
        return ()
    return tuple(cert for cert in registry if cert.self_signed != "no")


def seal_reset() -> None:
    """Forget the loaded key and roots (after a rotation, or when settings change in tests)."""
    for cached in (_signer, _timestamper, trust_roots):
        cached.cache_clear()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "SPORTELLO_SEAL":
        seal_reset()


# One signature at a time per process: a PKCS#11 session is not to be shared between threads.
_lock = threading.Lock()


def seal_pdf(pdf: bytes, *, location: str, reason: str) -> bytes:
    """`pdf` with the municipality's seal: a certification signature (PAdES-B-B, or B-T with a
    time-stamping service) that allows no later change."""
    meta = PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        location=location or None,
        reason=reason or None,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    with _lock:
        signer = _signer()
        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
            sealed = signers.PdfSigner(meta, signer=signer, timestamper=_timestamper()).sign_pdf(
                writer
            )
        except SealError:
            raise
        except Exception as exc:
            # A token that went away: open it again next time.
            seal_reset()
            raise SealError(f"Sealing failed: {exc}") from exc
    return sealed.getvalue()


class SealCheck(enum.Enum):
    UNREADABLE = "unreadable"
    NOT_SEALED = "not_sealed"
    ALTERED = "altered"  # the bytes changed after sealing, or the signature is broken
    UNTRUSTED = "untrusted"  # intact, but not by a certificate under our trust roots
    VALID = "valid"


@dataclass(frozen=True)
class SealResult:
    check: SealCheck
    keywords: str = ""  # the PDF's metadata keywords (where our certificates carry their code)

    @property
    def valid(self) -> bool:
        return self.check is SealCheck.VALID


def seal_validate(data: bytes) -> SealResult:
    """Check the seal of an uploaded PDF against the municipality's trust roots. Never raises:
    whatever is wrong with the file is the answer."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception:  # a broken or hostile file: pyHanko raises many kinds
        logger.info("Uploaded certificate: unreadable PDF", exc_info=True)
        return SealResult(SealCheck.UNREADABLE)
    if not signatures:
        return SealResult(SealCheck.NOT_SEALED)
    context = ValidationContext(trust_roots=list(trust_roots()), allow_fetching=False)
    try:
        status = validate_pdf_signature(signatures[-1], context)
    except Exception:
        logger.info("Uploaded certificate: signature cannot be validated", exc_info=True)
        return SealResult(SealCheck.ALTERED)
    if not (status.intact and status.valid) or not status.docmdp_ok:
        return SealResult(SealCheck.ALTERED)
    if len(signatures) != 1 or not status.bottom_line:
        return SealResult(SealCheck.UNTRUSTED if not status.trusted else SealCheck.ALTERED)
    try:
        keywords = str(reader.trailer["/Info"].get("/Keywords", ""))
    except Exception:
        keywords = ""
    return SealResult(SealCheck.VALID, keywords=keywords)
