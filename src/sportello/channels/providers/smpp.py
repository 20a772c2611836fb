"""SMS straight to an operator's SMSC over SMPP 3.4, with smpplib.

settings.SPORTELLO_SMPP = {
    "host": "smsc.operatore.example",  # required
    "port": 2775,                      # required
    "system_id": "comune",             # required: the account
    "password": "...",                 # required (from a _FILE variable)
    "system_type": "",                 # optional, if the operator asks for one
    "source_ton": None, "source_npi": None,  # optional: inferred from the sender when unset
    "window": 10,                      # optional: submit_sm sent before waiting for answers
    "timeout": 10,                     # optional: seconds to wait for the SMSC
}

Each worker process keeps one transceiver session (bind_transceiver) and binds again when the
SMSC has dropped it. A text is sent as one submit_sm, or as several joined by a concatenation
header (esm_class 0x40), in GSM-7 (data_coding 0) or UCS-2 (data_coding 8); see gsm.py. The
sender is the delivery's `sender`, the municipality's alert caller id.

An SMSC answers each submit_sm with a submit_sm_resp: OK means it took the message for delivery,
so the delivery becomes ACCEPTED (not SENT: the carrier has it) with the first part's message id
as provider id. The delivery receipt that follows (a deliver_sm, registered_delivery=1) makes it
DELIVERED or FAILED. Receipts come on any bound session of the account: `smpp_listen` (a
management command, a systemd service in production) keeps one bound for them, and a worker
also handles those that reach its own session. Only the first part's receipt is followed.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from smpplib import consts

from sportello.channels.base import ChannelError, DeliveryStatus, NotConfigured, ProviderResult
from sportello.channels.gsm import GSM7, sms_encode
from sportello.channels.models import Delivery
from sportello.channels.phones import phone_callable, phone_e164
from sportello.channels.providers.smpp_session import Receipt, SessionLost, SmppSession
from sportello.channels.services import delivery_status_update

logger = logging.getLogger(__name__)

NAME = "smpp"
REQUIRED = ("host", "port", "system_id", "password")

ESM_UDHI = 0x40  # short_message starts with a user data header
DATA_CODING = {GSM7: 0x00, "UCS-2": 0x08}

_references = itertools.count(random.randrange(256))  # noqa: S311 - a message reference


class SmppSms:
    name = NAME

    def send(self, delivery: Delivery) -> ProviderResult:
        config = smpp_config()
        submits = submit_sm_params(delivery, config)
        message_ids: list[str] = []
        try:
            with _lock:
                message_ids = _submit_on_kept_session(config, submits)
        finally:
            # Receipts the SMSC sent on this session meanwhile; this message's own can come
            # before send() returns, so before its provider id is stored.
            with _lock:
                receipts, _worker_receipts[:] = _worker_receipts[:], []
            for receipt in receipts:
                own = bool(message_ids) and receipt.message_id == message_ids[0]
                receipt_apply(receipt, delivery=delivery if own else None)
        return ProviderResult(provider_id=message_ids[0], status=DeliveryStatus.ACCEPTED)


def smpp_config() -> dict[str, Any]:
    config = getattr(settings, "SPORTELLO_SMPP", None) or {}
    missing = [key for key in REQUIRED if not config.get(key)]
    if missing:
        raise NotConfigured(f"SMPP non configurato: manca {', '.join(missing)}.")
    return {
        "host": config["host"],
        "port": int(config["port"]),
        "system_id": config["system_id"],
        "password": config["password"],
        "system_type": config.get("system_type") or "",
        "source_ton": config.get("source_ton"),
        "source_npi": config.get("source_npi"),
        "window": max(1, int(config.get("window") or 10)),
        "timeout": float(config.get("timeout") or 10),
    }


def submit_sm_params(delivery: Delivery, config: dict[str, Any]) -> list[dict[str, Any]]:
    """The submit_sm of each part: addresses, coding, concatenation header, receipt request."""
    text = delivery.payload.get("text")
    if not text:
        raise ChannelError("SMS senza testo.", permanent=True)
    destination = phone_e164(delivery.to)
    if destination is None or not phone_callable(destination):
        raise ChannelError(f"Numero non raggiungibile via SMS: {delivery.to}", permanent=True)
    try:
        encoding, parts = sms_encode(text)
    except ValueError as error:
        raise ChannelError(str(error), permanent=True) from error
    source, source_ton, source_npi = _source_address(delivery.sender, config)
    common = {
        "source_addr_ton": source_ton,
        "source_addr_npi": source_npi,
        "source_addr": source,
        "dest_addr_ton": consts.SMPP_TON_INTL,
        "dest_addr_npi": consts.SMPP_NPI_ISDN,
        "destination_addr": destination.removeprefix("+"),
        "data_coding": DATA_CODING[encoding],
        "registered_delivery": 1,
    }
    if len(parts) == 1:
        return [{**common, "esm_class": 0, "short_message": parts[0]}]
    reference = next(_references) % 256
    return [
        {
            **common,
            "esm_class": ESM_UDHI,
            # IEI 0x00: concatenated message, 8-bit reference, total parts, this part.
            "short_message": bytes((5, 0, 3, reference, len(parts), number)) + part,
        }
        for number, part in enumerate(parts, start=1)
    ]


def _source_address(sender: str, config: dict[str, Any]) -> tuple[str, int, int]:
    """A number as an international one, a name (max 11 characters) as alphanumeric."""
    sender = sender.strip()
    if sender.startswith("+") and sender[1:].isdigit():
        address, ton, npi = sender[1:], consts.SMPP_TON_INTL, consts.SMPP_NPI_ISDN
    elif sender.isdigit() or not sender:
        address, ton, npi = sender, consts.SMPP_TON_UNK, consts.SMPP_NPI_ISDN
    else:
        if len(sender) > 11 or not sender.isascii():
            raise ChannelError(f"Mittente alfanumerico non valido: {sender}", permanent=True)
        address, ton, npi = sender, consts.SMPP_TON_ALNUM, consts.SMPP_NPI_UNK
    if config["source_ton"] is not None:
        ton = int(config["source_ton"])
    if config["source_npi"] is not None:
        npi = int(config["source_npi"])
    return address, ton, npi


# One session per worker process, used by one send at a time.
_lock = threading.Lock()
_kept: SmppSession | None = None
_worker_receipts: list[Receipt] = []


def _submit_on_kept_session(config: dict[str, Any], submits: list[dict[str, Any]]) -> list[str]:
    global _kept
    session = _kept
    if session is not None and (session.config != config or not session.alive()):
        session.close()
        session = _kept = None
    if session is not None:
        try:
            return session.submit(submits)
        except SessionLost as lost:
            # Dropped while idle (an SMSC restart, an idle timeout) before answering anything:
            # nothing was taken, so the message goes once more on a fresh session.
            session.close()
            _kept = None
            if lost.answered:
                raise ChannelError(f"SMSC: connessione persa ({lost})") from lost
    session = _kept = SmppSession.open(config, receipts=_worker_receipts)
    try:
        return session.submit(submits)
    except SessionLost as lost:
        session.close()
        _kept = None
        raise ChannelError(f"SMSC: connessione persa ({lost})") from lost


def smpp_session_reset() -> None:
    """Close this process's session (tests; a worker shutting down)."""
    global _kept
    with _lock:
        if _kept is not None:
            _kept.close()
            _kept = None


