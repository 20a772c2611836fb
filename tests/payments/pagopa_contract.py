"""pagoPA's contract for the calls the `pagopa` provider makes, written down as facts.

Read from the public OpenAPI documents of pagopa/pagopa-api (not copied from them):
`openapi/gpd.json` (GPD, debt positions, 0.11.59), `openapi/gpd_payments.json` (GPD's receipts
API, 0.12.50) and `openapi/checkout_v1.json` (Checkout's EC API, 1.0.0). Every operation the
provider uses is here with its path, method, parameters, request body and answers; the bodies
are JSON Schemas checked with `jsonschema`. Where this file is stricter than the documents it
says why (request bodies name only the documented fields; patterns match the whole value, as the
Java services behind them do; integers are JSON integers, never 1.0).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.validators import extend

KEY_HEADER = "Ocp-Apim-Subscription-Key"
KEY_QUERY = "subscription-key"  # receipts and Checkout also take the key as a query parameter

GPD, RECEIPTS, CHECKOUT = "gpd", "receipts", "checkout"
# The path of each API on api.platform.pagopa.it (the documents' `servers`).
BASE_PATHS = {
    GPD: "/gpd/debt-positions-service/v1",
    RECEIPTS: "/gpd/payments-receipts-service/v1",
    CHECKOUT: "/checkout/ec/v1",
}

# Formats the schemas use; without its optional packages jsonschema would skip them silently.
FORMATS = FormatChecker()
assert {"date-time", "date", "email", "uri"} <= set(FORMATS.checkers), (
    "jsonschema's format checkers are missing: install jsonschema[format-nongpl]"
)

POSITION_STATUSES = [
    "DRAFT",
    "PUBLISHED",
    "VALID",
    "INVALID",
    "EXPIRED",
    "PARTIALLY_PAID",
    "PAID",
    "REPORTED",
]
OPTION_STATUSES = ["PO_UNPAID", "PO_PAID", "PO_PARTIALLY_REPORTED", "PO_REPORTED"]
TRANSFER_STATUSES = ["T_UNREPORTED", "T_REPORTED"]

STRING: dict[str, Any] = {"type": "string"}
INTEGER: dict[str, Any] = {"type": "integer"}  # int32/int64 in the documents
BOOLEAN: dict[str, Any] = {"type": "boolean"}
DATE_TIME: dict[str, Any] = {"type": "string", "format": "date-time"}  # RFC 3339, with offset


def text(limit: int, *, exact: bool = False) -> dict[str, Any]:
    return {"type": "string", "maxLength": limit, **({"minLength": limit} if exact else {})}


def whole(pattern: str) -> dict[str, Any]:
    """A documented pattern, anchored: GPD's bean validation matches the whole value."""
    return {"type": "string", "pattern": f"^(?:{pattern})$"}


def strict(required: list[str], properties: dict[str, Any], **more: Any) -> dict[str, Any]:
    """An object of the documented fields only (a misspelt field is a request outside the
    contract, not a field pagoPA quietly ignores)."""
    return {
        "type": "object",
        "required": required,
        "properties": properties,
        "additionalProperties": False,
        **more,
    }


def array(items: dict[str, Any], **limits: int) -> dict[str, Any]:
    return {"type": "array", "items": items, **limits}


# --- GPD: openapi/gpd.json ------------------------------------------------------------------------

METADATA = strict(["key"], {"key": STRING, "value": STRING})

STAMP = strict(
    ["hashDocument", "stampType", "provincialResidence"],
    {
        # stBase64Binary72: base64 text of at most 72 characters (a SHA-256 takes 44).
        "hashDocument": {**text(72), "pattern": r"^[A-Za-z0-9+/]*={0,2}$"},
        "stampType": text(2, exact=True),
        "provincialResidence": whole("[A-Z]{2}"),
    },
)

