"""A fake pagoPA on a real local HTTP server: GPD (debt positions), GPD's receipts API and
Checkout, under the paths the platform uses.

Every request is checked against the contract (pagopa_contract) and every way it breaks it is
recorded in `violations` (the test fails on any); a request outside the contract is answered
400 as the platform would, and changes nothing. The fake keeps the positions it was given, so a
test can pay one (`pay`) and find the receipt in the receipts API, built as pagoPA builds it.
It can be told to misbehave (`fail`): 5xx, 429 with Retry-After, garbage, JSON of the wrong
shape, an answer slower than the client waits, a 400, and it answers 401 to a wrong key. Its own
ordinary answers are checked against the contract too, so the fake cannot drift from it.
"""

from __future__ import annotations

import copy
import datetime
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from sportello.payments.receipt_xml import ReceiptTransfer, receipt_build
from tests.payments.pagopa_contract import (
    BASE_PATHS,
    CHECKOUT,
    JSON,
    KEY_HEADER,
    KEY_QUERY,
    XML,
    Operation,
    answer_problems,
    operation_find,
    request_problems,
)

GPD_KEY = "gpd-key-for-tests"
CHECKOUT_KEY = "checkout-key-for-tests"
UTC = datetime.UTC


def _now() -> str:
    return datetime.datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Call:
    """A request as the fake received it, and what it answered."""

    operation: str  # operationId, or "" when the request matches none
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    at: float  # time.monotonic() on arrival
    status: int = 0

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Fault:
    """How to misbehave on a call. `status`/`body` replace the answer; `delay` holds it back (the
    client gives up first); `after_work` does the real work first, as when pagoPA acted but its
    answer was lost on the way."""

    status: int = 503
    body: bytes = b""
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    after_work: bool = False


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str | None = JSON
    headers: dict[str, str] = field(default_factory=dict)


def problem(status: int, title: str, detail: str) -> Reply:
    return Reply(status, json.dumps({"title": title, "status": status, "detail": detail}).encode())


def as_json(status: int, document: Any) -> Reply:
    return Reply(status, json.dumps(document).encode())


