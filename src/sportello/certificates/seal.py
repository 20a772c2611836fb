"""The municipality's electronic seal on certificates (PAdES with pyHanko), and the check of a
sealed PDF that someone uploads.

The key is configured in settings.SPORTELLO_SEAL: a PKCS#12 file, a PKCS#11 token, or the demo
seal under var/seal/. It is loaded once per process and kept: reading a key (and for RSA keys
checking it) costs more than the signature itself; a token keeps one logged-in session.
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


def _reason(exc: BaseException) -> str:
    """What went wrong, in the library's words (PKCS#11 errors often carry no text but their
    name: PinIncorrect, DeviceRemoved, TokenNotPresent...)."""
    return str(exc) or type(exc).__name__


def _pkcs11_signer(conf: dict[str, Any]) -> signers.Signer:
    """The key and certificate on a PKCS#11 token, through pyHanko's PKCS11Signer; the session
    stays open (logged in) until seal_reset()."""
    global _pin_refused
    try:
        import pkcs11 as p11
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11
    except ImportError as exc:
        raise SealError("PKCS#11 needs python-pkcs11: pip install 'pyHanko[pkcs11]'") from exc
    if _pin_refused:
        raise SealError(_pin_refused)
    module, label = conf.get("pkcs11_module"), conf.get("pkcs11_token_label")
    key_label = conf.get("pkcs11_key_label")
    if not (module and label and key_label):
        raise SealError(
            "The PKCS#11 seal needs SPORTELLO_SEAL_PKCS11_MODULE, _TOKEN_LABEL and _KEY_LABEL."
        )
    chain = _pem_certificates(conf.get("chain_file"))
    try:
        slots = p11.lib(module).get_slots()
        token = pkcs11.find_token(slots, token_criteria=TokenCriteria(label=label))
    except p11.PKCS11Error as exc:
        raise SealError(f"Cannot use the PKCS#11 module {module}: {_reason(exc)}") from exc
    if token is None:
        raise SealError(f"No PKCS#11 token labelled {label!r} in {module} (is it connected?).")
    # A token locks its PIN after a few wrong ones, and only its security officer can unlock it:
    # never make the last try automatically.
    if token.flags & p11.TokenFlag.USER_PIN_LOCKED:
        raise SealError(
            f"The user PIN of the seal's token {label!r} is locked: its security officer must "
            "unlock it (or set a new one), then restart Sportello."
        )
    if token.flags & p11.TokenFlag.USER_PIN_FINAL_TRY:
        raise SealError(
            f"One more wrong PIN would lock the seal's token {label!r}: Sportello does not try. "
            "Check SPORTELLO_SEAL_PKCS11_PIN, log in once with the token's own tool to reset "
            "the counter, then restart Sportello."
        )
    pin = conf.get("pkcs11_pin")
    try:
        session = token.open(user_pin=pin) if pin else token.open()
    except (p11.PinIncorrect, p11.PinInvalid, p11.PinLenRange) as exc:
        # Not tried again by this process until seal_reset() (a restart): every request would
        # otherwise spend one of the token's tries.
        _pin_refused = (
            f"The seal's token {label!r} refused the PIN in SPORTELLO_SEAL_PKCS11_PIN "
            f"({type(exc).__name__}). It is not tried again until Sportello restarts, so that "
            "the token does not lock: correct the PIN, then restart."
        )
        raise SealError(_pin_refused) from exc
    except p11.PinLocked as exc:
        raise SealError(
            f"The user PIN of the seal's token {label!r} is locked: its security officer must "
            "unlock it, then restart Sportello."
        ) from exc
    except p11.PKCS11Error as exc:
        raise SealError(f"Cannot open the seal's token {label!r}: {_reason(exc)}") from exc
    try:
        signer = pkcs11.PKCS11Signer(
            session,
            key_label=key_label,
            cert_label=conf.get("pkcs11_cert_label") or key_label,
            ca_chain=chain,
        )
        # Read the certificate and find the key now: a wrong label is a configuration error,
        # not a failure of the first signature.
        certificate = signer.signing_cert
    except p11.PKCS11Error as exc:
        _session_close(session)
        raise SealError(f"Cannot use the seal's token {label!r}: {_reason(exc)}") from exc
    logger.info("Seal key on PKCS#11 token %r: %s", label, certificate.subject.human_friendly)
    return signer


def _session_close(session: Any) -> None:
    """Log out and close a PKCS#11 session. The login belongs to the whole process, not to the
    session: left open, the next session could not log in (UserAlreadyLoggedIn)."""
    try:
        session.close()
    except Exception:  # the token went away: nothing left to close
        logger.info("PKCS#11 session not closed cleanly", exc_info=True)


def _signer_load(conf: dict[str, Any]) -> signers.Signer:
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


# One signature at a time per process, and one loading of the key: a PKCS#11 session is not to
# be shared between threads, and two threads opening the token at once would log in twice.
_lock = threading.RLock()
_loaded: signers.Signer | None = None
# Why the token refused the configured PIN, once it has: not tried again until seal_reset().
_pin_refused: str | None = None


def _signer() -> signers.Signer:
    """The seal's signer, loaded once per process (SealError if it cannot be)."""
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = _signer_load(settings.SPORTELLO_SEAL)
        return _loaded


@functools.cache
def _timestamper() -> Any:
    url = settings.SPORTELLO_SEAL.get("tsa_url")
    if not url:
        return None
    # The requests-based client: pyHanko's default one binds to an event loop, and every
    # sign_pdf call runs in a loop of its own.
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    return RequestsHTTPTimeStamper(url, timeout=10)


def trust_roots() -> tuple[asn1_x509.Certificate, ...]:
    """The roots an uploaded certificate's seal must chain to: the configured ones, else the
    demo root, else the self-signed certificates in the seal's own chain."""
    try:
        return _trust_roots()
    except SealError:
        # Not remembered: the token may be back for the next upload.
        logger.exception("No trust roots for uploaded certificates: the seal cannot be loaded")
        return ()


@functools.cache
def _trust_roots() -> tuple[asn1_x509.Certificate, ...]:
    conf = settings.SPORTELLO_SEAL
    if conf.get("trust_roots_file"):
        return tuple(_pem_certificates(conf["trust_roots_file"]))
    if conf["backend"] == "demo":
        path = Path(conf["demo_dir"]) / DEMO_ROOT
        return tuple(_pem_certificates(path)) if path.exists() else ()
    registry = _signer().cert_registry
    return tuple(cert for cert in registry if cert.self_signed != "no")


def seal_reset() -> None:
    """Forget the loaded key and roots, closing the token's session (after a rotation, a
    failure, or when settings change in tests). A refused PIN may be tried again."""
    global _loaded, _pin_refused
    with _lock:
        session = getattr(_loaded, "pkcs11_session", None)
        if session is not None:
            _session_close(session)
        _loaded, _pin_refused = None, None
        _timestamper.cache_clear()
        _trust_roots.cache_clear()


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "SPORTELLO_SEAL":
        seal_reset()


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