TRANSFER = strict(
    ["amount", "category", "idTransfer", "remittanceInformation"],
    {
        "idTransfer": {"type": "string", "enum": ["1", "2", "3", "4", "5"]},
        "amount": INTEGER,
        "organizationFiscalCode": STRING,
        "remittanceInformation": STRING,
        "category": STRING,
        "iban": STRING,
        "postalIban": STRING,
        "stamp": STAMP,
        "companyName": text(140),
        "transferMetadata": array(METADATA, maxItems=10),
    },
    # "iban: mutual exclusive with stamp"; "postalIban: can be combined with iban but not with
    # stamp".
    oneOf=[{"required": ["iban"]}, {"required": ["stamp"]}],
    **{"not": {"required": ["stamp", "postalIban"]}},
)

PAYMENT_OPTION = strict(
    ["amount", "description", "dueDate", "isPartialPayment", "iuv"],
    {
        "nav": STRING,
        "iuv": STRING,
        "amount": INTEGER,
        "description": text(140),
        "isPartialPayment": BOOLEAN,
        "dueDate": DATE_TIME,
        "retentionDate": DATE_TIME,
        "fee": INTEGER,
        # notificationFee is readOnly: never sent.
        "transfer": array(TRANSFER),
        "paymentOptionMetadata": array(METADATA, maxItems=10),
    },
)

_POSITION_FIELDS: dict[str, Any] = {
    "iupd": STRING,
    "type": {"type": "string", "enum": ["F", "G"]},
    "payStandIn": BOOLEAN,
    "fiscalCode": STRING,
    "fullName": STRING,
    "streetName": STRING,
    "civicNumber": STRING,
    "postalCode": STRING,
    "city": STRING,
    "province": STRING,
    "region": STRING,
    "country": whole("[A-Z]{2}"),
    "email": STRING,
    "phone": STRING,
    "switchToExpired": BOOLEAN,
    "companyName": text(140),
    "officeName": text(140),
    "validityDate": DATE_TIME,
    "paymentOption": array(PAYMENT_OPTION),
}
_POSITION_REQUIRED = ["companyName", "fiscalCode", "fullName", "iupd", "switchToExpired", "type"]

# What the comune sends (createPosition): the readOnly status and paymentDate are not sent.
PAYMENT_POSITION = strict(_POSITION_REQUIRED, _POSITION_FIELDS)
# What GPD answers with the same model (created, published, invalidated).
PAYMENT_POSITION_ANSWER = strict(
    _POSITION_REQUIRED,
    {
        **_POSITION_FIELDS,
        "paymentOption": array(
            {
                **PAYMENT_OPTION,
                "properties": {**PAYMENT_OPTION["properties"], "notificationFee": INTEGER},
            }
        ),
        "paymentDate": DATE_TIME,
        "status": {"type": "string", "enum": POSITION_STATUSES},
    },
)

TRANSFER_RESPONSE = strict(
    [],
    {
        "organizationFiscalCode": STRING,
        "companyName": STRING,
        "idTransfer": STRING,
        "amount": INTEGER,
        "remittanceInformation": STRING,
        "category": STRING,
        "iban": STRING,
        "postalIban": STRING,
        "stamp": STAMP,
        "insertedDate": DATE_TIME,
        "status": {"type": "string", "enum": TRANSFER_STATUSES},
        "lastUpdatedDate": DATE_TIME,
        "transferMetadata": array(METADATA),
    },
)

PAYMENT_OPTION_RESPONSE = strict(
    [],
    {
        "nav": STRING,
        "iuv": STRING,
        "organizationFiscalCode": STRING,
        "amount": INTEGER,
        "description": STRING,
        "isPartialPayment": BOOLEAN,
        "dueDate": DATE_TIME,
        "retentionDate": DATE_TIME,
        "paymentDate": DATE_TIME,
        "reportingDate": DATE_TIME,
        "insertedDate": DATE_TIME,
        "paymentMethod": STRING,
        "fee": INTEGER,
        "notificationFee": INTEGER,
        "pspCompany": STRING,
        "idReceipt": STRING,
        "idFlowReporting": STRING,
        "status": {"type": "string", "enum": OPTION_STATUSES},
        "lastUpdatedDate": DATE_TIME,
        "paymentOptionMetadata": array(METADATA),
        "transfer": array(TRANSFER_RESPONSE),
    },
)