class FakePagoPA:
    def __init__(self) -> None:
        self.keys = {"gpd": GPD_KEY, "receipts": GPD_KEY, "checkout": CHECKOUT_KEY}
        self.calls: list[Call] = []
        self.violations: list[str] = []
        # (organization fiscal code, IUPD) -> the position as sent, plus status and dates.
        self.positions: dict[tuple[str, str], dict[str, Any]] = {}
        # (organization fiscal code, IUV) -> listing entry and XML document, in payment order.
        self.receipts: dict[tuple[str, str], tuple[dict[str, str], bytes]] = {}
        self.carts: list[dict[str, Any]] = []
        self._faults: list[tuple[str | None, Fault, int | None]] = []
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        # A short poll: shutdown() waits for it, after every test.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # --- Life -------------------------------------------------------------------------------------

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, api: str) -> str:
        return self.origin + BASE_PATHS[api]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()  # slow answers give up waiting
        self._server.shutdown()
        self._server.server_close()

    # --- What a test tells it ---------------------------------------------------------------------

    def fail(self, operation: str | None = None, *, times: int | None = 1, **fault: Any) -> None:
        """Misbehave on the next `times` calls of `operation` (any operation when None; every
        call from now on when `times` is None)."""
        with self._lock:
            self._faults.append((operation, Fault(**fault), times))

    def down(self) -> None:
        """pagoPA is down: 503 to everything until `up()`."""
        self.fail(None, times=None, status=503, body=b"<html>Service Unavailable</html>")

    def up(self) -> None:
        with self._lock:
            self._faults.clear()

    def calls_to(self, operation: str) -> list[Call]:
        return [call for call in self.calls if call.operation == operation]

    def position(self, organization: str, iupd: str) -> dict[str, Any] | None:
        return self.positions.get((organization, iupd))

    def pay(
        self,
        organization: str,
        iuv: str,
        *,
        amount: int | None = None,
        paid_at: datetime.datetime | None = None,
        receipt_id: str | None = None,
    ) -> bytes:
        """A payment of that notice on pagoPA (at a bank, in an app): the option and position
        are paid there, and the receipt joins the receipts API."""
        with self._lock:
            position, option = self._option_of(organization, iuv)
            paid_at = paid_at or datetime.datetime.now(UTC)
            option["status"] = "PO_PAID"
            option["paymentDate"] = paid_at.isoformat(timespec="seconds")
            paid = [o for o in position["paymentOption"] if o.get("status") == "PO_PAID"]
            single = any(not o["isPartialPayment"] for o in paid)
            instalments = [o for o in position["paymentOption"] if o["isPartialPayment"]]
            everything = single or (instalments and all(o in paid for o in instalments))
            position["status"] = "PAID" if everything else "PARTIALLY_PAID"
            document = receipt_build(
                receipt_id=receipt_id or uuid.uuid4().hex,
                notice_number="3" + iuv,
                organization_fiscal_code=organization,
                company_name=position["companyName"],
                iuv=iuv,
                amount=option["amount"] if amount is None else amount,
                description=option["description"],
                debtor_type=position["type"],
                debtor_fiscal_code=position["fiscalCode"],
                debtor_name=position["fullName"],
                transfers=[
                    ReceiptTransfer(
                        id_transfer=int(transfer["idTransfer"]),
                        amount=transfer["amount"],
                        fiscal_code=transfer.get("organizationFiscalCode", organization),
                        iban=transfer.get("iban", ""),
                        remittance=transfer["remittanceInformation"],
                        category=transfer["category"],
                    )
                    for transfer in option.get("transfer", [])
                ],
                psp_id="BCITITMM",
                psp_company_name="Banca di prova",
                payment_method="CP",
                fee=100,
                paid_at=paid_at,
            )
            self.receipt_add(
                organization, iuv, document, paid_at=paid_at, debtor=position["fiscalCode"]
            )
            return document

    def receipt_add(
        self,
        organization: str,
        iuv: str,
        document: bytes,
        *,
        paid_at: datetime.datetime | None = None,
        debtor: str = "",
    ) -> None:
        """A receipt in the receipts API, whatever `document` holds."""
        paid_at = paid_at or datetime.datetime.now(UTC)
        entry = {
            "organizationFiscalCode": organization,
            "iuv": iuv,
            "debtor": debtor,
            "paymentDateTime": paid_at.isoformat(timespec="seconds"),
            "status": "PAID",
        }
        with self._lock:
            self.receipts[(organization, iuv)] = (entry, document)

    def _option_of(self, organization: str, iuv: str) -> tuple[dict[str, Any], dict[str, Any]]:
        for (code, _iupd), position in self.positions.items():
            for option in position.get("paymentOption", []):
                if code == organization and option["iuv"] == iuv:
                    return position, option
        raise LookupError(f"pagoPA holds no notice with IUV {iuv}")

    # --- Answering --------------------------------------------------------------------------------

    def _fault_for(self, operation: str) -> Fault | None:
        with self._lock:
            for index, (wanted, fault, times) in enumerate(self._faults):
                if wanted not in (None, operation):
                    continue
                if times is not None:
                    if times <= 1:
                        del self._faults[index]
                    else:
                        self._faults[index] = (wanted, fault, times - 1)
                return fault
        return None

    def answer(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        at = time.monotonic()
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in handler.headers.items()}
        query = parse_qs(parts.query, keep_blank_values=True)
        api, found = "", None
        for name, base in BASE_PATHS.items():
            if parts.path.startswith(base + "/"):
                api = name
                found = operation_find(name, method, parts.path[len(base) :])
        call = Call(found[0].name if found else "", method, parts.path, query, headers, body, at)
        with self._lock:
            self.calls.append(call)
        where = f"{method} {parts.path}"
        if found is None:
            self._violation(f"{where}: no such operation in the contract")
            reply, fault = problem(404, "Not Found", "No such operation"), None
        else:
            operation, parameters = found
            parameters = {name: unquote(value) for name, value in parameters.items()}
            reply, fault = self._reply(operation, api, parameters, call, where)
        self._send(handler, call, reply, fault)

    def _reply(
        self,
        operation: Operation,
        api: str,
        parameters: dict[str, str],
        call: Call,
        where: str,
    ) -> tuple[Reply, Fault | None]:
        problems = request_problems(
            operation,
            path_parameters=parameters,
            query=call.query,
            headers=call.headers,
            body=call.body,
        )
        for found in problems:
            self._violation(f"{where} ({operation.name}): {found}")
        key = call.headers.get(KEY_HEADER.lower()) or (call.query.get(KEY_QUERY) or [""])[0]
        if key != self.keys[api]:
            return Reply(401, content_type=None), None
        fault = self._fault_for(operation.name)
        if fault is not None and not fault.after_work:
            return Reply(fault.status), fault
        if problems:
            return self._refusal(operation, "; ".join(problems)), None
        with self._lock:
            reply = getattr(self, f"_op_{operation.name}")(parameters, call)
        if fault is None:
            for found in answer_problems(
                operation, status=reply.status, headers=self._headers(reply), body=reply.body
            ):
                self._violation(f"the fake's own answer to {where}: {found}")
        return reply, fault

    def _refusal(self, operation: Operation, detail: str) -> Reply:
        if operation.api == CHECKOUT:
            return as_json(
                400,
                {"type": "about:blank", "title": "Bad Request", "status": 400, "detail": detail},
            )
        return problem(400, "Bad Request", detail)

    def _violation(self, text: str) -> None:
        with self._lock:
            self.violations.append(text)

    @staticmethod
    def _headers(reply: Reply) -> dict[str, str]:
        headers = dict(reply.headers)
        if reply.content_type:
            headers["Content-Type"] = reply.content_type
        return headers

    def _send(
        self, handler: BaseHTTPRequestHandler, call: Call, reply: Reply, fault: Fault | None
    ) -> None:
        if fault is not None:
            if fault.delay and self._stopping.wait(fault.delay):
                return
            reply = Reply(fault.status, fault.body, fault.content_type, fault.headers)
        call.status = reply.status
        try:
            handler.send_response(reply.status)
            for name, value in self._headers(reply).items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(reply.body)))
            handler.send_header("X-Request-Id", uuid.uuid4().hex)
            handler.end_headers()
            handler.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting: as with the real platform, the work stands

    # --- GPD --------------------------------------------------------------------------------------

    def _op_createPosition(self, parameters: dict[str, str], call: Call) -> Reply:
        organization = parameters["organizationfiscalcode"]
        position = call.json()
        if (organization, position["iupd"]) in self.positions:
            return problem(409, "Conflict", "Duplicate debt position")
        iuvs = {
            option["iuv"]
            for (code, _iupd), held in self.positions.items()
            if code == organization
            for option in held.get("paymentOption", [])
        }
        for option in position.get("paymentOption", []):
            if option["iuv"] in iuvs:
                return problem(409, "Conflict", f"IUV {option['iuv']} already used")
            transfers = option.get("transfer", [])
            if not transfers or sum(t["amount"] for t in transfers) != option["amount"]:
                # GPD's own validation: the transfers make up the option's amount exactly.
                self._violation(f"createPosition: the transfers of {option['iuv']} do not add up")
                return problem(400, "Bad Request", "Transfers do not add up to the amount")
        held = copy.deepcopy(position)
        to_publish = call.query.get("toPublish") == ["true"]
        held["status"] = "VALID" if to_publish else "DRAFT"
        held["insertedDate"] = _now()
        for option in held.get("paymentOption", []):
            option["status"] = "PO_UNPAID"
        self.positions[(organization, position["iupd"])] = held
        return as_json(201, self._model(held))

    def _model(self, held: dict[str, Any]) -> dict[str, Any]:
        """The position as PaymentPositionModel (what was sent, with its status)."""
        model = {key: value for key, value in held.items() if key not in ("insertedDate",)}
        model["paymentOption"] = [
            {key: value for key, value in option.items() if key not in ("status", "paymentDate")}
            for option in held.get("paymentOption", [])
        ]
        return model

    def _held(self, parameters: dict[str, str]) -> dict[str, Any] | None:
        return self.positions.get((parameters["organizationfiscalcode"], parameters["iupd"]))

    def _op_publishPosition(self, parameters: dict[str, str], call: Call) -> Reply:
        held = self._held(parameters)
        if held is None:
            return problem(404, "Not Found", "No debt position found")
        if held["status"] != "DRAFT":
            return problem(409, "Conflict", "Debt position is not in publishable state")
        held["status"] = "VALID"
        return as_json(200, self._model(held))

    def _op_invalidatePosition(self, parameters: dict[str, str], call: Call) -> Reply:
        held = self._held(parameters)
        if held is None:
            return problem(404, "Not Found", "No debt position found")
        if held["status"] not in ("PUBLISHED", "VALID"):
            return problem(409, "Conflict", "Debt position is not in invalidable state")
        held["status"] = "INVALID"
        return as_json(200, self._model(held))

    def _op_getOrganizationDebtPositionByIUPD(
        self, parameters: dict[str, str], call: Call
    ) -> Reply:
        held = self._held(parameters)
        if held is None:
            return problem(404, "Not Found", "No debt position found")
        organization = parameters["organizationfiscalcode"]
        options = []
        for option in held.get("paymentOption", []):
            options.append(
                {
                    "nav": "3" + option["iuv"],
                    "iuv": option["iuv"],
                    "organizationFiscalCode": organization,
                    "amount": option["amount"],
                    "description": option["description"],
                    "isPartialPayment": option["isPartialPayment"],
                    "dueDate": option["dueDate"],
                    "insertedDate": held["insertedDate"],
                    "fee": option.get("fee", 0),
                    "notificationFee": 0,
                    "status": option["status"],
                    "lastUpdatedDate": _now(),
                    **({"paymentDate": option["paymentDate"]} if "paymentDate" in option else {}),
                    "transfer": [
                        {
                            **{k: v for k, v in transfer.items() if k != "transferMetadata"},
                            "insertedDate": held["insertedDate"],
                            "status": "T_UNREPORTED",
                            "lastUpdatedDate": _now(),
                        }
                        for transfer in option.get("transfer", [])
                    ],
                }
            )
        return as_json(
            200,
            {
                "iupd": held["iupd"],
                "organizationFiscalCode": organization,
                "type": held["type"],
                "companyName": held["companyName"],
                **({"officeName": held["officeName"]} if "officeName" in held else {}),
                "insertedDate": held["insertedDate"],
                "status": held["status"],
                "lastUpdatedDate": _now(),
                "paymentOption": options,
            },
        )

    # --- Receipts ---------------------------------------------------------------------------------

    def _op_getOrganizationReceipts(self, parameters: dict[str, str], call: Call) -> Reply:
        organization = parameters["organizationfiscalcode"]
        since = (call.query.get("from") or [""])[0]
        until = (call.query.get("to") or [""])[0]
        listed = [
            entry
            for (code, _iuv), (entry, _document) in self.receipts.items()
            if code == organization
            and (not since or entry["paymentDateTime"][:10] >= since)
            and (not until or entry["paymentDateTime"][:10] <= until)
        ]
        if not listed:
            return problem(404, "Not Found", "No receipts found")
        page = int((call.query.get("pageNum") or ["0"])[0])
        size = int((call.query.get("pageSize") or ["50"])[0])
        return as_json(200, {"receipts_list": listed[page * size : (page + 1) * size]})

    def _op_getReceiptByIUV(self, parameters: dict[str, str], call: Call) -> Reply:
        found = self.receipts.get((parameters["organizationfiscalcode"], parameters["iuv"]))
        if found is None:
            return problem(404, "Not Found", "No receipt found")
        return Reply(200, found[1], XML)

    # --- Checkout ---------------------------------------------------------------------------------

    def _op_PostCarts(self, parameters: dict[str, str], call: Call) -> Reply:
        cart = call.json()
        self.carts.append(cart)
        location = f"{self.origin}/c/{uuid.uuid4()}"
        return Reply(302, content_type=None, headers={"Location": location})


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakePagoPA/1.0"

    def _answer(self) -> None:
        self.server.fake.answer(self, self.command)  # type: ignore[attr-defined]

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # the calls are kept in `fake.calls`


@pytest.fixture
def fake_pagopa() -> Iterator[FakePagoPA]:
    fake = FakePagoPA()
    fake.start()
    yield fake
    fake.stop()
