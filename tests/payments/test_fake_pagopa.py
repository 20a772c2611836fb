"""The fake pagoPA itself: it takes what the contract allows, finds what it does not (so that a
green provider suite means the provider keeps the contract), and misbehaves when told to.
Requests here are written by hand, independently of the provider."""

from __future__ import annotations

import base64
import copy
import hashlib
from collections.abc import Callable
from typing import Any

import pytest
import requests

from tests.payments.fake_pagopa import (
    CHECKOUT_KEY,
    GPD_KEY,
    FakePagoPA,
    fake_pagopa,  # noqa: F401 (a fixture)
)
from tests.payments.pagopa_contract import CHECKOUT, GPD, KEY_HEADER, RECEIPTS

CF = "01234560991"
IUV = "47000000000000123"
POSITIONS = f"/organizations/{CF}/debtpositions"


@pytest.fixture
def fake(fake_pagopa: FakePagoPA) -> FakePagoPA:  # noqa: F811 (the fixture imported above)
    return fake_pagopa


def a_position() -> dict[str, Any]:
    """A position inside the contract: a stamp duty paid with a digital stamp."""
    return {
        "iupd": f"{CF}-8c1f6a3e",
        "type": "F",
        "fiscalCode": "FRRGLI80A41E625X",
        "fullName": "Giulia Ferretti",
        "province": "VD",
        "country": "IT",
        "companyName": "Comune di Valdoria",
        "switchToExpired": True,
        "payStandIn": False,
        "paymentOption": [
            {
                "iuv": IUV,
                "amount": 1600,
                "description": "Imposta di bollo",
                "isPartialPayment": False,
                "dueDate": "2030-03-31T23:59:59+02:00",
                "fee": 0,
                "transfer": [
                    {
                        "idTransfer": "1",
                        "amount": 1600,
                        "organizationFiscalCode": CF,
                        "companyName": "Comune di Valdoria",
                        "remittanceInformation": "Imposta di bollo",
                        "category": "9/0101108TS/",
                        "stamp": {
                            "hashDocument": base64.b64encode(
                                hashlib.sha256(b"pdf").digest()
                            ).decode(),
                            "stampType": "01",
                            "provincialResidence": "VD",
                        },
                    }
                ],
            }
        ],
    }


def a_cart(notices: int = 2) -> dict[str, Any]:
    base = "https://sportello.valdoria.example.it/pagamenti"
    return {
        "paymentNotices": [
            {
                "noticeNumber": f"3470000000000001{n:02d}",
                "fiscalCode": CF,
                "amount": 1600,
                "companyName": "Comune di Valdoria",
                "description": "Mensa, marzo",
            }
            for n in range(notices)
        ],
        "returnUrls": {
            "returnOkUrl": f"{base}/ok/",
            "returnCancelUrl": f"{base}/annullato/",
            "returnErrorUrl": f"{base}/errore/",
        },
        "idCart": "b0a4c3d2",
        "emailNotice": "giulia@example.it",
        "allCCP": False,
    }


def call(
    fake: FakePagoPA,
    method: str,
    api: str,
    path: str,
    *,
    key: str | None = None,
    **kwargs: Any,
) -> requests.Response:
    key = (CHECKOUT_KEY if api == CHECKOUT else GPD_KEY) if key is None else key
    headers = {KEY_HEADER: key} if key else {}
    headers.update(kwargs.pop("headers", {}))
    return requests.request(
        method,
        fake.url(api) + path,
        headers=headers,
        allow_redirects=False,
        timeout=5,
        **kwargs,
    )


