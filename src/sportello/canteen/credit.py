"""A child's prepaid credit: top-ups paid through pagoPA (positions made by `payments`, which
tells us when they are paid), the end-of-month notice for a negative balance, corrections by
the office, and the warning when the credit runs low."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sportello.canteen.models import (
    CreditAccount,
    Enrolment,
    EnrolmentStatus,
    Movement,
    MovementKind,
    SchoolYear,
    TopUp,
    TopUpKind,
)
from sportello.core.exceptions import ApplicationError
from sportello.core.money import euro_text
from sportello.core.queueing import enqueue_after_commit, task_named
from sportello.core.services import audit_record
from sportello.payments.hooks import PaymentEvent, payment_service_register
from sportello.payments.models import PaymentOption
from sportello.payments.services import positions_create
from sportello.payments.validation import Debtor, OptionSpec, PositionSpec

SERVICE = "canteen"
CATEGORY = "9/0201102IM/"  # pagoPA taxonomy: school catering
PAYMENT_DAYS = 30
DEFAULT_MINIMUM = 500


def _debtor(account: CreditAccount, user=None) -> Debtor:
    """The child is the debtor, so the notice shows in the family's ledger (their minors'); a
    child the registry does not know (not resident) cannot be, so their parent is."""
    from sportello.payments.selectors import household_codes

    if user is None:
        enrolment = (
            account.enrolments.filter(status=EnrolmentStatus.ACCEPTED)
            .select_related("parent__person")
            .order_by("-pk")
            .first()
        )
        user = enrolment.parent if enrolment else None
    person = getattr(user, "person", None) if user is not None else None
    if person is not None and account.child_fiscal_code not in household_codes(user=user):
        return Debtor(
            fiscal_code=person.codice_fiscale, name=person.full_name[:70], email=user.email or ""
        )
    return Debtor(
        fiscal_code=account.child_fiscal_code,
        name=account.child_name[:70],
        email=(user.email if user is not None else "") or "",
    )


def _amount_cents(amount: Decimal | str, minimum: int) -> int:
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise ApplicationError(_("Scrivi l'importo in euro, per esempio 20 o 20,50.")) from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise ApplicationError(_("L'importo può avere al massimo due decimali (i centesimi)."))
    cents = int(value * 100)
    if cents < minimum:
        raise ApplicationError(
            _("La ricarica minima è di %(minimum)s.") % {"minimum": euro_text(minimum, cents=True)}
        )
    if cents > 100_000:
        raise ApplicationError(_("Una ricarica non può superare € 1.000,00."))
    return cents


def top_up_minimum() -> int:
    year = SchoolYear.objects.order_by("-starts").first()
    return year.minimum_top_up if year else DEFAULT_MINIMUM


def top_up_request(*, account: CreditAccount, user, amount: Decimal | str) -> int:
    """A top-up of `amount` euros: a pagoPA position for the child. Returns the option to pay
    (the payments app's summary takes it)."""
    cents = _amount_cents(amount, top_up_minimum())
    with transaction.atomic():
        top_up = TopUp.objects.create(account=account, amount=cents, requested_by=user)
        title = _("Ricarica mensa scolastica di %(child)s") % {"child": account.child_name}
        due = timezone.localdate() + datetime.timedelta(days=PAYMENT_DAYS)
        [position_id] = positions_create(
            specs=[
                PositionSpec(
                    service=SERVICE,
                    reference=f"ricarica-{top_up.pk}",
                    title=title[:140],
                    debtor=_debtor(account, user),
                    category=CATEGORY,
                    office_name=_("Servizi scolastici"),
                    switch_to_expired=True,
                    single=OptionSpec(Decimal(cents) / 100, due, title[:140]),
                )
            ],
            created_by=user,
        )
        top_up.payment_position_id = position_id
        top_up.save(update_fields=["payment_position_id"])
    return PaymentOption.objects.filter(position_id=position_id).values_list("pk", flat=True)[0]


def _threshold_for(account: CreditAccount) -> int:
    year = (
        SchoolYear.objects.filter(enrolments__account=account).order_by("-starts").first()
        or SchoolYear.objects.order_by("-starts").first()
    )
    return year.low_credit_threshold if year else 0


def canteen_position_paid(event: PaymentEvent) -> None:
    """pagoPA's receipt arrived for a top-up or a month's debt: credit the child (once)."""
    if not event.position_paid:
        return
    with transaction.atomic():
        top_up = (
            TopUp.objects.select_for_update()
            .select_related("account")
            .filter(payment_position_id=event.position_id)
            .first()
        )
        if top_up is None or top_up.paid_at is not None:
            return
        top_up.paid_at = timezone.now()
        top_up.save(update_fields=["paid_at"])
        kind = MovementKind.TOP_UP if top_up.kind == TopUpKind.TOP_UP else MovementKind.DEBT_PAID
        _movement_add(
            account=top_up.account,
            kind=kind,
            amount=top_up.amount,
            payment_position_id=event.position_id,
        )


def _movement_add(
    *,
    account: CreditAccount,
    kind: str,
    amount: int,
    note: str = "",
    payment_position_id: int | None = None,
) -> Movement:
    try:
        with transaction.atomic():
            movement = Movement.objects.create(
                account=account,
                kind=kind,
                amount=amount,
                day=timezone.localdate(),
                note=note,
                payment_position_id=payment_position_id,
            )
    except IntegrityError:  # this payment was credited already
        return Movement.objects.get(payment_position_id=payment_position_id)
    CreditAccount.objects.filter(pk=account.pk).update(balance=F("balance") + amount)
    account.refresh_from_db(fields=["balance"])
    if account.low_credit_notified and account.balance >= _threshold_for(account):
        CreditAccount.objects.filter(pk=account.pk).update(low_credit_notified=False)
    return movement


def movement_correct(
    *, account: CreditAccount, operator, amount: int, kind: str, note: str
) -> Movement:
    """A refund or correction by the school office, with the reason the family reads."""
    if kind not in (MovementKind.REFUND, MovementKind.CORRECTION):
        raise ApplicationError(_("Tipo di movimento non ammesso."))
    if not amount:
        raise ApplicationError(_("L'importo non può essere zero."))
    note = " ".join((note or "").split())
    if not note:
        raise ApplicationError(_("Scrivi il motivo: la famiglia lo leggerà."))
    with transaction.atomic():
        movement = _movement_add(account=account, kind=kind, amount=amount, note=note[:200])
        audit_record(
            action="canteen_movement_recorded",
            actor=operator,
            target=account,
            detail={"amount": amount, "kind": kind},
        )
    return movement


def month_debts_create(*, month: datetime.date) -> int:
    """At the end of `month`, a pagoPA notice for every child whose credit is negative (less
    what earlier notices, still unpaid, already ask for). Once a month: asking again for the
    same month makes nothing new. Returns how many notices were made."""
    month = month.replace(day=1)
    accounts = list(
        CreditAccount.objects.filter(balance__lt=0).exclude(
            top_ups__kind=TopUpKind.DEBT, top_ups__month=month
        )
    )
    if not accounts:
        return 0
    unpaid = dict(
        TopUp.objects.filter(account__in=accounts, kind=TopUpKind.DEBT, paid_at__isnull=True)
        .values("account")
        .annotate(total=Sum("amount"))
        .values_list("account", "total")
    )
    due = timezone.localdate() + datetime.timedelta(days=PAYMENT_DAYS)
    label = f"{month:%m/%Y}"
    made = 0
    with transaction.atomic():
        specs, top_ups = [], []
        for account in accounts:
            amount = -account.balance - unpaid.get(account.pk, 0)
            if amount <= 0:
                continue
            top_up = TopUp.objects.create(
                account=account, kind=TopUpKind.DEBT, amount=amount, month=month
            )
            title = _("Mensa scolastica di %(child)s, saldo negativo a %(month)s") % {
                "child": account.child_name,
                "month": label,
            }
            specs.append(
                PositionSpec(
                    service=SERVICE,
                    reference=f"debito-{top_up.pk}",
                    title=title[:140],
                    debtor=_debtor(account),
                    category=CATEGORY,
                    office_name=_("Servizi scolastici"),
                    single=OptionSpec(Decimal(amount) / 100, due, title[:140]),
                )
            )
            top_ups.append(top_up)
        if specs:
            ids = positions_create(specs=specs)
            for top_up, position_id in zip(top_ups, ids, strict=True):
                top_up.payment_position_id = position_id
            TopUp.objects.bulk_update(top_ups, ["payment_position_id"])
            made = len(specs)
    return made


def low_credit_check(*, day: datetime.date | None = None) -> list[int]:
    """Mark the accounts under their year's threshold not yet warned (those charged a meal on
    `day`, if given), and queue the warning (once per dip: a top-up over the threshold arms it
    again)."""
    warned = []
    for year in SchoolYear.objects.all():
        accounts = CreditAccount.objects.filter(
            balance__lt=year.low_credit_threshold,
            low_credit_notified=False,
            enrolments__school_year=year,
            enrolments__status=EnrolmentStatus.ACCEPTED,
        )
        if day is not None:
            charged = Movement.objects.filter(day=day, kind=MovementKind.MEAL).values("account")
            accounts = accounts.filter(pk__in=charged)
        ids = list(accounts.values_list("pk", flat=True).distinct())
        if ids:
            CreditAccount.objects.filter(pk__in=ids).update(low_credit_notified=True)
            warned.extend(ids)
    if warned:
        enqueue_after_commit(task_named("sportello.canteen.tasks.low_credit_notify"), warned)
    return warned


def low_credit_send(*, account_id: int) -> int:
    """The e-mail (and the SMS, when the parent left a mobile number) to each parent who
    enrolled the child. Returns how many messages were queued."""
    from sportello.channels.base import Medium
    from sportello.channels.services import delivery_create

    account = CreditAccount.objects.get(pk=account_id)
    parents = {
        enrolment.parent
        for enrolment in Enrolment.objects.select_related("parent").filter(
            account=account, status=EnrolmentStatus.ACCEPTED
        )
    }
    context = {"account": account, "balance": euro_text(account.balance, cents=True)}
    text = render_to_string("canteen/email/low_credit.txt", context)
    sms = _(
        "Mensa scolastica: il credito di %(child)s è di %(balance)s. Ricarica su Sportello."
    ) % {
        "child": account.child_name,
        "balance": context["balance"],
    }
    queued = 0
    for parent in parents:
        if parent.email:
            delivery_create(
                medium=Medium.EMAIL,
                to=parent.email,
                purpose="canteen_low_credit",
                reference=str(account.pk),
                payload={"subject": _("Mensa scolastica: credito in esaurimento"), "text": text},
            )
            queued += 1
        if parent.phone:
            delivery_create(
                medium=Medium.SMS,
                to=parent.phone,
                purpose="canteen_low_credit",
                reference=str(account.pk),
                payload={"text": sms},
            )
            queued += 1
    return queued


def canteen_payment_register() -> None:
    payment_service_register(
        key=SERVICE,
        label=gettext_lazy("Mensa scolastica"),
        on_paid=canteen_position_paid,
        follow_up_url=lambda reference: reverse("canteen:home"),
    )
