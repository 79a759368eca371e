"""Named effects: what a transition does besides changing the status, inside its transaction.

Presets name effects; ``validate()`` refuses a name that is not registered here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ordo.workflow.snapshot import SYSTEM

if TYPE_CHECKING:
    from ordo.orders.services import OrderUnit


@dataclass(frozen=True)
class EffectCall:
    unit: OrderUnit
    params: Mapping[str, Any]


EffectFn = Callable[[EffectCall], None]
EFFECTS: dict[str, EffectFn] = {}
#: Effects the timer sweep can apply to a whole batch at once: (order ids, now) → None.
BULK_EFFECTS: dict[str, Callable[[list[int], Any], None]] = {}


def effect(name: str) -> Callable[[EffectFn], EffectFn]:
    def register(fn: EffectFn) -> EffectFn:
        EFFECTS[name] = fn
        return fn

    return register


@effect("set_issue_date")
def set_issue_date(call: EffectCall) -> None:
    """The order was handed over now, unless staff already set the issue date by hand."""
    order = call.unit.order
    if order.issued_at is None:
        order.issued_at = call.unit.now
        call.unit.dirty.add("issued_at")


def _set_issue_dates(order_ids: list[int], now: Any) -> None:
    from ordo.orders.models import Order

    Order.objects.filter(id__in=order_ids, issued_at__isnull=True).update(issued_at=now)


BULK_EFFECTS["set_issue_date"] = _set_issue_dates


@effect("credit_wallet")
def credit_wallet(call: EffectCall) -> None:
    """A paid top-up order: its goods' value (not the processing fee) goes into the customer's wallet."""
    from ordo.payments.wallet import wallet_credit

    order = call.unit.order
    wallet_credit(call.unit, amount=order.subtotal - order.discount, note=f"top-up order {order.number}")


@effect("refund_item")
def refund_item(call: EffectCall) -> None:
    """A cancelled item is refunded by the seed's rule: to the wallet of a registered customer
    (without fees), else to the processor. Nothing paid yet: nothing to refund."""
    from ordo.errors import DomainError
    from ordo.payments.errors import PaymentErrorCode
    from ordo.payments.refunds import PROCESSOR, WALLET, refund_in

    unit = call.unit
    item_id = call.params.get("item")
    if item_id is None:
        return
    destination = WALLET if unit.order.customer.user_id else PROCESSOR
    try:
        refund_in(unit, destination=destination, items=[int(item_id)], reason="item cancelled")
    except DomainError as error:
        if error.code not in (PaymentErrorCode.NOTHING_TO_REFUND, PaymentErrorCode.ITEM_ALREADY_REFUNDED):
            raise


@effect("start_items")
def start_items(call: EffectCall) -> None:
    """Fire the item workflow's start transition (param ``transition``, default ``start``) on every
    item still in the item workflow's first status."""
    from ordo.orders.queue import target_busy

    unit = call.unit
    if unit.item_workflow is None:
        return
    code = str(call.params.get("transition", "start"))
    started: set[tuple[int, str]] = set()
    for item in unit.items:
        if item.status != unit.item_workflow.initial:
            continue
        # An item whose target is taken by another active item waits; the worker starts it later.
        if target_busy(item, unit.order.customer_id, unit.item_workflow, started):
            continue
        # The system starts them, whoever's payment set the rule off.
        unit.fire_item(item, code, actor=SYSTEM, kind="event")
        if item.target:
            started.add((unit.order.customer_id, item.target))
