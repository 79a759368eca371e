"""Writes on the payment ledger. The order's sums and payment status follow each ledger row in
the same transaction, and the order's event rules settle (full payment moves production on)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import QuerySet, Sum

from ordo.errors import DomainError
from ordo.notifications.outbox import Event
from ordo.orders.models import MAX_MONEY, Order
from ordo.orders.permissions import Action, require
from ordo.orders.services import OrderUnit, channel_check, lock_order
from ordo.payments.errors import PaymentErrorCode
from ordo.payments.fees import fee_share
from ordo.payments.models import LedgerEntry, PaymentChannel
from ordo.payments.status import derive
from ordo.workflow.snapshot import Actor

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Recorded:
    order: Order
    entry: LedgerEntry
    #: False when the same reference was recorded before and this call changed nothing.
    created: bool


def _amount(value: Decimal) -> Decimal:
    try:
        amount = Decimal(value)
        if not amount.is_finite() or not 0 < amount <= MAX_MONEY or amount != amount.quantize(CENT):
            raise InvalidOperation
    except (InvalidOperation, TypeError, ValueError) as error:
        raise DomainError(
            PaymentErrorCode.INVALID_AMOUNT,
            f"The amount must be a positive number up to {MAX_MONEY} with at most 2 decimals.",
        ) from error
    return amount


def apply_ledger_sums(unit: OrderUnit, kind: str, amount: Decimal) -> None:
    """Add a ledger row's amount to the order's sums and derive the payment status anew."""
    order = unit.order
    if kind in (LedgerEntry.Kind.PAYMENT, LedgerEntry.Kind.MOVED_IN):
        order.paid += amount
    elif kind == LedgerEntry.Kind.MOVED_OUT:
        order.paid -= amount
    elif kind == LedgerEntry.Kind.REFUND:
        order.refunded += amount
    unit.dirty.update(("paid", "refunded"))
    payment_status_refresh(unit, key=f"p{order.paid}:{order.refunded}")


def payment_status_refresh(unit: OrderUnit, *, key: str) -> None:
    """Derive the payment status from the order's sums; a change is told (``key`` dedupes it)."""
    order = unit.order
    before = order.payment_status
    kept = fees_kept(order.pk) if order.refunded > 0 else Decimal(0)
    order.payment_status = derive(total=order.total, paid=order.paid, refunded=order.refunded, kept=kept)
    unit.dirty.add("payment_status")
    if order.payment_status != before:
        unit.tell(
            Event(
                "payment_changed",
                key=key,
                facts={"payment_status": order.payment_status, "previous": before},
            )
        )


def fees_kept(order_id: int) -> Decimal:
    """The processing fees of the order's payments through channels whose gateway keeps them on
    refunds: never returned, so counted as settled when the rest is refunded."""
    keeping = PaymentChannel.objects.filter(fees_refundable=False).values("code")
    rows = LedgerEntry.objects.filter(
        order_id=order_id,
        kind=LedgerEntry.Kind.PAYMENT,
        state=LedgerEntry.State.CONFIRMED,
        channel__in=keeping,
    )
    return Decimal(rows.aggregate(total=Sum("fee"))["total"] or 0).quantize(CENT)


def outstanding(order: Order) -> Decimal:
    return max(order.total - (order.paid - order.refunded), Decimal("0.00"))


def money_in(
    unit: OrderUnit,
    *,
    amount: Decimal,
    channel: str,
    reference: str = "",
    note: str = "",
    flag_reason: str = "",
) -> tuple[LedgerEntry, bool]:
    """Record a payment on a locked order: the ledger row, the order's sums, the payment status.

    A reference already recorded on the channel returns that row and changes nothing (gateways
    resend events). The row's ``fee`` is the share of the order's processing fee it covers.
    Returns the row and whether it is new.
    """
    order = unit.order
    if reference:
        existing = LedgerEntry.objects.filter(
            order=order, kind=LedgerEntry.Kind.PAYMENT, channel=channel, reference=reference
        ).first()
        if existing is not None:
            return existing, False
    entry = LedgerEntry.objects.create(
        order=order,
        kind=LedgerEntry.Kind.PAYMENT,
        amount=amount,
        fee=fee_share(order.fees, order.total, min(amount, order.total)),
        currency=order.currency,
        channel=channel,
        reference=reference,
        note=note,
        flagged=bool(flag_reason),
        flag_reason=flag_reason,
        recorded_by_id=None if unit.actor.is_system else unit.actor.id,
        recorded_at=unit.now,
    )
    apply_ledger_sums(unit, entry.kind, amount)
    return entry, True


def payment_record(
    *,
    number: int,
    amount: Decimal,
    actor: Actor,
    channel: str = "",
    currency: str = "",
    reference: str = "",
    note: str = "",
    visible: QuerySet[Order] | None = None,
) -> Recorded:
    """Record money received for an order (cash at the office, a bank invoice paid…).

    ``channel`` defaults to the order's channel. With a ``reference`` the same payment recorded
    twice is stored once. Returns the order after its event rules settled, and the ledger row.
    """
    amount = _amount(amount)
    with transaction.atomic(durable=True):
        unit = OrderUnit(lock_order(number, visible), actor=actor)
        require(actor, Action.RECORD_PAYMENT)
        order = unit.order
        if currency and currency != order.currency:
            raise DomainError(
                PaymentErrorCode.CURRENCY_MISMATCH, f"Order {order.number} is in {order.currency}, not {currency}."
            )
        channel = channel or order.payment_channel
        if not channel:
            raise DomainError(PaymentErrorCode.UNKNOWN_CHANNEL, "Name the payment channel: the order has none.")
        channel_check(channel)
        entry, created = money_in(unit, amount=amount, channel=channel, reference=reference, note=note)
        unit.settle()
        unit.flush()
    return Recorded(unit.order, entry, created=created)


def payment_defer(
    *,
    number: int,
    actor: Actor,
    note: str = "",
    due_date: date | None = None,
    visible: QuerySet[Order] | None = None,
) -> Recorded:
    """Record that the customer may pay later, until ``due_date`` (the auto-parts "deferred payment agreed")."""
    with transaction.atomic(durable=True):
        unit = OrderUnit(lock_order(number, visible), actor=actor)
        require(actor, Action.RECORD_PAYMENT)
        order = unit.order
        entry = LedgerEntry.objects.create(
            order=order,
            kind=LedgerEntry.Kind.DEFERRAL,
            amount=Decimal("0.00"),
            currency=order.currency,
            note=note,
            due_date=due_date,
            recorded_by_id=None if actor.is_system else actor.id,
            recorded_at=unit.now,
        )
        if not order.deferred_payment:
            order.deferred_payment = True
            unit.dirty.add("deferred_payment")
        unit.settle()
        unit.flush()
    return Recorded(unit.order, entry, created=True)
