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
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
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
    euros, cents = text.split(".")
    return int(euros) * 100 + int(cents)


def _when(text: str) -> datetime.datetime | None:
    """pagoPA's date and time; without an offset it is Italian time."""
    if not text:
        return None
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ReceiptUnreadable(f"paymentDateTime is not a date and time: {text[:30]!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone())
    return moment


@cache
def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _text(parent: etree._Element | None, name: str) -> str:
    """The text of `parent`'s child `name`, in no namespace or any (pagoPA's are unqualified)."""
    if parent is None:
        return ""
    text = parent.findtext(name)
    if text is None:
        text = parent.findtext("{*}" + name)
    return (text or "").strip()


def _subject_code(subject: etree._Element | None) -> str:
    if subject is None:
        return ""
    identifier = subject.find("uniqueIdentifier")
    if identifier is None:
        identifier = subject.find("{*}uniqueIdentifier")
    return _text(identifier, "entityUniqueIdentifierValue").upper()


def receipt_parse(document: bytes | str) -> ReceiptData:
    """The receipt in `document`; ReceiptUnreadable if it is not a usable one."""
    raw = document.encode("utf-8") if isinstance(document, str) else document
    try:
        root = etree.fromstring(raw, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ReceiptUnreadable(f"not XML: {exc}") from None
    # The receipt itself, or the first element named so inside its wrapper (paSendRT, SOAP).
    receipt = root.find(".//{*}receipt") if not root.tag.endswith("receipt") else root
    if receipt is None:
        receipt = root
    values = {
        name: _text(receipt, name)
        for name in (
            "receiptId",
            "noticeNumber",
            "fiscalCode",
            "outcome",
            "creditorReferenceId",
            "paymentAmount",
            "description",
            "idPSP",
            "PSPCompanyName",
            "paymentMethod",
            "fee",
            "paymentDateTime",
        )
    }
    required = ("receiptId", "noticeNumber", "fiscalCode", "outcome", "creditorReferenceId")
    missing = [name for name in (*required, "paymentAmount") if not values[name]]
    if missing:
        raise ReceiptUnreadable(f"missing {', '.join(missing)}")
    notice_number = values["noticeNumber"]
    if not _NOTICE.match(notice_number):
        raise ReceiptUnreadable(f"noticeNumber is not 18 digits: {notice_number[:30]!r}")
    outcome = values["outcome"].upper()
    if outcome not in {"OK", "KO"}:
        raise ReceiptUnreadable(f"outcome is neither OK nor KO: {outcome[:10]!r}")
    payer = receipt.find("{*}payer")
    return ReceiptData(
        receipt_id=values["receiptId"][:64],
        notice_number=notice_number,
        organization_fiscal_code=values["fiscalCode"][:11],
        outcome=outcome,
        iuv=values["creditorReferenceId"][:35],
        amount=_cents(values["paymentAmount"], "paymentAmount"),
        description=values["description"][:140],
        debtor_fiscal_code=_subject_code(receipt.find("{*}debtor"))[:16],
        payer_fiscal_code=_subject_code(payer)[:16],
        payer_name=_text(payer, "fullName")[:70],
        psp_id=values["idPSP"][:35],
        psp_company_name=values["PSPCompanyName"][:70],
        payment_method=values["paymentMethod"][:35],
        fee=_cents(values["fee"], "fee") if values["fee"] else None,
        paid_at=_when(values["paymentDateTime"]),
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