def test_a_request_inside_the_contract_is_answered_inside_it(fake: FakePagoPA) -> None:
    created = call(fake, "POST", GPD, POSITIONS, params={"toPublish": "true"}, json=a_position())
    assert created.status_code == 201 and created.json()["status"] == "VALID"
    again = call(fake, "POST", GPD, POSITIONS, json=a_position())
    assert again.status_code == 409
    iupd = a_position()["iupd"]
    read = call(fake, "GET", GPD, f"{POSITIONS}/{iupd}")
    assert read.json()["paymentOption"][0]["nav"] == "3" + IUV
    assert call(fake, "POST", GPD, f"{POSITIONS}/{iupd}/publish").status_code == 409

    fake.pay(CF, IUV)
    listed = call(fake, "GET", RECEIPTS, f"/payments/{CF}/receipts", params={"pageNum": 0})
    assert [item["iuv"] for item in listed.json()["receipts_list"]] == [IUV]
    receipt = call(
        fake, "GET", RECEIPTS, f"/payments/{CF}/receipts/{IUV}", headers={"Accept": "*/*"}
    )
    assert (
        receipt.headers["Content-Type"] == "application/xml" and b"<receiptId>" in receipt.content
    )
    paid = call(fake, "POST", GPD, f"{POSITIONS}/{iupd}/invalidate")
    assert paid.status_code == 409

    cart = call(fake, "POST", CHECKOUT, "/carts", json=a_cart())
    assert cart.status_code == 302 and cart.headers["Location"].startswith("http")

    assert fake.violations == []  # the requests, and the fake's own answers


