"""The `pagopa` provider against a fake pagoPA on a local HTTP server, driven as the app drives
it: positions created by a service and published by the task, the citizen's cart, receipts read
by the polling task, annulments; pagoPA slow, down, refusing or answering garbage. After every
test the fake must have seen no request outside the published contract."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import socket
from collections.abc import Iterator
from decimal import Decimal

import pytest
import requests
from django.core import mail
from django.utils import timezone

from sportello.accounts.models import User
from sportello.core.exceptions import ApplicationError
from sportello.core.models import Municipality
from sportello.payments.models import (
    Anomaly,
    Cart,
    CartStatus,
    OptionStatus,
    PaymentPosition,
    PositionStatus,
    Receipt,
)
from sportello.payments.providers.base import ProviderError, ReturnUrls
from sportello.payments.providers.pagopa import position_payload
from sportello.payments.receipt_xml import receipt_build
from sportello.payments.services import (
    cart_checkout,
    creditor_get,
    position_invalidate,
    positions_create,
)
from sportello.payments.tasks import positions_publish, positions_publish_pending, receipts_poll
from sportello.payments.validation import (
    Debtor,
    OptionSpec,
    PositionSpec,
    Stamp,
    TransferSpec,
)
from tests.channels.retries import retrying
from tests.payments.conftest import CATEGORY, CREDITOR_CODE, Household, citizen_of
from tests.payments.fake_pagopa import (
    CHECKOUT_KEY,
    GPD_KEY,
    FakePagoPA,
    fake_pagopa,  # noqa: F401 (a fixture)
)
from tests.payments.pagopa_contract import CHECKOUT, GPD, KEY_HEADER, RECEIPTS

pytestmark = pytest.mark.django_db

IBAN = "IT60X0542811101000000123456"
# Seconds the provider waits for an answer: far above a local answer, even on a busy machine.
TIMEOUT = 1.0


@pytest.fixture
def pagopa(
    settings,
    fake_pagopa: FakePagoPA,  # noqa: F811 (the fixture imported above)
    municipality: Municipality,
) -> Iterator[FakePagoPA]:
    """The app configured for the real provider, pointed at the fake; no request may break the
    contract."""
    settings.SPORTELLO_PAYMENTS_PROVIDER = "sportello.payments.providers.pagopa.PagoPA"
    settings.SPORTELLO_PAGOPA_GPD_URL = fake_pagopa.url(GPD)
    settings.SPORTELLO_PAGOPA_RECEIPTS_URL = fake_pagopa.url(RECEIPTS)
    settings.SPORTELLO_PAGOPA_CHECKOUT_URL = fake_pagopa.url(CHECKOUT)
    settings.SPORTELLO_PAGOPA_GPD_KEY = GPD_KEY
    settings.SPORTELLO_PAGOPA_CHECKOUT_KEY = CHECKOUT_KEY
    settings.SPORTELLO_PAGOPA_IBAN = IBAN
    settings.SPORTELLO_PAGOPA_TIMEOUT = TIMEOUT
    settings.SPORTELLO_PAGOPA_RETRIES = 3
    settings.SPORTELLO_PAGOPA_BACKOFF = 0.01
    yield fake_pagopa
    assert fake_pagopa.violations == [], "requests outside pagoPA's contract"


@pytest.fixture
def sara(household: Household) -> User:
    return citizen_of(household.sara)


def spec(
    debtor: str,
    reference: str,
    *,
    amount: str = "16.00",
    transfers: tuple[TransferSpec, ...] = (),
    instalments: tuple[str, ...] = (),
) -> PositionSpec:
    due = timezone.localdate() + datetime.timedelta(days=30)
    options = tuple(
        OptionSpec(Decimal(part), due + datetime.timedelta(days=30 * n), f"Rata {n + 1}")
        for n, part in enumerate(instalments)
    )
    return PositionSpec(
        service="test",
        reference=reference,
        title=f"Prova {reference}",
        debtor=Debtor(
            fiscal_code=debtor, name="Sara Galli", province="VD", email="sara@example.it"
        ),
        category=CATEGORY,
        single=None if instalments else OptionSpec(Decimal(amount), due, "Mensa, marzo", transfers),
        instalments=options,
    )


def create(capture, *specs: PositionSpec) -> list[PaymentPosition]:
    """As a service does: create, and let the publishing task run after the commit."""
    with capture(execute=True):
        ids = positions_create(specs=list(specs))
    return [PaymentPosition.objects.get(pk=pk) for pk in ids]


def drafts(*specs: PositionSpec) -> list[PaymentPosition]:
    """Positions not yet published (their task has not run)."""
    ids = positions_create(specs=list(specs), publish=False)
    return [PaymentPosition.objects.get(pk=pk) for pk in ids]


def age(position: PaymentPosition) -> None:
    """Hours have passed since the position was created."""
    PaymentPosition.objects.filter(pk=position.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=6)
    )


def urls(cart: Cart) -> ReturnUrls:
    base = f"https://sportello.valdoria.example.it/pagamenti/carrello/{cart.uuid}"
    return ReturnUrls(ok=f"{base}/ok/", cancel=f"{base}/annullato/", error=f"{base}/errore/")


# --- Publishing -----------------------------------------------------------------------------------


def test_a_new_position_is_published_with_its_amounts_iuv_and_transfers(
    pagopa: FakePagoPA, sara: User, django_capture_on_commit_callbacks
) -> None:
    [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "A1"))

    assert position.status == PositionStatus.VALID
    assert position.published_at is not None and position.publish_error == ""
    option = position.options.get()
    held = pagopa.position(CREDITOR_CODE, position.iupd)
    assert held["status"] == "VALID"
    assert (held["fiscalCode"], held["type"], held["fullName"]) == (
        sara.username,
        "F",
        "Sara Galli",
    )
    [remote] = held["paymentOption"]
    assert (remote["iuv"], remote["amount"], remote["isPartialPayment"]) == (
        option.iuv,
        1600,
        False,
    )
    assert option.notice_number == "3" + option.iuv
    due = datetime.datetime.fromisoformat(remote["dueDate"])
    assert timezone.localtime(due).date() == option.due_date and due.utcoffset() is not None
    assert remote["transfer"] == [
        {
            "idTransfer": "1",
            "amount": 1600,
            "organizationFiscalCode": CREDITOR_CODE,
            "companyName": "Comune di Valdoria",
            "remittanceInformation": "Mensa, marzo",
            "category": CATEGORY,
            "iban": IBAN,
        }
    ]
    [call] = pagopa.calls_to("createPosition")
    assert call.query == {"toPublish": ["true"]}


def test_a_stamp_duty_travels_as_a_digital_stamp_with_the_documents_sha256(
    pagopa: FakePagoPA, sara: User, django_capture_on_commit_callbacks
) -> None:
    document = b"%PDF-1.7 certificato di residenza"
    transfers = (
        TransferSpec(
            Decimal("16.00"),
            "Imposta di bollo",
            CATEGORY,
            stamp=Stamp(document_sha256=hashlib.sha256(document).digest(), province="VD"),
        ),
        TransferSpec(Decimal("0.52"), "Diritti di segreteria", CATEGORY),
    )
    [position] = create(
        django_capture_on_commit_callbacks,
        spec(sara.username, "B1", amount="16.52", transfers=transfers),
    )

    [remote] = pagopa.position(CREDITOR_CODE, position.iupd)["paymentOption"]
    stamp, fee = remote["transfer"]
    assert remote["amount"] == 1652
    assert (stamp["idTransfer"], stamp["amount"], "iban" in stamp) == ("1", 1600, False)
    assert stamp["stamp"] == {
        "hashDocument": base64.b64encode(hashlib.sha256(document).digest()).decode(),
        "stampType": "01",
        "provincialResidence": "VD",
    }
    assert (fee["idTransfer"], fee["amount"], fee["iban"], "stamp" in fee) == ("2", 52, IBAN, False)


def test_instalments_are_published_as_partial_payments_each_with_its_own_iuv(
    pagopa: FakePagoPA, sara: User, django_capture_on_commit_callbacks
) -> None:
    [position] = create(
        django_capture_on_commit_callbacks,
        spec(sara.username, "C1", instalments=("50.00", "50.00", "20.50")),
    )

    remote = pagopa.position(CREDITOR_CODE, position.iupd)["paymentOption"]
    assert [(o["amount"], o["isPartialPayment"]) for o in remote] == [
        (5000, True),
        (5000, True),
        (2050, True),
    ]
    assert {o["iuv"] for o in remote} == set(position.options.values_list("iuv", flat=True))


def test_a_position_created_but_unanswered_is_not_created_twice(
    pagopa: FakePagoPA, sara: User, django_capture_on_commit_callbacks
) -> None:
    # pagoPA created it, but its answer was lost: the retry gets 409 and reads the position.
    pagopa.fail("createPosition", status=503, after_work=True)

    [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "D1"))

    assert position.status == PositionStatus.VALID
    assert [call.status for call in pagopa.calls_to("createPosition")] == [503, 409]
    assert len(pagopa.calls_to("getOrganizationDebtPositionByIUPD")) == 1
    assert len(pagopa.positions) == 1


def test_a_position_pagopa_holds_as_a_draft_is_published_not_created_again(
    pagopa: FakePagoPA, sara: User
) -> None:
    [position] = drafts(spec(sara.username, "D2"))
    # Created on pagoPA earlier without publishing it (by hand, or by an older client).
    requests.post(
        f"{pagopa.url(GPD)}/organizations/{CREDITOR_CODE}/debtpositions",
        json=position_payload(position, creditor=creditor_get()),
        headers={KEY_HEADER: GPD_KEY},
        timeout=5,
    )

    positions_publish.delay([position.pk])

    position.refresh_from_db()
    assert position.status == PositionStatus.VALID
    assert [call.operation for call in pagopa.calls] == [
        "createPosition",
        "createPosition",
        "getOrganizationDebtPositionByIUPD",
        "publishPosition",
    ]
    assert pagopa.position(CREDITOR_CODE, position.iupd)["status"] == "VALID"


# --- Retries: 5xx and 429 again, 4xx never --------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_server_error_is_retried_until_pagopa_answers(
    pagopa: FakePagoPA, sara: User, django_capture_on_commit_callbacks, status: int
) -> None:
    pagopa.fail("createPosition", times=2, status=status)

    [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "E1"))

    assert position.status == PositionStatus.VALID and position.publish_error == ""
    assert [call.status for call in pagopa.calls_to("createPosition")] == [status, status, 201]


def test_too_many_requests_waits_as_long_as_pagopa_asks(
    pagopa: FakePagoPA, sara: User, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SPORTELLO_PAGOPA_TIMEOUT = 2
    pagopa.fail("createPosition", status=429, headers={"Retry-After": "1"})

    [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "E2"))

    assert position.status == PositionStatus.VALID
    first, second = pagopa.calls_to("createPosition")
    assert (first.status, second.status) == (429, 201)
    assert second.at - first.at >= 1.0


def test_a_long_retry_after_is_not_waited_for(
    pagopa: FakePagoPA, sara: User, settings, django_capture_on_commit_callbacks
) -> None:
    # The citizen (or a worker) waits no longer than the timeout, however long pagoPA asks
    # (urllib3 alone would wait up to six hours).
    settings.SPORTELLO_PAGOPA_RETRIES = 1
    pagopa.fail("PostCarts", times=None, status=429, headers={"Retry-After": "20"})
    [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "E3"))

    with pytest.raises(ApplicationError):
        cart_checkout(user=sara, option_ids=[position.options.get().pk], email="", return_urls=urls)

    first, second = pagopa.calls_to("PostCarts")
    assert second.at - first.at < TIMEOUT + 5


def test_a_refused_position_is_not_sent_again_and_operators_see_why(
    pagopa: FakePagoPA, sara: User, django_capture_on_commit_callbacks
) -> None:
    refusal = {"title": "Bad Request", "status": 400, "detail": "Invalid category"}
    pagopa.fail("createPosition", status=400, body=json.dumps(refusal).encode())

    [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "F1"))

    assert len(pagopa.calls_to("createPosition")) == 1
    assert position.status == PositionStatus.DRAFT
    assert "Invalid category" in position.publish_error
    # Nor later: the periodic safety net leaves it to an operator.
    age(position)
    assert positions_publish_pending() == 0
    assert len(pagopa.calls) == 1


def test_a_wrong_subscription_key_is_not_tried_again(
    pagopa: FakePagoPA, sara: User, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SPORTELLO_PAGOPA_GPD_KEY = "not-the-key"

    [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "F2"))

    assert [call.status for call in pagopa.calls] == [401]
    assert position.status == PositionStatus.DRAFT
    assert "subscription key" in position.publish_error


# --- pagoPA down, slow or talking nonsense --------------------------------------------------------


def test_pagopa_down_leaves_the_position_to_publish_later(
    pagopa: FakePagoPA, sara: User, django_capture_on_commit_callbacks
) -> None:
    pagopa.down()
    with retrying() as retries:
        [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "G1"))

    assert retries, "the publishing task was not retried"
    assert position.status == PositionStatus.DRAFT and position.published_at is None
    assert position.publish_error == ""  # not refused: the safety net will try again
    assert pagopa.positions == {}

    # Hours later pagoPA is back, and the periodic safety net publishes it.
    pagopa.up()
    age(position)
    assert positions_publish_pending() == 1
    position.refresh_from_db()
    assert position.status == PositionStatus.VALID and position.publish_error == ""
    assert pagopa.position(CREDITOR_CODE, position.iupd)["status"] == "VALID"


def test_pagopa_back_before_the_tasks_retry_publishes_once(
    pagopa: FakePagoPA, sara: User, django_capture_on_commit_callbacks
) -> None:
    pagopa.down()
    with retrying(before_first=pagopa.up) as retries:
        [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "G2"))

    assert len(retries) == 1
    assert position.status == PositionStatus.VALID and position.publish_error == ""
    assert len(pagopa.positions) == 1


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 201, "body": b"<html><body>Gateway</body></html>", "content_type": "text/html"},
        {"status": 201, "body": b'{"status": "VALID"', "content_type": "application/json"},
        {"status": 201, "body": b'["VALID"]', "content_type": "application/json"},
        {"status": 201, "body": b'{"status": "PAGATA"}', "content_type": "application/json"},
    ],
    ids=["html", "truncated-json", "json-array", "unknown-status"],
)
def test_a_garbled_answer_is_retried_without_creating_twice(
    pagopa: FakePagoPA, sara: User, django_capture_on_commit_callbacks, answer: dict
) -> None:
    pagopa.fail("createPosition", after_work=True, **answer)
    with retrying() as retries:
        [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "H1"))

    assert len(retries) == 1
    assert position.status == PositionStatus.VALID and position.publish_error == ""
    assert [call.status for call in pagopa.calls_to("createPosition")] == [201, 409]
    assert len(pagopa.positions) == 1


def test_an_answer_slower_than_the_timeout_is_given_up_and_tried_again(
    pagopa: FakePagoPA, sara: User, django_capture_on_commit_callbacks
) -> None:
    pagopa.fail("createPosition", after_work=True, status=201, delay=TIMEOUT * 10)

    [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "H2"))

    assert position.status == PositionStatus.VALID
    assert len(pagopa.calls_to("createPosition")) == 2
    assert len(pagopa.positions) == 1


def test_the_citizen_paying_while_pagopa_is_down_is_told_in_italian(
    pagopa: FakePagoPA, sara: User
) -> None:
    [position] = drafts(spec(sara.username, "I1"))
    pagopa.down()

    with pytest.raises(ApplicationError) as refused:
        cart_checkout(
            user=sara,
            option_ids=[position.options.get().pk],
            email="",
            return_urls=urls,
        )

    assert "pagoPA in questo momento non risponde" in refused.value.message
    assert "non ti è stato addebitato nulla" in refused.value.message
    position.refresh_from_db()
    assert position.status == PositionStatus.DRAFT and position.publish_error == ""
    assert not Cart.objects.exists() and pagopa.calls_to("PostCarts") == []


def test_pagopa_unreachable_is_told_to_the_citizen_in_italian(
    pagopa: FakePagoPA, sara: User, settings
) -> None:
    [position] = drafts(spec(sara.username, "I2"))
    with socket.socket() as closed:  # a port where nobody listens
        closed.bind(("127.0.0.1", 0))
        settings.SPORTELLO_PAGOPA_GPD_URL = f"http://127.0.0.1:{closed.getsockname()[1]}/gpd"

    with pytest.raises(ApplicationError) as refused:
        cart_checkout(user=sara, option_ids=[position.options.get().pk], email="", return_urls=urls)

    assert "pagoPA in questo momento non risponde" in refused.value.message
    position.refresh_from_db()
    assert position.status == PositionStatus.DRAFT and position.publish_error == ""


# --- The citizen's cart ---------------------------------------------------------------------------


def test_a_cart_of_two_notices_opens_pagopas_checkout(
    pagopa: FakePagoPA, sara: User, django_capture_on_commit_callbacks
) -> None:
    positions = create(
        django_capture_on_commit_callbacks,
        spec(sara.username, "J1", amount="16.00"),
        spec(sara.username, "J2", amount="32.50"),
    )
    options = [position.options.get() for position in positions]

    cart = cart_checkout(
        user=sara, option_ids=[o.pk for o in options], email="sara@example.it", return_urls=urls
    )

    assert cart.checkout_url.startswith(pagopa.origin + "/c/")
    [sent] = pagopa.carts
    assert sorted(sent["paymentNotices"], key=lambda notice: notice["amount"]) == [
        {
            "noticeNumber": option.notice_number,
            "fiscalCode": CREDITOR_CODE,
            "amount": option.amount,
            "companyName": "Comune di Valdoria",
            "description": "Mensa, marzo",
        }
        for option in options
    ]
    assert sent["returnUrls"]["returnOkUrl"] == urls(cart).ok
    assert (sent["idCart"], sent["emailNotice"]) == (str(cart.uuid), "sara@example.it")
    assert pagopa.calls_to("PostCarts")[0].headers["ocp-apim-subscription-key"] == CHECKOUT_KEY


def test_a_draft_is_published_before_its_cart_is_opened(pagopa: FakePagoPA, sara: User) -> None:
    [position] = drafts(spec(sara.username, "J3"))

    cart = cart_checkout(
        user=sara, option_ids=[position.options.get().pk], email="", return_urls=urls
    )

    assert [call.operation for call in pagopa.calls] == ["createPosition", "PostCarts"]
    assert "emailNotice" not in pagopa.carts[0] and cart.checkout_url
    position.refresh_from_db()
    assert position.status == PositionStatus.VALID


def test_a_cart_of_six_notices_is_refused_before_calling_pagopa(
    pagopa: FakePagoPA, sara: User
) -> None:
    positions = drafts(*(spec(sara.username, f"K{n}") for n in range(6)))

    with pytest.raises(ApplicationError) as refused:
        cart_checkout(
            user=sara,
            option_ids=[position.options.get().pk for position in positions],
            email="",
            return_urls=urls,
        )

    assert "al massimo 5 avvisi" in refused.value.message
    assert pagopa.calls == [] and not Cart.objects.exists()


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 400, "body": b'{"title": "Bad Request", "status": 400}'},
        {"status": 503, "times": None},
        {"status": 302},  # no Location
        {"status": 200, "body": b"<html>ok</html>", "content_type": "text/html"},
    ],
    ids=["refused", "down", "no-location", "not-a-redirect"],
)
def test_a_checkout_pagopa_cannot_open_fails_the_cart_with_a_clear_message(
    pagopa: FakePagoPA, sara: User, django_capture_on_commit_callbacks, fault: dict
) -> None:
    [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "L1"))
    pagopa.fail("PostCarts", **fault)

    with pytest.raises(ApplicationError) as refused:
        cart_checkout(user=sara, option_ids=[position.options.get().pk], email="", return_urls=urls)

    assert "scarica l'avviso e pagalo in banca" in refused.value.message
    assert Cart.objects.get().status == CartStatus.FAILED
    # A refusal once; an outage with one retry only: the citizen is waiting on this call.
    expected = 1 if fault["status"] < 500 else 2
    assert len(pagopa.calls_to("PostCarts")) == expected


def test_a_wrong_checkout_key_fails_the_cart_at_once(
    pagopa: FakePagoPA, sara: User, settings, django_capture_on_commit_callbacks
) -> None:
    [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "L2"))
    settings.SPORTELLO_PAGOPA_CHECKOUT_KEY = "not-the-key"

    with pytest.raises(ApplicationError):
        cart_checkout(user=sara, option_ids=[position.options.get().pk], email="", return_urls=urls)

    assert [call.status for call in pagopa.calls_to("PostCarts")] == [401]


# --- Receipts -------------------------------------------------------------------------------------


def test_polling_records_each_receipt_once_however_often_it_runs(
    pagopa: FakePagoPA, sara: User, django_capture_on_commit_callbacks
) -> None:
    canteen, stamp = create(
        django_capture_on_commit_callbacks,
        spec(sara.username, "M1", instalments=("50.00", "30.00")),
        spec(sara.username, "M2"),
    )
    first_instalment = canteen.options.order_by("instalment").first()
    pagopa.pay(CREDITOR_CODE, first_instalment.iuv)
    pagopa.pay(CREDITOR_CODE, stamp.options.get().iuv)

    with django_capture_on_commit_callbacks(execute=True):
        assert receipts_poll() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert receipts_poll() == 0  # the next period, or a second worker

    [confirmation] = mail.outbox  # one e-mail for both payments, never a second one
    assert confirmation.to == ["sara@example.it"]
    assert Receipt.objects.filter(pays_option=True, anomaly=Anomaly.NONE).count() == 2
    assert Receipt.objects.count() == 2
    first_instalment.refresh_from_db()
    assert first_instalment.status == OptionStatus.PAID
    canteen.refresh_from_db(), stamp.refresh_from_db()
    assert (canteen.status, stamp.status) == (PositionStatus.PARTIALLY_PAID, PositionStatus.PAID)
    assert len(pagopa.calls_to("getReceiptByIUV")) == 2  # a receipt already here is not read
    listing = pagopa.calls_to("getOrganizationReceipts")[0]
    since = timezone.localdate() - datetime.timedelta(days=3)
    assert listing.query == {"from": [since.isoformat()], "pageNum": ["0"], "pageSize": ["100"]}
    assert listing.headers["accept"] == "application/json"
    assert pagopa.calls_to("getReceiptByIUV")[0].headers["accept"] == "application/xml"


def test_a_receipt_for_a_different_amount_is_kept_as_an_anomaly_not_a_payment(
    pagopa: FakePagoPA, sara: User, django_capture_on_commit_callbacks
) -> None:
    [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "N1"))
    pagopa.pay(CREDITOR_CODE, position.options.get().iuv, amount=1500)

    receipts_poll()

    receipt = Receipt.objects.get()
    assert (receipt.anomaly, receipt.pays_option, receipt.amount) == (
        Anomaly.AMOUNT_MISMATCH,
        False,
        1500,
    )
    position.refresh_from_db()
    assert position.status == PositionStatus.VALID


def test_every_page_of_receipts_is_read(pagopa: FakePagoPA) -> None:
    # 101 payments of notices this comune never issued: two pages, every receipt kept.
    for n in range(101):
        iuv = f"47{n:015d}"
        document = receipt_build(
            receipt_id=f"R{n}",
            notice_number="3" + iuv,
            organization_fiscal_code=CREDITOR_CODE,
            company_name="Comune di Valdoria",
            iuv=iuv,
            amount=1000,
            description="Sconosciuto",
            debtor_type="F",
            debtor_fiscal_code="RSSMRA80A01E625X",
            debtor_name="Mario Rossi",
            transfers=[],
            psp_id="BCITITMM",
            psp_company_name="Banca di prova",
            payment_method="CP",
            fee=0,
            paid_at=timezone.now(),
        )
        pagopa.receipt_add(CREDITOR_CODE, iuv, document)

    assert receipts_poll() == 101

    pages = [call.query["pageNum"] for call in pagopa.calls_to("getOrganizationReceipts")]
    assert pages == [["0"], ["1"]]
    assert Receipt.objects.filter(anomaly=Anomaly.UNKNOWN_NOTICE).count() == 101


def test_a_garbled_receipt_is_kept_and_read_again_until_it_is_whole(
    pagopa: FakePagoPA, sara: User, django_capture_on_commit_callbacks
) -> None:
    [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "P1"))
    iuv = position.options.get().iuv
    whole = pagopa.pay(CREDITOR_CODE, iuv)
    pagopa.receipt_add(CREDITOR_CODE, iuv, whole[: len(whole) // 2])

    receipts_poll()
    receipts_poll()
    assert Receipt.objects.get().anomaly == Anomaly.UNREADABLE  # kept once, never lost

    pagopa.receipt_add(CREDITOR_CODE, iuv, whole)
    receipts_poll()
    position.refresh_from_db()
    assert position.status == PositionStatus.PAID
    assert Receipt.objects.filter(pays_option=True).count() == 1


def test_a_receipt_pagopa_cannot_serve_now_is_read_at_the_next_poll(
    pagopa: FakePagoPA, sara: User, django_capture_on_commit_callbacks
) -> None:
    [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "P2"))
    pagopa.pay(CREDITOR_CODE, position.options.get().iuv)
    pagopa.fail("getReceiptByIUV", times=4, status=500)

    assert receipts_poll() == 0
    assert receipts_poll() == 1

    position.refresh_from_db()
    assert position.status == PositionStatus.PAID


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 200, "body": b"<html>maintenance</html>", "content_type": "text/html"},
        {"status": 200, "body": b'{"receipts": []}'},
        {"status": 503, "times": None},
        {"status": 200, "delay": TIMEOUT * 10, "times": None},
    ],
    ids=["html", "wrong-json", "down", "too-slow"],
)
def test_a_receipts_list_pagopa_cannot_give_loses_nothing(
    pagopa: FakePagoPA, sara: User, settings, django_capture_on_commit_callbacks, fault: dict
) -> None:
    settings.SPORTELLO_PAGOPA_RETRIES = 1
    [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "Q1"))
    pagopa.pay(CREDITOR_CODE, position.options.get().iuv)
    pagopa.fail("getOrganizationReceipts", **fault)

    with pytest.raises(ProviderError):
        receipts_poll()
    assert not Receipt.objects.exists()

    pagopa.up()
    assert receipts_poll() == 1
    position.refresh_from_db()
    assert position.status == PositionStatus.PAID


# --- Annulling ------------------------------------------------------------------------------------


def test_an_annulled_position_is_invalidated_on_pagopa(
    pagopa: FakePagoPA, sara: User, django_capture_on_commit_callbacks
) -> None:
    [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "S1"))

    position_invalidate(position=position, reason="Importo sbagliato")

    position.refresh_from_db()
    assert position.status == PositionStatus.INVALID
    assert pagopa.position(CREDITOR_CODE, position.iupd)["status"] == "INVALID"
    assert len(pagopa.calls_to("invalidatePosition")) == 1


def test_a_draft_never_published_is_annulled_here_only(pagopa: FakePagoPA, sara: User) -> None:
    [position] = drafts(spec(sara.username, "S2"))

    position_invalidate(position=position, reason="Doppione")

    position.refresh_from_db()
    assert position.status == PositionStatus.INVALID and pagopa.calls == []


def test_a_position_paid_on_pagopa_meanwhile_is_not_annulled(
    pagopa: FakePagoPA, sara: User, django_capture_on_commit_callbacks
) -> None:
    [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "S3"))
    pagopa.pay(CREDITOR_CODE, position.options.get().iuv)  # its receipt is not here yet

    with pytest.raises(ApplicationError) as refused:
        position_invalidate(position=position, reason="Importo sbagliato")

    assert "la posizione resta valida" in refused.value.message
    assert [call.status for call in pagopa.calls_to("invalidatePosition")] == [409]
    position.refresh_from_db()
    assert position.status == PositionStatus.VALID
    receipts_poll()
    position.refresh_from_db()
    assert position.status == PositionStatus.PAID


def test_annulling_while_pagopa_is_down_changes_nothing(
    pagopa: FakePagoPA, sara: User, django_capture_on_commit_callbacks
) -> None:
    [position] = create(django_capture_on_commit_callbacks, spec(sara.username, "S4"))
    pagopa.down()

    with pytest.raises(ApplicationError) as refused:
        position_invalidate(position=position, reason="Importo sbagliato")

    assert "Riprova tra qualche minuto" in refused.value.message
    position.refresh_from_db()
    assert position.status == PositionStatus.VALID and position.invalidated_at is None
    assert pagopa.position(CREDITOR_CODE, position.iupd)["status"] == "VALID"