PAYMENT_POSITION_BASE_RESPONSE = strict(
    [],
    {
        "iupd": STRING,
        "organizationFiscalCode": STRING,
        "type": {"type": "string", "enum": ["F", "G"]},
        "companyName": STRING,
        "officeName": STRING,
        "insertedDate": DATE_TIME,
        "publishDate": DATE_TIME,
        "validityDate": DATE_TIME,
        "paymentDate": DATE_TIME,
        "status": {"type": "string", "enum": POSITION_STATUSES},
        "lastUpdatedDate": DATE_TIME,
        "paymentOption": array(PAYMENT_OPTION_RESPONSE),
    },
)

PROBLEM_JSON = strict(
    [],
    {
        "title": STRING,
        "status": {"type": "integer", "minimum": 100, "maximum": 600},
        "detail": STRING,
    },
)

# --- Receipts: openapi/gpd_payments.json ----------------------------------------------------------

RECEIPTS_INFO = strict(
    ["receipts_list"],
    {
        "receipts_list": array(
            strict(
                [],
                {
                    "organizationFiscalCode": STRING,
                    "iuv": STRING,
                    "debtor": STRING,
                    "paymentDateTime": STRING,
                    "status": STRING,
                },
            )
        )
    },
)

# --- Checkout: openapi/checkout_v1.json -----------------------------------------------------------

PAYMENT_NOTICE = strict(
    ["noticeNumber", "fiscalCode", "amount", "companyName", "description"],
    {
        "noticeNumber": text(18, exact=True),
        "fiscalCode": text(11, exact=True),
        "amount": {"type": "integer", "minimum": 1},  # euro cents
        "companyName": text(140),
        "description": text(140),
    },
)

URI: dict[str, Any] = {"type": "string", "format": "uri"}

CART_REQUEST = strict(
    ["paymentNotices", "returnUrls"],
    {
        "emailNotice": {"type": "string", "format": "email"},
        "paymentNotices": array(PAYMENT_NOTICE, minItems=1, maxItems=5),
        "returnUrls": strict(
            ["returnOkUrl", "returnCancelUrl", "returnErrorUrl"],
            {"returnOkUrl": URI, "returnCancelUrl": URI, "returnErrorUrl": URI},
        ),
        "idCart": STRING,
        "allCCP": BOOLEAN,
    },
)

CHECKOUT_PROBLEM_JSON = strict(
    [],
    {
        "type": URI,
        "title": STRING,
        "status": {"type": "integer", "minimum": 100, "exclusiveMaximum": 600},
        "detail": STRING,
        "instance": URI,
    },
)

# --- Operations -----------------------------------------------------------------------------------

JSON, XML = "application/json", "application/xml"


@dataclass(frozen=True)
class Answer:
    """A documented answer: its content type and body schema (None: no body), and the headers
    it must carry."""

    content_type: str | None = None
    schema: dict[str, Any] | None = None
    headers: Mapping[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    api: str
    name: str  # the document's operationId
    method: str
    path: str  # below the API's base path, with {parameters}
    answers: Mapping[int, Answer]
    query: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    path_parameters: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    body: dict[str, Any] | None = None  # the request body's schema; None: no body
    key_in_query: bool = False  # the key may come as ?subscription-key= instead of the header

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.path) + "$")

    @property
    def success(self) -> tuple[int, Answer]:
        return min((status, answer) for status, answer in self.answers.items() if status < 400)


GPD_PROBLEM = Answer(JSON, PROBLEM_JSON)
NO_BODY = Answer()
# `[\w*\h-]+` in the document (Java): word characters, '*', horizontal blanks and '-'.
GPD_IDENTIFIER = whole(r"[\w* \t-]+")