def change(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set (or, with ..., remove) the field at a slash-separated path."""

    def apply(document: dict[str, Any]) -> None:
        *parents, last = path.split("/")
        target: Any = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is ...:
            del target[last]
        else:
            target[last] = value

    return apply


OPTION = "paymentOption/0"
TRANSFER = f"{OPTION}/transfer/0"


@pytest.mark.parametrize(
    ("mutation", "found"),
    [
        (change("fullName", ...), "'fullName' is a required property"),
        (change("type", "X"), "'X' is not one of ['F', 'G']"),
        (change("country", "Italia"), "country: 'Italia' does not match"),
        (change("fullname", "Giulia"), "('fullname' was unexpected)"),
        (change("status", "VALID"), "('status' was unexpected)"),  # readOnly
        (change("companyName", "C" * 141), "is too long"),
        (change(f"{OPTION}/amount", 1600.0), "1600.0 is not of type 'integer'"),
        (change(f"{OPTION}/dueDate", "2030-03-31T23:59:59"), "is not a 'date-time'"),
        (change(f"{OPTION}/dueDate", "2030-03-31"), "is not a 'date-time'"),
        (change(f"{OPTION}/description", "D" * 141), "is too long"),
        (change(f"{TRANSFER}/idTransfer", "6"), "'6' is not one of"),
        (change(f"{TRANSFER}/idTransfer", 1), "1 is not of type 'string'"),
        (change(f"{TRANSFER}/iban", "IT60X0542811101000000123456"), "is valid under each of"),
        (change(f"{TRANSFER}/stamp", ...), "is not valid under any of the given schemas"),
        (change(f"{TRANSFER}/postalIban", "IT60X0542811101000000123456"), "should not be valid"),
        (change(f"{TRANSFER}/stamp/stampType", "1"), "'1' is too short"),
        (change(f"{TRANSFER}/stamp/provincialResidence", "Vd"), "does not match"),
        (change(f"{TRANSFER}/stamp/hashDocument", "A" * 73), "is too long"),
        (change(f"{TRANSFER}/stamp/hashDocument", "not base64!"), "does not match"),
        (change(f"{TRANSFER}/amount", 1500), "do not add up"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_position_outside_the_contract_is_found_and_refused(
    fake: FakePagoPA, mutation: Callable, found: str
) -> None:
    body = copy.deepcopy(a_position())
    mutation(body)

    answer = call(fake, "POST", GPD, POSITIONS, params={"toPublish": "true"}, json=body)

    assert answer.status_code == 400 and fake.positions == {}
    assert any(found in violation for violation in fake.violations), fake.violations


NOTICE = "paymentNotices/0"


@pytest.mark.parametrize(
    ("mutation", "found"),
    [
        (change("paymentNotices", a_cart(6)["paymentNotices"]), "is too long"),
        (change("paymentNotices", []), "should be non-empty"),
        (change(f"{NOTICE}/noticeNumber", "34700000000000010"), "is too short"),
        (change(f"{NOTICE}/fiscalCode", "FRRGLI80A41E625X"), "is too long"),
        (change(f"{NOTICE}/amount", 0), "0 is less than the minimum of 1"),
        (change(f"{NOTICE}/amount", "16.00"), "'16.00' is not of type 'integer'"),
        (change(f"{NOTICE}/description", "D" * 141), "is too long"),
        (change(f"{NOTICE}/companyName", ...), "'companyName' is a required property"),
        (change("returnUrls/returnErrorUrl", ...), "'returnErrorUrl' is a required property"),
        (change("returnUrls/returnOkUrl", "www.comune.it/ok"), "is not a 'uri'"),
        (change("emailNotice", "giulia"), "is not a 'email'"),
        (change("allCCP", "false"), "'false' is not of type 'boolean'"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_cart_outside_the_contract_is_found_and_refused(
    fake: FakePagoPA, mutation: Callable, found: str
) -> None:
    body = a_cart()
    mutation(body)

    answer = call(fake, "POST", CHECKOUT, "/carts", json=body)

    assert answer.status_code == 400 and fake.carts == []
    assert any(found in violation for violation in fake.violations), fake.violations


def test_a_request_without_the_key_is_found_and_answered_401(fake: FakePagoPA) -> None:
    assert call(fake, "POST", CHECKOUT, "/carts", key="", json=a_cart()).status_code == 401
    assert fake.violations == [
        "POST /checkout/ec/v1/carts (PostCarts): no subscription key (header "
        "Ocp-Apim-Subscription-Key)"
    ]


def test_a_wrong_key_is_answered_401_and_is_no_breach(fake: FakePagoPA) -> None:
    assert call(fake, "POST", GPD, POSITIONS, key="guess", json=a_position()).status_code == 401
    assert fake.violations == [] and fake.positions == {}


@pytest.mark.parametrize(
    ("method", "api", "path", "kwargs", "found"),
    [
        ("GET", GPD, "/debtpositions", {}, "no such operation"),
        ("PUT", CHECKOUT, "/carts", {"json": a_cart()}, "no such operation"),
        ("POST", GPD, f"{POSITIONS}/X/publish", {"json": {}}, "a body where the contract has none"),
        ("POST", GPD, POSITIONS, {"params": {"toPublish": "yes"}}, "is not true or false"),
        (
            "POST",
            GPD,
            POSITIONS,
            {"data": b"{}", "headers": {"Content-Type": "text/plain"}},
            "Content-Type is text/plain",
        ),
        ("GET", RECEIPTS, f"/payments/{CF}/receipts", {"params": {"pageNum": -1}}, "minimum"),
        (
            "GET",
            RECEIPTS,
            f"/payments/{CF}/receipts",
            {"params": {"page": 1}},
            "not in the contract",
        ),
        (
            "GET",
            RECEIPTS,
            f"/payments/{CF}/receipts/{IUV}",
            {"headers": {"Accept": "application/json"}},
            "refuses the answer's application/xml",
        ),
    ],
    ids=[
        "unknown-path",
        "wrong-method",
        "body",
        "boolean",
        "content-type",
        "page",
        "param",
        "accept",
    ],
)
def test_a_call_outside_the_contract_is_found(
    fake: FakePagoPA, method: str, api: str, path: str, kwargs: dict, found: str
) -> None:
    call(fake, method, api, path, **kwargs)

    assert any(found in violation for violation in fake.violations), fake.violations


def test_faults_come_as_many_times_as_asked_then_pagopa_answers(fake: FakePagoPA) -> None:
    fake.fail("PostCarts", times=2, status=503)
    fake.fail("createPosition", status=429, headers={"Retry-After": "7"})

    statuses = [call(fake, "POST", CHECKOUT, "/carts", json=a_cart()).status_code for _ in "abc"]
    limited = call(fake, "POST", GPD, POSITIONS, json=a_position())

    assert statuses == [503, 503, 302]
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "7")
    assert fake.positions == {} and fake.violations == []


def test_a_slow_answer_outlasts_the_client_but_the_work_is_done(fake: FakePagoPA) -> None:
    fake.fail("createPosition", after_work=True, status=201, delay=5)

    with pytest.raises(requests.ReadTimeout):
        requests.post(
            fake.url(GPD) + POSITIONS,
            json=a_position(),
            headers={KEY_HEADER: GPD_KEY},
            timeout=1,
        )

    assert list(fake.positions) == [(CF, a_position()["iupd"])]
