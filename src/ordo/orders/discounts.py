"""Writes on an order's discounts: staff add and remove named discounts while prices may change.

Prices may change until the order is fully paid (``unpaid`` or ``partially_paid``) and while it is
not in a final status. Every change recomputes the totals, the processing fee of an unpaid order
and the payment status (a discount can make a partial payment full, which moves the order on).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import QuerySet

from ordo.accounts.errors import AccountErrorCode
from ordo.errors import DomainError
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import DiscountTier, Order, OrderDiscount
from ordo.orders.permissions import Action, require
from ordo.orders.pricing import CENT, TIERS, discount_rows_reprice, percent_of
from ordo.orders.services import OrderUnit, channel_check, fees_for, lock_order, retotal
from ordo.payments.services import payment_status_refresh
from ordo.workflow.snapshot import Actor

PRICE_STATUSES = ("unpaid", "partially_paid")


def _prices_open(unit: OrderUnit) -> None:
    order = unit.order
    status = unit.workflow.status(order.status)
    if order.payment_status not in PRICE_STATUSES or (status is not None and status.final):
        raise DomainError(
            OrderErrorCode.PRICES_LOCKED,
            f"Order {order.number} is {order.status}, {order.payment_status}: its prices no longer change.",
        )


def _value(kind: str, value: Decimal) -> Decimal:
    if kind not in OrderDiscount.Kind.values:
        raise DomainError(OrderErrorCode.INVALID_DISCOUNT, "A discount's kind is 'amount' or 'percent'.")
    try:
        number = Decimal(value)
        if not number.is_finite() or number <= 0 or number != number.quantize(CENT):
            raise InvalidOperation
    except (InvalidOperation, TypeError, ValueError) as error:
        raise DomainError(
            OrderErrorCode.INVALID_DISCOUNT, "A discount is a positive number with at most 2 decimals."
        ) from error
    if kind == OrderDiscount.Kind.PERCENT and number > 100:
        raise DomainError(OrderErrorCode.INVALID_DISCOUNT, "A percent discount is at most 100.")
    return number


def reprice(unit: OrderUnit) -> None:
    """Totals anew from the items and discount rows: goods − discounts + fees (fees follow the
    channel while nothing is paid) + VAT on top for net prices, then the payment status."""
    order = unit.order
    rows = list(order.discounts.all())
    order.subtotal = sum((item.line_total for item in unit.items), Decimal("0.00"))
    order.discount = discount_rows_reprice(rows, order.subtotal)
    OrderDiscount.objects.bulk_update(rows, ["amount"])
    if order.payment_status == "unpaid":
        fees_for(order, channel_check(order.payment_channel) if order.payment_channel else None)
    retotal(order, unit.items)
    unit.dirty.update(("subtotal", "discount", "fees", "vat_added", "total"))
    payment_status_refresh(unit, key=f"t{order.total}:{order.paid}:{order.refunded}")


def discount_add(
    *,
    number: int,
    actor: Actor,
    name: str,
    kind: str,
    value: Decimal,
    reason: str = "",
    visible: QuerySet[Order] | None = None,
) -> OrderDiscount:
    """Take ``value`` (an amount, or a percent of the goods) off an order, under ``name``."""
    value = _value(kind, value)
    if not name.strip():
        raise DomainError(OrderErrorCode.INVALID_DISCOUNT, "Name the discount.")
    with transaction.atomic(durable=True):
        unit = OrderUnit(lock_order(number, visible), actor=actor)
        require(actor, Action.DISCOUNT)
        _prices_open(unit)
        order = unit.order
        amount = value if kind == OrderDiscount.Kind.AMOUNT else percent_of(order.subtotal, value)
        if order.discount + amount > order.subtotal:
            raise DomainError(
                OrderErrorCode.INVALID_DISCOUNT,
                f"Discounts would come to more than the goods ({order.subtotal} {order.currency}).",
            )
        row = OrderDiscount.objects.create(
            order=order,
            name=name.strip(),
            kind=kind,
            value=value,
            amount=amount,
            reason=reason,
            at=unit.now,
            actor_name=actor.name or actor.role,
        )
        unit.note("discount_added", {"id": row.pk, "name": row.name, "kind": kind, "value": str(value)})
        reprice(unit)
        unit.settle()
        unit.flush()
    return row


def discount_remove(*, number: int, discount_id: int, actor: Actor, visible: QuerySet[Order] | None = None) -> Order:
    with transaction.atomic(durable=True):
        unit = OrderUnit(lock_order(number, visible), actor=actor)
        require(actor, Action.DISCOUNT)
        _prices_open(unit)
        row = unit.order.discounts.filter(pk=discount_id).first()
        if row is None:
            raise DomainError(OrderErrorCode.UNKNOWN_DISCOUNT, f"Order {number} has no discount {discount_id}.")
        unit.note("discount_removed", {"id": row.pk, "name": row.name, "amount": str(row.amount)})
        row.delete()
        reprice(unit)
        unit.settle()
        unit.flush()
    return unit.order


@dataclass(frozen=True)
class TierInput:
    name: str
    currency: str
    threshold: Decimal
    percent: Decimal


def discount_tiers_replace(tiers: Sequence[TierInput]) -> list[DiscountTier]:
    """Replace every discount tier. Within a currency thresholds are unique and a higher
    threshold gives a higher percent. Orders placed before keep the discounts they got."""
    problems = []
    by_currency: dict[str, list[TierInput]] = {}
    for tier in tiers:
        by_currency.setdefault(tier.currency, []).append(tier)
    for currency, ladder in sorted(by_currency.items()):
        ladder.sort(key=lambda t: t.threshold)
        for lower, higher in itertools.pairwise(ladder):
            if lower.threshold == higher.threshold:
                problems.append(f"{currency}: two tiers start at {lower.threshold}")
            elif lower.percent >= higher.percent:
                problems.append(f"{currency}: {higher.name!r} starts higher than {lower.name!r} but gives no more")
    if problems:
        raise DomainError(AccountErrorCode.INVALID_TIERS, "; ".join(problems), problems=problems)
    with transaction.atomic():
        DiscountTier.objects.all().delete()
        made = DiscountTier.objects.bulk_create(
            DiscountTier(name=t.name, currency=t.currency, threshold=t.threshold, percent=t.percent) for t in tiers
        )
    TIERS.forget()
    return made