OPERATIONS = [
    Operation(
        GPD,
        "createPosition",
        "POST",
        "/organizations/{organizationfiscalcode}/debtpositions",
        query={"toPublish": BOOLEAN},
        body=PAYMENT_POSITION,
        answers={
            201: Answer(JSON, PAYMENT_POSITION_ANSWER),
            400: GPD_PROBLEM,
            401: NO_BODY,
            409: GPD_PROBLEM,
            500: GPD_PROBLEM,
        },
    ),
    Operation(
        GPD,
        "getOrganizationDebtPositionByIUPD",
        "GET",
        "/organizations/{organizationfiscalcode}/debtpositions/{iupd}",
        path_parameters={"organizationfiscalcode": GPD_IDENTIFIER, "iupd": GPD_IDENTIFIER},
        answers={
            200: Answer(JSON, PAYMENT_POSITION_BASE_RESPONSE),
            401: NO_BODY,
            404: GPD_PROBLEM,
            500: GPD_PROBLEM,
        },
    ),
    Operation(
        GPD,
        "publishPosition",
        "POST",
        "/organizations/{organizationfiscalcode}/debtpositions/{iupd}/publish",
        answers={
            200: Answer(JSON, PAYMENT_POSITION_ANSWER),
            401: NO_BODY,
            404: GPD_PROBLEM,
            409: GPD_PROBLEM,
            500: GPD_PROBLEM,
        },
    ),
    Operation(
        GPD,
        "invalidatePosition",
        "POST",
        "/organizations/{organizationfiscalcode}/debtpositions/{iupd}/invalidate",
        answers={
            200: Answer(JSON, PAYMENT_POSITION_ANSWER),
            401: NO_BODY,
            404: GPD_PROBLEM,
            409: GPD_PROBLEM,
            500: GPD_PROBLEM,
        },
    ),
    Operation(
        RECEIPTS,
        "getOrganizationReceipts",
        "GET",
        "/payments/{organizationfiscalcode}/receipts",
        query={
            "pageNum": {"type": "integer", "minimum": 0},
            "pageSize": INTEGER,
            "debtor": STRING,
            "service": STRING,
            "from": STRING,
            "to": STRING,
        },
        key_in_query=True,
        answers={
            200: Answer(JSON, RECEIPTS_INFO),
            401: NO_BODY,
            404: GPD_PROBLEM,
            500: GPD_PROBLEM,
        },
    ),
    Operation(
        RECEIPTS,
        "getReceiptByIUV",
        "GET",
        "/payments/{organizationfiscalcode}/receipts/{iuv}",
        key_in_query=True,
        answers={
            200: Answer(XML, STRING),
            401: NO_BODY,
            404: GPD_PROBLEM,
            422: GPD_PROBLEM,
            500: GPD_PROBLEM,
        },
    ),
    Operation(
        CHECKOUT,
        "PostCarts",
        "POST",
        "/carts",
        body=CART_REQUEST,
        key_in_query=True,
        answers={
            302: Answer(headers={"location": URI}),
            400: Answer(JSON, CHECKOUT_PROBLEM_JSON),
            500: Answer(JSON, CHECKOUT_PROBLEM_JSON),
        },
    ),
]


def operation_find(api: str, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    """The operation a request is for and its path parameters; None when there is none."""
    for operation in OPERATIONS:
        if operation.api != api or operation.method != method:
            continue
        match = operation.pattern.match(path)
        if match:
            return operation, match.groupdict()
    return None


# --- Checking -------------------------------------------------------------------------------------

# JSON integers only: 1600.0 is not an amount in cents on the wire, whatever Python thinks.
_Validator = extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _checker, value: isinstance(value, int) and not isinstance(value, bool)
    ),
)


