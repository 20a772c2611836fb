"""Receipts (ricevute telematiche) in pagoPA's XML: the `ctReceipt` structure of paForNode.xsd,
as the receipts API returns it and as paSendRT carries it.

Elements are found by local name, so the same reader takes a bare receipt or one wrapped in its
request, with or without namespaces. Anything missing or malformed raises ReceiptUnreadable,
whose reason is for the log and the operators (the document itself is always kept).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from lxml import etree

_AMOUNT = re.compile(r"^\d{1,9}\.\d{2}$")
_NOTICE = re.compile(r"^\d{18}$")
NAMESPACE = "http://pagopa-api.pagopa.gov.it/pa/paForNode.xsd"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class ReceiptUnreadable(ValueError):
    pass


@dataclass(frozen=True)
class ReceiptData:
    receipt_id: str
    notice_number: str
    organization_fiscal_code: str
    outcome: str  # OK or KO
    iuv: str
    amount: int  # cents
    description: str = ""
    debtor_fiscal_code: str = ""
    payer_fiscal_code: str = ""
    payer_name: str = ""
    psp_id: str = ""
    psp_company_name: str = ""
    payment_method: str = ""
    fee: int | None = None
    paid_at: datetime.datetime | None = None
    document: str = ""


def _cents(text: str, name: str) -> int:
    if not _AMOUNT.match(text):
        raise ReceiptUnreadable(f"{name} is not an amount with two decimals: {text[:20]!r}")
    return int(Decimal(text) * 100)


def _when(text: str) -> datetime.datetime | None:
    if not text:
        return None
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ReceiptUnreadable(f"paymentDateTime is not a date and time: {text[:30]!r}") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _children(element: etree._Element) -> dict[str, etree._Element]:
    return {etree.QName(child).localname: child for child in element if isinstance(child.tag, str)}


def _text(children: dict[str, etree._Element], name: str) -> str:
    element = children.get(name)
    return (element.text or "").strip() if element is not None else ""


def _subject_code(subject: etree._Element | None) -> str:
    if subject is None:
        return ""
    identifier = _children(subject).get("uniqueIdentifier")
    if identifier is None:
        return ""
    return _text(_children(identifier), "entityUniqueIdentifierValue").upper()


def receipt_parse(document: bytes | str) -> ReceiptData:
    """The receipt in `document`; ReceiptUnreadable if it is not a usable one."""
    raw = document.encode("utf-8") if isinstance(document, str) else document
    try:
        root = etree.fromstring(raw, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ReceiptUnreadable(f"not XML: {exc}") from None
    receipt = root if etree.QName(root).localname == "receipt" else None
    if receipt is None:
        found = root.xpath("//*[local-name()='receipt']")
        receipt = found[0] if found else root
    fields = _children(receipt)
    required = ("receiptId", "noticeNumber", "fiscalCode", "outcome", "creditorReferenceId")
    missing = [name for name in (*required, "paymentAmount") if not _text(fields, name)]
    if missing:
        raise ReceiptUnreadable(f"missing {', '.join(missing)}")
    notice_number = _text(fields, "noticeNumber")
    if not _NOTICE.match(notice_number):
        raise ReceiptUnreadable(f"noticeNumber is not 18 digits: {notice_number[:30]!r}")
    outcome = _text(fields, "outcome").upper()
    if outcome not in {"OK", "KO"}:
        raise ReceiptUnreadable(f"outcome is neither OK nor KO: {outcome[:10]!r}")
    fee = _text(fields, "fee")
    payer = fields.get("payer")
    return ReceiptData(
        receipt_id=_text(fields, "receiptId")[:64],
        notice_number=notice_number,
        organization_fiscal_code=_text(fields, "fiscalCode")[:11],
        outcome=outcome,
        iuv=_text(fields, "creditorReferenceId")[:35],
        amount=_cents(_text(fields, "paymentAmount"), "paymentAmount"),
        description=_text(fields, "description")[:140],
        debtor_fiscal_code=_subject_code(fields.get("debtor"))[:16],
        payer_fiscal_code=_subject_code(payer)[:16],
        payer_name=_text(_children(payer), "fullName")[:70] if payer is not None else "",
        psp_id=_text(fields, "idPSP")[:35],
        psp_company_name=_text(fields, "PSPCompanyName")[:70],
        payment_method=_text(fields, "paymentMethod")[:35],
        fee=_cents(fee, "fee") if fee else None,
        paid_at=_when(_text(fields, "paymentDateTime")),
        document=raw.decode("utf-8", errors="replace"),
    )


def _euros(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


@dataclass(frozen=True)
class ReceiptTransfer:
    id_transfer: int
    amount: int
    fiscal_code: str
    iban: str
    remittance: str
    category: str


def receipt_build(
    *,
    receipt_id: str,
    notice_number: str,
    organization_fiscal_code: str,
    company_name: str,
    iuv: str,
    amount: int,
    description: str,
    debtor_type: str,
    debtor_fiscal_code: str,
    debtor_name: str,
    transfers: list[ReceiptTransfer],
    psp_id: str,
    psp_company_name: str,
    payment_method: str,
    fee: int,
    paid_at: datetime.datetime,
    outcome: str = "OK",
    station: str = "",
) -> bytes:
    """A paSendRTV2 request carrying one receipt (used by the simulator and the tests' fake
    pagoPA, which deliver receipts as the platform does)."""
    request = etree.Element(etree.QName(NAMESPACE, "paSendRTV2Request"), nsmap={"pafn": NAMESPACE})

    def add(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        child = etree.SubElement(parent, name)
        if text is not None:
            child.text = text
        return child

    add(request, "idPA", organization_fiscal_code)
    add(request, "idBrokerPA", organization_fiscal_code)
    add(request, "idStation", station or f"{organization_fiscal_code}_01")
    receipt = add(request, "receipt")
    for name, value in (
        ("receiptId", receipt_id),
        ("noticeNumber", notice_number),
        ("fiscalCode", organization_fiscal_code),
        ("outcome", outcome),
        ("creditorReferenceId", iuv),
        ("paymentAmount", _euros(amount)),
        ("description", description[:140]),
        ("companyName", company_name[:140]),
    ):
        add(receipt, name, value)
    debtor = add(receipt, "debtor")
    identifier = add(debtor, "uniqueIdentifier")
    add(identifier, "entityUniqueIdentifierType", debtor_type)
    add(identifier, "entityUniqueIdentifierValue", debtor_fiscal_code)
    add(debtor, "fullName", debtor_name[:70])
    transfer_list = add(receipt, "transferList")
    for transfer in transfers:
        element = add(transfer_list, "transfer")
        add(element, "idTransfer", str(transfer.id_transfer))
        add(element, "transferAmount", _euros(transfer.amount))
        add(element, "fiscalCodePA", transfer.fiscal_code)
        if transfer.iban:  # a digital stamp's transfer has none
            add(element, "IBAN", transfer.iban)
        add(element, "remittanceInformation", transfer.remittance[:140])
        add(element, "transferCategory", transfer.category)
    for name, value in (
        ("idPSP", psp_id),
        ("PSPCompanyName", psp_company_name),
        ("idChannel", f"{psp_id}_01"),
        ("channelDescription", "app"),
        ("paymentMethod", payment_method),
        ("fee", _euros(fee)),
        (
            "paymentDateTime",
            timezone.localtime(paid_at).replace(tzinfo=None).isoformat("T", "seconds"),
        ),
        ("applicationDate", f"{timezone.localdate(paid_at):%Y-%m-%d}"),
        ("transferDate", f"{timezone.localdate(paid_at):%Y-%m-%d}"),
    ):
        add(receipt, name, value)
    return etree.tostring(request, xml_declaration=True, encoding="UTF-8")
