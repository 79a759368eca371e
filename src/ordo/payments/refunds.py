"""Refunds, by the rules of the digital-services seed (SPEC §3.4):

- to the **wallet** (registered customers only): the goods' value, without processing fees, usable at once;
- to the **processor**: card — the full amount paid for it, fees included; PayPal (a channel whose
  fees are not refundable) — minus the processing fee. Guests always get the processor.
- Card refunds go through the gateway and stay ``pending`` until it confirms by webhook; refunds
  on manual channels (cash, transfer) are confirmed when staff record them.
- Nothing beyond what was paid (pending refunds included) can be refunded; an item once refunded
  cannot be refunded again.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet, Sum

from ordo.errors import DomainError
from ordo.jobs.runner import job_enqueue
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import Order
from ordo.orders.permissions import Action, require
from ordo.orders.services import OrderUnit, lock_order
from ordo.payments.errors import PaymentErrorCode
from ordo.payments.fees import fee_share
from ordo.payments.gateways import stripe as stripe_gateway
from ordo.payments.models import LedgerEntry, PaymentChannel
from ordo.payments.services import Recorded, _amount, apply_ledger_sums
from ordo.payments.wallet import wallet_credit
from ordo.workflow.snapshot import Actor

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
WALLET, PROCESSOR = "wallet", "processor"


@dataclass(frozen=True)
class Plan:
    amount: Decimal
    fee: Decimal
    channel: PaymentChannel
    payment: LedgerEntry | None


def _sum(rows: QuerySet[LedgerEntry], field: str = "amount") -> Decimal:
    # SQLite sums decimals with float-like precision: back to cents.
    return Decimal(rows.aggregate(total=Sum(field))["total"] or ZERO).quantize(CENT)


def _source_payment(order: Order) -> LedgerEntry | None:
    """The payment a processor refund goes back through: the latest one."""
    return (
        LedgerEntry.objects.filter(order=order, kind=LedgerEntry.Kind.PAYMENT, state=LedgerEntry.State.CONFIRMED)
        .order_by("-id")
        .first()
    )


def _plan(unit: OrderUnit, *, destination: str, items: list[int] | None, amount: Decimal | None) -> Plan:
    order = unit.order
    refunds = LedgerEntry.objects.filter(order=order, kind=LedgerEntry.Kind.REFUND).exclude(
        state=LedgerEntry.State.FAILED
    )
    refundable = order.paid - _sum(refunds)
    fees_left = _sum(LedgerEntry.objects.filter(order=order, kind=LedgerEntry.Kind.PAYMENT), "fee") - _sum(
        refunds, "fee"
    )
    payment = _source_payment(order)
    if payment is None or refundable <= 0:
        raise DomainError(PaymentErrorCode.NOTHING_TO_REFUND, f"Nothing was paid for order {order.number}.")
    channel = PaymentChannel.objects.filter(code=payment.channel).first() or PaymentChannel(code=payment.channel)
    fees_back = destination == PROCESSOR and channel.fees_refundable

    goods_total = order.subtotal - order.discount
    if amount is not None:
        goods, fee = _amount(amount), ZERO
    elif items:
        chosen = {item.pk: item for item in unit.items}
        unknown = sorted(set(items) - set(chosen))
        if unknown:
            raise DomainError(OrderErrorCode.UNKNOWN_ITEM, f"Order {order.number} has no item {unknown[0]}.")
        done = {i for row in refunds for i in row.items}
        again = sorted(set(items) & done)
        if again:
            raise DomainError(
                PaymentErrorCode.ITEM_ALREADY_REFUNDED, f"Item {again[0]} was refunded already.", items=again
            )
        goods = sum((chosen[i].line_total for i in set(items)), ZERO)
        fee = fee_share(order.fees, goods_total, goods) if fees_back else ZERO
    else:
        fee = max(fees_left, ZERO) if fees_back else ZERO
        goods = refundable - max(fees_left, ZERO)
    total = goods + min(fee, max(fees_left, ZERO))
    if total <= 0:
        raise DomainError(PaymentErrorCode.NOTHING_TO_REFUND, "There is nothing left to refund.")
    if total > refundable:
        raise DomainError(
            PaymentErrorCode.REFUND_EXCEEDS_PAID,
            f"{total} {order.currency} is more than the {refundable} {order.currency} that can still be refunded.",
            refundable=str(refundable),
        )
    return Plan(total, total - goods, channel, payment)


def refund_in(
    unit: OrderUnit,
    *,
    destination: str,
    items: list[int] | None = None,
    amount: Decimal | None = None,
    reason: str = "",
) -> tuple[LedgerEntry, Plan]:
    """Record a refund on a locked order inside the caller's transaction. Card refunds are left
    ``pending`` with no reference: the gateway is asked after the commit (``submit``)."""
    order = unit.order
    if destination == WALLET and not order.customer.user_id:
        raise DomainError(
            PaymentErrorCode.WALLET_NEEDS_ACCOUNT, "Guests have no wallet: refund to the payment processor."
        )
    plan = _plan(unit, destination=destination, items=items, amount=amount)
    through_gateway = destination == PROCESSOR and plan.channel.gateway == PaymentChannel.Gateway.STRIPE
    entry = LedgerEntry.objects.create(
        order=order,
        kind=LedgerEntry.Kind.REFUND,
        amount=plan.amount,
        fee=plan.fee,
        currency=order.currency,
        channel="wallet" if destination == WALLET else plan.channel.code,
        destination=destination,
        items=sorted(set(items or [])),
        state=LedgerEntry.State.PENDING if through_gateway else LedgerEntry.State.CONFIRMED,
        note=reason,
        recorded_by_id=None if unit.actor.is_system else unit.actor.id,
        recorded_at=unit.now,
    )
    if not through_gateway:
        _confirmed(unit, entry)
    unit.note("refund_requested" if through_gateway else "refunded", {"amount": str(plan.amount), "to": destination})
    return entry, plan


def refund_create(
    *,
    number: int,
    actor: Actor,
    destination: str,
    items: list[int] | None = None,
    amount: Decimal | None = None,
    reason: str = "",
    visible: QuerySet[Order] | None = None,
) -> Recorded:
    """Refund the whole order, chosen items, or an amount, to the wallet or the processor."""
    with transaction.atomic(durable=True):
        unit = OrderUnit(lock_order(number, visible), actor=actor)
        require(actor, Action.REFUND)
        entry, _ = refund_in(unit, destination=destination, items=items, amount=amount, reason=reason)
        unit.flush()
    if entry.state == LedgerEntry.State.PENDING:
        # Outside the order's transaction: the gateway's answer must not hold the row lock.
        submit(entry)
    return Recorded(unit.order, entry, created=True)


def submit(entry: LedgerEntry) -> None:
    """Ask the card gateway for a pending refund. Its idempotency key is the ledger row, so asking
    twice (the API and the worker) makes one refund."""
    payment = _source_payment(entry.order)
    if payment is None:
        return
    try:
        refund_id, _status = stripe_gateway.refund(
            payment_intent=payment.reference, amount=entry.amount, order_number=entry.order.number, ledger_id=entry.pk
        )
    except DomainError:
        LedgerEntry.objects.filter(pk=entry.pk, state=LedgerEntry.State.PENDING).update(state=LedgerEntry.State.FAILED)
        raise
    LedgerEntry.objects.filter(pk=entry.pk).update(reference=refund_id)
    entry.reference = refund_id


def submit_pending_refunds(limit: int = 50) -> int:
    """The worker's pass: card refunds recorded inside a transaction (a cancelled item's) and not
    yet sent to the gateway."""
    pending = LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.REFUND, state=LedgerEntry.State.PENDING, reference=""
    ).select_related("order")[:limit]
    sent = 0
    for entry in pending:
        try:
            submit(entry)
            sent += 1
        except DomainError:
            continue
    return sent


def _confirmed(unit: OrderUnit, entry: LedgerEntry) -> None:
    """Money is back with the customer: sums, payment status, wallet credit, event rules."""
    if entry.destination == WALLET or entry.channel == "wallet":
        wallet_credit(unit, amount=entry.amount, note=f"refund for order {unit.order.number}")
    apply_ledger_sums(unit, LedgerEntry.Kind.REFUND, entry.amount)
    # An invoiced order gets a correcting invoice for the money returned (documents.corrections).
    job_enqueue("invoice_correction", order_id=unit.order.pk, payload={"entry": entry.pk})
    unit.settle()


def refund_confirm(unit: OrderUnit, entry: LedgerEntry) -> bool:
    """The gateway confirmed a pending refund; returns False when it was confirmed before."""
    if entry.state == LedgerEntry.State.CONFIRMED:
        return False
    entry.state = LedgerEntry.State.CONFIRMED
    entry.save(update_fields=["state"])
    _confirmed(unit, entry)
    return True


def refund_fail(entry: LedgerEntry) -> None:
    if entry.state == LedgerEntry.State.PENDING:
        entry.state = LedgerEntry.State.FAILED
        entry.save(update_fields=["state"])