def schema_problems(schema: dict[str, Any], value: Any) -> list[str]:
    """What in `value` breaks `schema`, each as `where: what`."""
    validator = _Validator(schema, format_checker=FORMATS)
    problems = []
    for error in sorted(validator.iter_errors(value), key=lambda error: list(error.path)):
        where = "/".join(str(part) for part in error.absolute_path) or "(body)"
        problems.append(f"{where}: {error.message}")
    return problems


def _parameter_problems(name: str, values: list[str], schema: dict[str, Any]) -> list[str]:
    if len(values) != 1:
        return [f"query parameter {name} given {len(values)} times"]
    raw = values[0]
    kind = schema.get("type")
    value: Any = raw
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", raw):
            return [f"query parameter {name}={raw!r} is not an integer"]
        value = int(raw)
    elif kind == "boolean":
        if raw not in ("true", "false"):
            return [f"query parameter {name}={raw!r} is not true or false"]
        value = raw == "true"
    return [f"query parameter {name}: {problem}" for problem in schema_problems(schema, value)]


def _media_type(header: str) -> str:
    return header.split(";", 1)[0].strip().lower()


def _accepts(accept: str, content_type: str) -> bool:
    kinds = {_media_type(part) for part in accept.split(",")}
    main = content_type.split("/", 1)[0]
    return bool(kinds & {content_type, f"{main}/*", "*/*"})


def request_problems(
    operation: Operation,
    *,
    path_parameters: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    body: bytes,
) -> list[str]:
    """Everything in a request that the contract of `operation` does not allow. `headers`
    must be keyed in lower case."""
    problems: list[str] = []
    if not headers.get(KEY_HEADER.lower()) and not (
        operation.key_in_query and query.get(KEY_QUERY)
    ):
        problems.append(f"no subscription key (header {KEY_HEADER})")
    for name, schema in operation.path_parameters.items():
        for problem in schema_problems(schema, path_parameters[name]):
            problems.append(f"path parameter {name}: {problem.split(': ', 1)[1]}")
    allowed = {**operation.query, **({KEY_QUERY: STRING} if operation.key_in_query else {})}
    for name, values in query.items():
        if name not in allowed:
            problems.append(f"query parameter {name} is not in the contract")
        else:
            problems.extend(_parameter_problems(name, values, allowed[name]))
    _status, success = operation.success
    accept = headers.get("accept", "")
    if success.content_type and accept and not _accepts(accept, success.content_type):
        problems.append(f"Accept: {accept} refuses the answer's {success.content_type}")
    if operation.body is None:
        if body:
            problems.append("a body where the contract has none")
        return problems
    content_type = _media_type(headers.get("content-type", ""))
    if content_type != JSON:
        problems.append(f"Content-Type is {content_type or 'missing'}, not {JSON}")
    try:
        document = json.loads(body)
    except ValueError:
        return [*problems, "the body is not JSON"]
    problems.extend(schema_problems(operation.body, document))
    return problems


def answer_problems(
    operation: Operation, *, status: int, headers: Mapping[str, str], body: bytes
) -> list[str]:
    """Everything in an answer to `operation` that its contract does not allow."""
    answer = operation.answers.get(status)
    if answer is None:
        return [f"status {status} is not a documented answer"]
    problems = []
    lower = {name.lower(): value for name, value in headers.items()}
    for name, schema in answer.headers.items():
        if name not in lower:
            problems.append(f"no {name} header")
        else:
            problems.extend(f"header {name}: {p}" for p in schema_problems(schema, lower[name]))
    if answer.content_type is None:
        if body:
            problems.append("a body where the contract has none")
        return problems
    content_type = _media_type(lower.get("content-type", ""))
    if content_type != answer.content_type:
        problems.append(f"Content-Type is {content_type or 'missing'}, not {answer.content_type}")
    if answer.content_type == JSON:
        try:
            document = json.loads(body)
        except ValueError:
            return [*problems, "the body is not JSON"]
        problems.extend(schema_problems(answer.schema or {}, document))
    elif not body:
        problems.append("an empty body")
    return problems