def receipt_apply(receipt: Receipt, *, delivery: Delivery | None = None) -> Delivery | None:
    """Move the delivery the receipt is about; a receipt for an unknown id changes nothing."""
    status = receipt.status
    if delivery is None:
        delivery = Delivery.objects.filter(provider=NAME, provider_id=receipt.message_id).first()
    if delivery is None or status is None:
        logger.info("SMPP receipt %s %s: no delivery to update", receipt.message_id, receipt.state)
        return None
    reason = ""
    if status == DeliveryStatus.FAILED:
        reason = f"SMSC: {receipt.state}" + (f" (errore {receipt.error})" if receipt.error else "")
    detail = {"stat": receipt.state, "id": receipt.message_id}
    if receipt.error:
        detail["err"] = receipt.error
    return delivery_status_update(delivery=delivery, status=status, reason=reason, detail=detail)


def smpp_listen(
    *,
    should_stop: Callable[[], bool],
    report: Callable[[str], None],
    poll_seconds: float = 0.5,
    enquire_seconds: float = 30,
    max_backoff: float = 60,
) -> None:
    """Keep a transceiver bound for receipts until `should_stop()`; bind again when it drops."""
    config = smpp_config()
    backoff = 1.0
    while not should_stop():
        try:
            session = SmppSession.open(config)
        except ChannelError as error:
            report(f"{error.message}; nuovo tentativo tra {backoff:g} s")
            _sleep(backoff, should_stop)
            backoff = min(max_backoff, backoff * 2)
            continue
        backoff = 1.0
        report(f"Collegato a {config['host']}:{config['port']} come {config['system_id']}")

        def on_receipt(receipt: Receipt) -> None:
            delivery = receipt_apply(receipt)
            target = f"invio {delivery.pk}" if delivery else "nessun invio"
            report(f"Ricevuta {receipt.message_id} {receipt.state}: {target}")

        try:
            session.listen(
                should_stop=should_stop,
                on_receipt=on_receipt,
                poll_seconds=poll_seconds,
                enquire_seconds=enquire_seconds,
            )
        except (SessionLost, ChannelError) as error:
            report(f"Collegamento perso ({error}); nuovo collegamento")
        finally:
            session.close()
    report("Scollegato.")


def _sleep(seconds: float, should_stop: Callable[[], bool]) -> None:
    deadline = time.monotonic() + seconds
    while not should_stop() and time.monotonic() < deadline:
        time.sleep(min(0.2, deadline - time.monotonic()))
