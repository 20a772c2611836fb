"""The rows `positions_create` inserts in bulk: the column order of each table and the values of
a position, of its options and of their transfers, built from the specs."""

from __future__ import annotations

import uuid

from sportello.payments.codes import notice_number_of
from sportello.payments.models import DebtorType, OptionStatus, PositionStatus
from sportello.payments.providers.base import Creditor
from sportello.payments.validation import OptionSpec, PositionSpec, TransferSpec, cents

POSITION_FIELDS = (
    "id",
    "iupd",
    "service",
    "service_reference",
    "title",
    "debtor_type",
    "debtor_fiscal_code",
    "debtor_name",
    "debtor_street",
    "debtor_civic_number",
    "debtor_postal_code",
    "debtor_city",
    "debtor_province",
    "debtor_country",
    "debtor_email",
    "company_name",
    "office_name",
    "status",
    "switch_to_expired",
    "created_at",
    "created_by",
    "published_at",
    "publish_error",
    "paid_at",
    "invalidated_at",
    "invalidated_by",
    "invalidation_reason",
)
OPTION_FIELDS = (
    "id",
    "position",
    "iuv",
    "notice_number",
    "amount",
    "due_date",
    "description",
    "is_partial_payment",
    "instalment",
    "status",
    "paid_at",
    "confirmed_at",
)
TRANSFER_FIELDS = (
    "option",
    "id_transfer",
    "amount",
    "organization_fiscal_code",
    "company_name",
    "iban",
    "remittance_information",
    "category",
    "stamp_hash",
    "stamp_type",
    "stamp_province",
)


def position_values(
    spec: PositionSpec, *, pk: int, creditor: Creditor, created_by_id: int | None, now
) -> dict:
    debtor = spec.debtor
    code = debtor.fiscal_code.strip().upper()
    return {
        "id": pk,
        "iupd": f"{creditor.fiscal_code}-{uuid.uuid4()}",
        "service": spec.service,
        "service_reference": spec.reference,
        "title": spec.title.strip(),
        "debtor_type": DebtorType.PERSON if len(code) == 16 else DebtorType.COMPANY,
        "debtor_fiscal_code": code,
        "debtor_name": debtor.name.strip(),
        "debtor_street": debtor.street.strip(),
        "debtor_civic_number": debtor.civic_number.strip(),
        "debtor_postal_code": debtor.postal_code.strip(),
        "debtor_city": debtor.city.strip(),
        "debtor_province": debtor.province.strip().upper(),
        "debtor_country": debtor.country.strip().upper(),
        "debtor_email": debtor.email.strip(),
        "company_name": creditor.name,
        "office_name": spec.office_name,
        "status": PositionStatus.DRAFT.value,
        "switch_to_expired": spec.switch_to_expired,
        "created_at": now,
        "created_by": created_by_id,
        "published_at": None,
        "publish_error": "",
        "paid_at": None,
        "invalidated_at": None,
        "invalidated_by": None,
        "invalidation_reason": "",
    }


def option_rows(
    spec: PositionSpec, position_id: int, iuvs: list[str], ids: list[int], creditor: Creditor
) -> tuple[list[tuple], list[tuple]]:
    options, transfers = [], []
    numbered: list[tuple[int, OptionSpec]] = [(0, spec.single)] if spec.single else []
    numbered += list(enumerate(spec.instalments, start=1))
    for number, option_spec in numbered:
        iuv, option_id = iuvs.pop(), ids.pop()
        description = option_spec.description.strip()
        options.append(
            (
                option_id,
                position_id,
                iuv,
                notice_number_of(iuv),
                cents(option_spec.amount),
                option_spec.due_date,
                description,
                number > 0,
                number,
                OptionStatus.UNPAID.value,
                None,
                None,
            )
        )
        specs = option_spec.transfers or (
            TransferSpec(option_spec.amount, option_spec.description, spec.category),
        )
        for index, transfer in enumerate(specs, start=1):
            stamp = transfer.stamp
            transfers.append(
                (
                    option_id,
                    index,
                    cents(transfer.amount),
                    creditor.fiscal_code,
                    creditor.name[:140],
                    "" if stamp else (transfer.iban or creditor.iban).replace(" ", ""),
                    transfer.remittance.strip(),
                    transfer.category,
                    stamp.hash_document if stamp else "",
                    stamp.stamp_type if stamp else "",
                    stamp.province if stamp else "",
                )
            )
    return options, transfers
